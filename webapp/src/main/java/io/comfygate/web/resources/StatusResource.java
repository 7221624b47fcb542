package io.comfygate.web.resources;

import jakarta.annotation.security.RolesAllowed;
import io.comfygate.web.security.Identity;
import io.comfygate.engine.JobEngine;
import io.comfygate.web.api.HealthView;
import io.comfygate.web.api.PrecheckView;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * The Generate button's pre-check: a verdict within 1.5 s even when a backend hangs (a check that
 * does not answer in time counts as failed). Always 200: the verdict is in the body, with
 * {@code simulated} true when a backend is the simulated ComfyUI (placeholder images, no GPU).
 */
@RolesAllowed({Identity.USER, Identity.ADMIN})
@Path("/v1/precheck")
@Tag(name = "jobs")
@Produces(MediaType.APPLICATION_JSON)
public final class StatusResource {
  private final JobEngine engine;
  private final SimulatedBackends simulated;

  public StatusResource(JobEngine engine, SimulatedBackends simulated) {
    this.engine = engine;
    this.simulated = simulated;
  }

  @GET
  @Operation(operationId = "precheck", summary = "Can a job run now? (the Generate button's check)",
      description = "Answers within 1.5 s even when a backend hangs; always 200, the verdict is in the body.")
  @ApiResponse(responseCode = "200", description = "The verdict and each check", useReturnTypeSchema = true)
  public PrecheckView precheck() {
    HealthView health = HealthView.of(engine.precheck());
    return PrecheckView.of(health, simulated.any());
  }
}
