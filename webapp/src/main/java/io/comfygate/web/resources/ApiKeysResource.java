package io.comfygate.web.resources;

import jakarta.annotation.security.RolesAllowed;
import io.comfygate.web.security.Identity;
import io.comfygate.auth.ApiKey;
import io.comfygate.auth.ApiKeys;
import io.comfygate.auth.IssuedKey;
import io.comfygate.web.errors.BadParameterException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import io.comfygate.webhooks.Webhooks;
import java.net.URI;
import java.time.Instant;
import java.util.List;

/**
 * API keys for external systems, managed by administrators: issue one for a user (the key and its
 * webhook signing secret are shown once, in the response), list them, revoke one, set its default
 * webhook URL, rotate its webhook secret.
 */
@RolesAllowed(Identity.ADMIN)
@Path("/v1/admin/api-keys")
@Tag(name = "admin")
@Produces(MediaType.APPLICATION_JSON)
public final class ApiKeysResource {
  private final ApiKeys keys;
  private final Webhooks webhooks;

  /** @param webhooks checks webhook URLs; {@code null}: webhook URLs are refused */
  public ApiKeysResource(ApiKeys keys, Webhooks webhooks) {
    this.keys = keys;
    this.webhooks = webhooks;
  }

  @GET
  @Operation(operationId = "listApiKeys", summary = "Every API key (never the key itself)")
  @ApiResponse(responseCode = "200", description = "The keys", useReturnTypeSchema = true)
  public List<KeyView> list() {
    return keys.list().stream().map(KeyView::of).toList();
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(operationId = "issueApiKey", summary = "Issue an API key for a user",
      description = "The key is in this response only; it is stored hashed and cannot be shown again.")
  @ApiResponse(responseCode = "201", description = "The new key",
      content = @Content(schema = @Schema(implementation = IssuedView.class)))
  @ApiResponse(responseCode = "400", description = "bad_request: user_id or name missing or unusable")
  public Response issue(IssueRequest body) {
    if (body == null) {
      throw new BadParameterException("body", "a JSON object {\"user_id\": …, \"name\": …} is required");
    }
    URI webhookUrl = body.webhookUrl() == null ? null : webhookUrl(body.webhookUrl());
    IssuedKey issued;
    try {
      issued = keys.issue(body.userId(), body.name(), Boolean.TRUE.equals(body.admin()), webhookUrl);
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      throw new BadParameterException(message.startsWith("name") ? "name" : "user_id", message.substring(message.indexOf(' ') + 1));
    }
    return Response.status(201).entity(new IssuedView(KeyView.of(issued.key()), issued.secret(), issued.webhookSecret()))
        .build();
  }

  /** Sets ({@code {"webhook_url": "https://…"}}) or clears ({@code {"webhook_url": null}}) a key's default webhook URL. */
  @PUT
  @Path("{id}/webhook")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(operationId = "setApiKeyWebhook", summary = "Set or clear a key's default webhook URL",
      description = "Jobs submitted with this key and no webhook_url of their own send their events there.")
  @ApiResponse(responseCode = "200", description = "The key", useReturnTypeSchema = true)
  @ApiResponse(responseCode = "400", description = "bad_request: webhook_url not an allowed http(s) URL, e.g. on a private, loopback or other special-purpose address, or the server's own, not in WEBHOOK_ALLOWED_HOSTS")
  @ApiResponse(responseCode = "404", description = "not_found: no such key")
  public KeyView setWebhook(@PathParam("id") String id, WebhookRequest body) {
    if (body == null) {
      throw new BadParameterException("body", "a JSON object {\"webhook_url\": …} is required (null clears it)");
    }
    URI url = body.webhookUrl() == null ? null : webhookUrl(body.webhookUrl());
    return keys.setWebhookUrl(id, url).map(KeyView::of)
        .orElseThrow(() -> new NotFoundException("No API key " + Params.shorten(id)));
  }

  /** A new webhook signing secret for the key, shown this once; the old one stops working at once. */
  @POST
  @Path("{id}/webhook-secret")
  @Operation(operationId = "rotateApiKeyWebhookSecret", summary = "A new webhook signing secret for a key",
      description = "Shown in this response only; the old secret stops working at once.")
  @ApiResponse(responseCode = "200", description = "The new secret", useReturnTypeSchema = true)
  @ApiResponse(responseCode = "404", description = "not_found: no such key")
  public SecretView rotateWebhookSecret(@PathParam("id") String id) {
    return keys.rotateWebhookSecret(id).map(SecretView::new)
        .orElseThrow(() -> new NotFoundException("No API key " + Params.shorten(id)));
  }

  private URI webhookUrl(String raw) {
    if (webhooks == null) {
      throw new BadParameterException("webhook_url", "webhooks are not enabled on this server");
    }
    try {
      return webhooks.urlPolicy().check(raw);
    } catch (IllegalArgumentException e) {
      throw new BadParameterException("webhook_url", e.getMessage());
    }
  }

  @POST
  @Path("{id}/revoke")
  @Operation(operationId = "revokeApiKey", summary = "Revoke an API key (at once, for good)",
      description = "This server refuses the key from the moment it answers. Other ComfyGate instances sharing the"
          + " database refuse it within 5 seconds: each trusts a key it has verified for that long.")
  @ApiResponse(responseCode = "200", description = "The key, now revoked", useReturnTypeSchema = true)
  @ApiResponse(responseCode = "404", description = "not_found: no such key")
  public KeyView revoke(@PathParam("id") String id) {
    if (!keys.revoke(id) && keys.list().stream().noneMatch(k -> k.id().equals(id))) {
      throw new NotFoundException("No API key " + Params.shorten(id));
    }
    return keys.list().stream().filter(k -> k.id().equals(id)).findFirst().map(KeyView::of).orElseThrow();
  }

  /** {@code {"user_id": "render-farm", "name": "nightly batch", "admin": false, "webhook_url": null}} */
  public record IssueRequest(String userId, String name, Boolean admin, String webhookUrl) {}

  /** {@code {"webhook_url": "https://…"}}, or null to clear it. */
  public record WebhookRequest(String webhookUrl) {}

  /** A key as listed: never the key itself nor its webhook secret. */
  public record KeyView(String id, String userId, String name, boolean admin, String createdAt, String revokedAt,
      String lastUsedAt, boolean revoked, String webhookUrl) {
    static KeyView of(ApiKey k) {
      return new KeyView(k.id(), k.userId(), k.name(), k.admin(), iso(k.createdAt()), iso(k.revokedAt()),
          iso(k.lastUsedAt()), k.isRevoked(), k.webhookUrl());
    }

    private static String iso(Instant i) {
      return i == null ? null : i.toString();
    }
  }

  /**
   * A newly issued key: {@code key} and {@code webhook_secret} (which signs its webhooks) are shown
   * this once and cannot be retrieved again.
   */
  public record IssuedView(KeyView apiKey, String key, String webhookSecret) {}

  /** A new webhook signing secret, shown this once. */
  public record SecretView(String webhookSecret) {}
}
