package io.comfygate.web.resources;

import io.comfygate.webhooks.Delivery;
import io.comfygate.webhooks.DeliveryState;
import io.comfygate.webhooks.Webhooks;
import io.comfygate.web.errors.BadParameterException;
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
 * Webhook deliveries for administrators: {@code GET /v1/admin/webhooks?state=&job_id=&limit=}
 * (newest first, with attempts, last status or error and next attempt) and a redeliver action.
 */
@Path("/v1/admin/webhooks")
@Produces(MediaType.APPLICATION_JSON)
public final class AdminWebhooksResource {
  private static final int DEFAULT_LIMIT = 100;
  private final Webhooks webhooks;

  /** @param webhooks the outbox, or {@code null} where webhooks are off (an empty list) */
  public AdminWebhooksResource(Webhooks webhooks) {
    this.webhooks = webhooks;
  }

  @GET
  public List<DeliveryView> list(@QueryParam("state") String state, @QueryParam("job_id") String jobId,
      @QueryParam("limit") String limit) {
    DeliveryState wanted = null;
    if (state != null && !state.isBlank()) {
      try {
        wanted = DeliveryState.fromWireName(state.strip());
      } catch (IllegalArgumentException e) {
        throw new BadParameterException("state", "must be pending, delivered or failed");
      }
    }
    int max = DEFAULT_LIMIT;
    if (limit != null && !limit.isBlank()) {
      try {
        max = Integer.parseInt(limit.strip());
      } catch (NumberFormatException e) {
        max = 0;
      }
      if (max < 1 || max > 1000) {
        throw new BadParameterException("limit", "must be a whole number 1..1000");
      }
    }
    if (webhooks == null) {
      return List.of();
    }
    String job = jobId == null || jobId.isBlank() ? null : jobId.strip();
    return webhooks.deliveries(wanted, job, max).stream().map(DeliveryView::of).toList();
  }

  /** Sends a delivered or failed event again now (same event id); a pending one is left as it is. */
  @POST
  @Path("{eventId}/redeliver")
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
