package io.comfygate.web.resources;

import jakarta.annotation.security.RolesAllowed;
import io.comfygate.web.security.Identity;
import io.comfygate.engine.Job;
import io.comfygate.engine.JobEngine;
import io.comfygate.engine.Submission;
import io.comfygate.engine.SubmitOptions;
import io.comfygate.web.api.JobView;
import io.comfygate.web.api.PageView;
import io.comfygate.web.api.SubmitJobRequest;
import io.comfygate.web.errors.BadParameterException;
import io.comfygate.webhooks.WebhookTarget;
import io.comfygate.webhooks.Webhooks;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;

/** A user's jobs: submit, list, look at, cancel. Administrators see and cancel anyone's. */
@RolesAllowed({Identity.USER, Identity.ADMIN})
@Path("/v1/jobs")
@Tag(name = "jobs", description = "Submit image jobs, follow them, cancel them")
@Produces(MediaType.APPLICATION_JSON)
public final class JobsResource {
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  static final String REPLAYED = "Idempotent-Replayed";
  private final JobEngine engine;
  private final Webhooks webhooks;

  /** @param webhooks the webhook outbox, or {@code null}: webhook_url is then refused */
  public JobsResource(JobEngine engine, Webhooks webhooks) {
    this.engine = engine;
    this.webhooks = webhooks;
  }

  /**
   * Submits a job. With an {@value #IDEMPOTENCY_KEY} header, a retry of the same request within
   * IDEMPOTENCY_RETENTION_HOURS answers 202 with the first job as it is now, marked {@value
   * #REPLAYED}; a refused submit (400, 429, 503) does not use up the key.
   */
  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(operationId = "submitJob", summary = "Submit a job",
      description = "Validates the params against the template (the default template when none is named) and"
          + " queues the job. With an Idempotency-Key header, a retry of the same request (same template and"
          + " params) within IDEMPOTENCY_RETENTION_HOURS answers 202 with the first job as it is now and"
          + " Idempotent-Replayed: true, never a second job; keys are per caller. A refused submit (400, 429,"
          + " 503) does not use up its key.")
  @ApiResponse(responseCode = "202", description = "Queued (or, replayed, the job the key created first)",
      content = @Content(schema = @Schema(implementation = JobView.class)),
      headers = {@Header(name = "Location", description = "The job's URL", schema = @Schema(type = "string")),
          @Header(name = REPLAYED, description = "\"true\" when the Idempotency-Key named an earlier job",
              schema = @Schema(type = "string"))})
  @ApiResponse(responseCode = "400", description = "invalid_params: each bad field in problems; bad_request: a body"
      + " that is not the JSON expected, or a malformed Idempotency-Key (1 to 255 printable ASCII characters)")
  @ApiResponse(responseCode = "422", description = "idempotency_key_reused: the key was used for a different request")
  @ApiResponse(responseCode = "429", description = "quota_exceeded: MAX_PER_USER_QUEUE jobs wait already",
      headers = @Header(name = "Retry-After", description = "Seconds until a retry is likely to succeed",
          schema = @Schema(type = "integer")))
  @ApiResponse(responseCode = "503", description = "unavailable: no ComfyUI backend is healthy")
  public Response submit(SubmitJobRequest body,
      @Parameter(description = "Makes a retried submit return the first job: 1 to 255 printable ASCII characters,"
          + " unique per request") @HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey,
      @Context SecurityContext security, @Context UriInfo uri) {
    if (body == null) {
      throw new BadParameterException("body", "a JSON object {\"template\": …, \"params\": {…}} is required");
    }
    SubmitOptions options = SubmitOptions.none()
        .withIdempotencyKey(Params.idempotencyKey(IDEMPOTENCY_KEY, idempotencyKey))
        .withWebhook(webhook(body, security));
    Submission submitted = engine.submit(Caller.of(security).user(), body.template(), body.params(), options);
    Job job = submitted.job();
    Response.ResponseBuilder response = Response.accepted(JobView.of(job, Params.apiBase(uri)))
        .location(uri.getAbsolutePathBuilder().path(job.id().value()).build());
    if (submitted.replayed()) {
      response.header(REPLAYED, "true");
    }
    return response.build();
  }

  /** Where the job's events go: its webhook_url, else its API key's default URL, else nowhere. */
  private WebhookTarget webhook(SubmitJobRequest body, SecurityContext security) {
    if (webhooks == null) {
      if (body.webhookUrl() != null) {
        throw new BadParameterException("webhook_url", "webhooks are not enabled on this server");
      }
      return null;
    }
    try {
      // the key's default as verified with the request: no database read per submit
      return webhooks.resolve(Caller.apiKeyId(security), Caller.apiKeyWebhookUrl(security), body.webhookUrl())
          .orElse(null);
    } catch (IllegalArgumentException e) {
      throw new BadParameterException("webhook_url", e.getMessage());
    }
  }

  @GET
  @Operation(operationId = "listJobs", summary = "The caller's jobs, newest first")
  @ApiResponse(responseCode = "200", description = "One page, with the total", useReturnTypeSchema = true)
  @ApiResponse(responseCode = "400", description = "bad_request: page or size out of range")
  public PageView<JobView> list(@BeanParam Paging paging, @Context SecurityContext security, @Context UriInfo uri) {
    String base = Params.apiBase(uri);
    return PageView.of(engine.list(Caller.of(security).user(), paging.request()), j -> JobView.of(j, base));
  }

  @GET
  @Path("{id}")
  @Operation(operationId = "getJob", summary = "One job: state, position, ETA, progress, images")
  @ApiResponse(responseCode = "200", description = "The job", useReturnTypeSchema = true)
  @ApiResponse(responseCode = "404", description = "not_found: no such job, or another user's")
  public JobView get(@PathParam("id") String id, @Context SecurityContext security, @Context UriInfo uri) {
    return JobView.of(engine.get(Params.jobId(id), Caller.of(security).ownerFilter()), Params.apiBase(uri));
  }

  @POST
  @Path("{id}/cancel")
  @Operation(operationId = "cancelJob", summary = "Cancel a job",
      description = "A waiting job is removed from the queue; a running one is interrupted on its backend."
          + " Cancelling an ended job changes nothing.")
  @ApiResponse(responseCode = "200", description = "The job after the cancel", useReturnTypeSchema = true)
  @ApiResponse(responseCode = "404", description = "not_found: no such job, or another user's")
  public JobView cancel(@PathParam("id") String id, @Context SecurityContext security, @Context UriInfo uri) {
    return JobView.of(engine.cancel(Params.jobId(id), Caller.of(security).ownerFilter()), Params.apiBase(uri));
  }

  /** The latest preview image of a running job (PNG or JPEG), or 404 when there is none. */
  @GET
  @Path("{id}/preview")
  @Operation(operationId = "getJobPreview", summary = "The latest preview image of a running job")
  @ApiResponse(responseCode = "200", description = "The preview", content = {
      @Content(mediaType = "image/png", schema = @Schema(type = "string", format = "binary")),
      @Content(mediaType = "image/jpeg", schema = @Schema(type = "string", format = "binary"))})
  @ApiResponse(responseCode = "404", description = "not_found: no such job, another user's, or no preview yet")
  @Produces({"image/png", "image/jpeg", MediaType.APPLICATION_JSON})
  public Response preview(@PathParam("id") String id, @Context SecurityContext security) {
    return engine.preview(Params.jobId(id), Caller.of(security).ownerFilter())
        .map(p -> Response.ok(p.bytes(), p.mimeType()).header("Cache-Control", "no-store").build())
        .orElseThrow(() -> new NotFoundException("No preview of job " + Params.shorten(id)));
  }
}
