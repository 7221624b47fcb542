package io.comfygate.web.resources;

import io.comfygate.engine.JobEngine;
import io.comfygate.web.api.HealthView;
import io.comfygate.web.api.PrecheckView;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * The Generate button's pre-check: a verdict within 1.5 s even when a backend hangs (a check that
 * does not answer in time counts as failed). Always 200: the verdict is in the body, with
 * {@code simulated} true when a backend is the simulated ComfyUI (placeholder images, no GPU).
 */
@Path("/v1/precheck")
@Produces(MediaType.APPLICATION_JSON)
public final class StatusResource {
  private final JobEngine engine;
  private final SimulatedBackends simulated;

  public StatusResource(JobEngine engine, SimulatedBackends simulated) {
    this.engine = engine;
    this.simulated = simulated;
  }

  @GET
  public PrecheckView precheck() {
    HealthView health = HealthView.of(engine.precheck());
    return PrecheckView.of(health, simulated.any());
  }
}
