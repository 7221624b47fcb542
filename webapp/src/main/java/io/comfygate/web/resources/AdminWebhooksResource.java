package io.comfygate.web.resources;

import jakarta.annotation.security.RolesAllowed;
import io.comfygate.web.security.Identity;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.comfygate.store.Page;
import io.comfygate.store.PageRequest;
import io.comfygate.web.api.PageView;
import io.comfygate.webhooks.Delivery;
import io.comfygate.webhooks.DeliveryState;
import io.comfygate.webhooks.Webhooks;
import io.comfygate.web.errors.BadParameterException;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Webhook deliveries for administrators: {@code GET /v1/admin/webhooks?state=&job_id=&page=&size=}
 * (newest first, paged like every list, with attempts, last status or error and next attempt) and a
 * redeliver action.
 */
@RolesAllowed(Identity.ADMIN)
@Path("/v1/admin/webhooks")
@Tag(name = "admin")
@Produces(MediaType.APPLICATION_JSON)
public final class AdminWebhooksResource {
  private final Webhooks webhooks;

  /** @param webhooks the outbox, or {@code null} where webhooks are off (an empty list) */
  public AdminWebhooksResource(Webhooks webhooks) {
    this.webhooks = webhooks;
  }

  @GET
  @Operation(operationId = "listWebhookDeliveries", summary = "Webhook deliveries, newest first, paged",
      description = "Each event with its state (pending, delivered, failed), attempts, last status or error and"
          + " next attempt, in the order they were recorded (a redelivered event keeps its place); total counts"
          + " what the filters match.")
  @ApiResponse(responseCode = "200", description = "One page, with the total", useReturnTypeSchema = true)
  @ApiResponse(responseCode = "400", description = "bad_request: state, page or size unusable, or limit given")
  public PageView<DeliveryView> list(
      @Parameter(description = "Only events in this state",
          schema = @Schema(allowableValues = {"pending", "delivered", "failed"})) @QueryParam("state") String state,
      @Parameter(description = "Only this job's events") @QueryParam("job_id") String jobId,
      @BeanParam Paging paging,
      // the list's former cap: refused rather than ignored, so an old caller learns it gets pages now
      @Parameter(hidden = true) @QueryParam("limit") String limit) {
    if (limit != null) {
      throw new BadParameterException("limit", "is no longer accepted: use page (from 1) and size (1.."
          + Params.MAX_PAGE_SIZE + "); the answer is a page with items and total");
    }
    DeliveryState wanted = null;
    if (state != null && !state.isBlank()) {
      try {
        wanted = DeliveryState.fromWireName(state.strip());
      } catch (IllegalArgumentException e) {
        throw new BadParameterException("state", "must be pending, delivered or failed (got \""
            + Params.shorten(state) + "\")");
      }
    }
    PageRequest page = paging.request();
    String job = jobId == null || jobId.isBlank() ? null : jobId.strip();
    Page<Delivery> deliveries = webhooks == null ? new Page<>(List.of(), page.page(), page.size(), 0)
        : webhooks.deliveries(wanted, job, page);
    return PageView.of(deliveries, DeliveryView::of);
  }

  /** Sends a delivered or failed event again now (same event id); a pending one is left as it is. */
  @POST
  @Path("{eventId}/redeliver")
  @Operation(operationId = "redeliverWebhook", summary = "Send a webhook event again",
      description = "The event goes back to pending and is sent again soon, with a fresh retry window.")
  @ApiResponse(responseCode = "200", description = "The event, pending again", useReturnTypeSchema = true)
  @ApiResponse(responseCode = "404", description = "not_found: no such event")
  public DeliveryView redeliver(@PathParam("eventId") String eventId) {
    if (webhooks == null) {
      throw new NotFoundException("No webhook event " + Params.shorten(eventId));
    }
    try {
      webhooks.redeliver(eventId);
    } catch (NoSuchElementException e) {
      throw new NotFoundException("No webhook event " + Params.shorten(eventId));
    }
    return webhooks.delivery(eventId).map(DeliveryView::of).orElseThrow(() -> new NotFoundException("No webhook event " + Params.shorten(eventId)));
  }

  /** One event and its delivery, as the admin sees it. */
  public record DeliveryView(String eventId, String jobId, String type, String url, String state, int attempts,
      Integer lastStatus, String lastError, String nextAttemptAt, String createdAt, String deliveredAt) {
    static DeliveryView of(Delivery d) {
      return new DeliveryView(d.eventId(), d.jobId(), d.type(), d.url(), d.state().wireName(), d.attempts(),
          d.lastStatus(), d.lastError(), iso(d.nextAttemptAt()), iso(d.createdAt()), iso(d.deliveredAt()));
    }

    private static String iso(Instant i) {
      return i == null ? null : i.toString();
    }
  }
}
