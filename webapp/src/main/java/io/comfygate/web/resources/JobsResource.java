package io.comfygate.web.resources;

import io.comfygate.engine.Job;
import io.comfygate.engine.JobEngine;
import io.comfygate.web.api.JobView;
import io.comfygate.web.api.PageView;
import io.comfygate.web.api.SubmitJobRequest;
import io.comfygate.web.errors.BadParameterException;
import io.comfygate.webhooks.WebhookTarget;
import io.comfygate.webhooks.Webhooks;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
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
  private final JobEngine engine;
  private final Webhooks webhooks;

  /** @param webhooks the webhook outbox, or {@code null}: webhook_url is then refused */
  public JobsResource(JobEngine engine, Webhooks webhooks) {
    this.engine = engine;
    this.webhooks = webhooks;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  public Response submit(SubmitJobRequest body, @Context SecurityContext security, @Context UriInfo uri) {
    if (body == null) {
      throw new BadParameterException("body", "a JSON object {\"template\": …, \"params\": {…}} is required");
    }
    Job job = engine.submit(Caller.of(security).user(), body.template(), body.params(), webhook(body, security));
    return Response.accepted(JobView.of(job, Params.apiBase(uri)))
        .location(uri.getAbsolutePathBuilder().path(job.id().value()).build())
        .build();
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
      return webhooks.resolve(Caller.apiKeyId(security), body.webhookUrl()).orElse(null);
    } catch (IllegalArgumentException e) {
      throw new BadParameterException("webhook_url", e.getMessage());
    }
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
