package io.comfygate.web.resources;

import io.comfygate.engine.Job;
import io.comfygate.engine.JobEngine;
import io.comfygate.engine.Submission;
import io.comfygate.web.api.JobView;
import io.comfygate.web.api.PageView;
import io.comfygate.web.api.SubmitJobRequest;
import io.comfygate.web.errors.BadParameterException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;

/** A user's jobs: submit, list, look at, cancel. Administrators see and cancel anyone's. */
@Path("/v1/jobs")
@Produces(MediaType.APPLICATION_JSON)
public final class JobsResource {
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  static final String REPLAYED = "Idempotent-Replayed";
  private final JobEngine engine;

  public JobsResource(JobEngine engine) {
    this.engine = engine;
  }

  /**
   * Submits a job. With an {@value #IDEMPOTENCY_KEY} header, a retry of the same request within
   * IDEMPOTENCY_RETENTION_HOURS answers 202 with the first job as it is now, marked {@value
   * #REPLAYED}; a refused submit (400, 429, 503) does not use up the key.
   */
  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  public Response submit(SubmitJobRequest body, @HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey,
      @Context SecurityContext security, @Context UriInfo uri) {
    if (body == null) {
      throw new BadParameterException("body", "a JSON object {\"template\": …, \"params\": {…}} is required");
    }
    Submission submitted = engine.submit(Caller.of(security).user(), body.template(), body.params(),
        Params.idempotencyKey(IDEMPOTENCY_KEY, idempotencyKey));
    Job job = submitted.job();
    Response.ResponseBuilder response = Response.accepted(JobView.of(job, Params.apiBase(uri)))
        .location(uri.getAbsolutePathBuilder().path(job.id().value()).build());
    if (submitted.replayed()) {
      response.header(REPLAYED, "true");
    }
    return response.build();
  }

  @GET
  public PageView<JobView> list(@QueryParam("page") String page, @QueryParam("size") String size,
      @Context SecurityContext security, @Context UriInfo uri) {
    String base = Params.apiBase(uri);
    return PageView.of(engine.list(Caller.of(security).user(), Params.page(page, size)), j -> JobView.of(j, base));
  }

  @GET
  @Path("{id}")
  public JobView get(@PathParam("id") String id, @Context SecurityContext security, @Context UriInfo uri) {
    return JobView.of(engine.get(Params.jobId(id), Caller.of(security).ownerFilter()), Params.apiBase(uri));
  }

  @POST
  @Path("{id}/cancel")
  public JobView cancel(@PathParam("id") String id, @Context SecurityContext security, @Context UriInfo uri) {
    return JobView.of(engine.cancel(Params.jobId(id), Caller.of(security).ownerFilter()), Params.apiBase(uri));
  }

  /** The latest preview image of a running job (PNG or JPEG), or 404 when there is none. */
  @GET
  @Path("{id}/preview")
  @Produces({"image/png", "image/jpeg", MediaType.APPLICATION_JSON})
  public Response preview(@PathParam("id") String id, @Context SecurityContext security) {
    return engine.preview(Params.jobId(id), Caller.of(security).ownerFilter())
        .map(p -> Response.ok(p.bytes(), p.mimeType()).header("Cache-Control", "no-store").build())
        .orElseThrow(() -> new NotFoundException("No preview of job " + Params.shorten(id)));
  }
}
