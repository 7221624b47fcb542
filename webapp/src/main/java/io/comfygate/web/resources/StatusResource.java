package io.comfygate.web.resources;

import io.comfygate.engine.JobEngine;
import io.comfygate.web.api.HealthView;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * The Generate button's pre-check: a verdict within 1.5 s even when a backend hangs (a check that
 * does not answer in time counts as failed). Always 200: the verdict is in the body.
 */
@Path("/v1/precheck")
@Produces(MediaType.APPLICATION_JSON)
public final class StatusResource {
  private final JobEngine engine;

  public StatusResource(JobEngine engine) {
    this.engine = engine;
  }

  @GET
  public HealthView precheck() {
    return HealthView.of(engine.precheck());
  }
}
