package io.comfygate.web.resources;

import jakarta.annotation.security.RolesAllowed;
import io.comfygate.web.security.Identity;
import io.comfygate.engine.JobEngine;
import io.comfygate.web.api.ClusterView;
import io.comfygate.web.api.HealthView;
import io.comfygate.web.api.JobView;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;

/**
 * What an operator watches: the status behind the admin banner (every health check, and the
 * instances sharing the database with the one that dispatches), and the queue: jobs on each
 * backend and jobs waiting, any of which can be cancelled.
 */
@RolesAllowed(Identity.ADMIN)
@Path("/v1/admin")
@Tag(name = "admin")
@Produces(MediaType.APPLICATION_JSON)
public final class AdminQueueResource {
  private final JobEngine engine;

  public AdminQueueResource(JobEngine engine) {
    this.engine = engine;
  }

  /** The banner: OK or FAIL with each failing check's reason; and the instances. */
  @GET
  @Path("status")
  @Operation(operationId = "adminStatus", summary = "The health checks behind the admin banner, and the instances",
      description = "Every check of this instance, and in cluster the instances sharing its database (id, host,"
          + " version, role, last heartbeat) with the one that dispatches to ComfyUI.")
  @ApiResponse(responseCode = "200", description = "Every check, OK or FAIL with its reason; the instances",
      useReturnTypeSchema = true)
  public HealthView status() {
    return HealthView.of(engine.health()).withCluster(ClusterView.of(engine.cluster()));
  }

  @GET
  @Path("queue")
  @Operation(operationId = "adminQueue", summary = "Jobs on each backend, and jobs waiting in dispatch order")
  @ApiResponse(responseCode = "200", description = "The queue", useReturnTypeSchema = true)
  public QueueView queue(@Context UriInfo uri) {
    String base = Params.apiBase(uri);
    List<BackendView> backends = engine.backends().stream()
        .map(b -> new BackendView(b.name(), b.healthy(), b.reason(), b.jobs().stream().map(j -> JobView.of(j, base)).toList()))
        .toList();
    return new QueueView(backends, engine.waitingJobs().stream().map(j -> JobView.of(j, base)).toList());
  }

  @POST
  @Path("queue/{id}/cancel")
  @Operation(operationId = "adminCancelJob", summary = "Cancel any user's job")
  @ApiResponse(responseCode = "200", description = "The job after the cancel", useReturnTypeSchema = true)
  @ApiResponse(responseCode = "404", description = "not_found: no such job")
  public JobView cancel(@PathParam("id") String id, @Context UriInfo uri) {
    return JobView.of(engine.cancel(Params.jobId(id), null), Params.apiBase(uri));
  }

  /** The queue: what each backend has, and what waits, in dispatch order. */
  public record QueueView(List<BackendView> backends, List<JobView> waiting) {}

  /** One backend: healthy or not (with the reason), and the jobs handed to it. */
  public record BackendView(String name, boolean healthy, String reason, List<JobView> jobs) {}
}
