package io.comfygate.web.resources;

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
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;

/**
 * API keys for external systems, managed by administrators: issue one for a user (the key is
 * shown once, in the response), list them, revoke one.
 */
@Path("/v1/admin/api-keys")
@Tag(name = "admin")
@Produces(MediaType.APPLICATION_JSON)
public final class ApiKeysResource {
  private final ApiKeys keys;

  public ApiKeysResource(ApiKeys keys) {
    this.keys = keys;
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
    IssuedKey issued;
    try {
      issued = keys.issue(body.userId(), body.name(), Boolean.TRUE.equals(body.admin()));
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      throw new BadParameterException(message.startsWith("name") ? "name" : "user_id", message.substring(message.indexOf(' ') + 1));
    }
    return Response.status(201).entity(new IssuedView(KeyView.of(issued.key()), issued.secret())).build();
  }

  @POST
  @Path("{id}/revoke")
  @Operation(operationId = "revokeApiKey", summary = "Revoke an API key (at once, for good)")
  @ApiResponse(responseCode = "200", description = "The key, now revoked", useReturnTypeSchema = true)
  @ApiResponse(responseCode = "404", description = "not_found: no such key")
  public KeyView revoke(@PathParam("id") String id) {
    if (!keys.revoke(id) && keys.list().stream().noneMatch(k -> k.id().equals(id))) {
      throw new NotFoundException("No API key " + Params.shorten(id));
    }
    return keys.list().stream().filter(k -> k.id().equals(id)).findFirst().map(KeyView::of).orElseThrow();
  }

  /** {@code {"user_id": "render-farm", "name": "nightly batch", "admin": false}} */
  public record IssueRequest(String userId, String name, Boolean admin) {}

  /** A key as listed: never the key itself. */
  public record KeyView(String id, String userId, String name, boolean admin, String createdAt, String revokedAt,
      String lastUsedAt, boolean revoked) {
    static KeyView of(ApiKey k) {
      return new KeyView(k.id(), k.userId(), k.name(), k.admin(), iso(k.createdAt()), iso(k.revokedAt()),
          iso(k.lastUsedAt()), k.isRevoked());
    }

    private static String iso(Instant i) {
      return i == null ? null : i.toString();
    }
  }

  /** A newly issued key: {@code key} is shown this once and cannot be retrieved again. */
  public record IssuedView(KeyView apiKey, String key) {}
}
