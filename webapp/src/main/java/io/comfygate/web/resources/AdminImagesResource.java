package io.comfygate.web.resources;

import jakarta.annotation.security.RolesAllowed;
import io.comfygate.web.security.Identity;
import io.comfygate.engine.JobEngine;
import io.comfygate.store.ImageQuery;
import io.comfygate.store.Include;
import io.comfygate.store.PurgeResult;
import io.comfygate.web.api.ImageView;
import io.comfygate.web.api.PageView;
import io.comfygate.web.errors.BadParameterException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.time.Instant;
import java.util.List;

/**
 * Administrators' view of every image: filter by user, trash status
 * ({@code include=active|deleted|all}, default active) and creation date ({@code from_date}
 * inclusive, {@code to_date} exclusive; a plain date means midnight UTC, so
 * {@code from_date=2026-11-01&to_date=2026-12-01} is November), paged; and emptying the trash.
 */
@RolesAllowed(Identity.ADMIN)
@Path("/v1/admin")
@Tag(name = "admin", description = "For administrators: every user's images and jobs, health, API keys")
@Produces(MediaType.APPLICATION_JSON)
public final class AdminImagesResource {
  private final JobEngine engine;

  public AdminImagesResource(JobEngine engine) {
    this.engine = engine;
  }

  @GET
  @Path("images")
  @Operation(operationId = "adminListImages", summary = "Every user's images, filtered, newest first")
  @ApiResponse(responseCode = "200", description = "One page, with the total", useReturnTypeSchema = true)
  @ApiResponse(responseCode = "400", description = "bad_request: a filter or paging value that cannot be used")
  public PageView<ImageView> images(
      @Parameter(description = "Only this user's images") @QueryParam("user_id") String userId, @BeanParam Paging paging,
      @Parameter(description = "active (default), deleted (the trash) or all",
          schema = @Schema(allowableValues = {"active", "deleted", "all"})) @QueryParam("include") String include,
      @Parameter(description = "Created at or after (inclusive): an ISO date (midnight UTC) or instant")
      @QueryParam("from_date") String from,
      @Parameter(description = "Created before (exclusive): an ISO date (midnight UTC) or instant")
      @QueryParam("to_date") String to, @Context UriInfo uri) {
    Instant fromInstant = Params.instant("from_date", from);
    Instant toInstant = Params.instant("to_date", to);
    if (fromInstant != null && toInstant != null && !fromInstant.isBefore(toInstant)) {
      throw new BadParameterException("to_date", "must be after from_date (" + from + ")");
    }
    ImageQuery query = new ImageQuery(userId == null || userId.isBlank() ? null : userId, include(include), fromInstant, toInstant);
    String base = Params.apiBase(uri);
    return PageView.of(engine.images().search(query, paging.request()), i -> ImageView.of(i, base));
  }

  /** Removes every image in the trash: files first, then rows. */
  @POST
  @Path("purge-trash")
  @Operation(operationId = "purgeTrash", summary = "Empty every user's trash",
      description = "Removes the files of trashed images, then their rows; images whose file cannot be removed"
          + " stay and are listed.")
  @ApiResponse(responseCode = "200", description = "What was removed, and what could not be",
      useReturnTypeSchema = true)
  public PurgeView purgeTrash() {
    PurgeResult result = engine.purgeTrash();
    return new PurgeView(result.purged(), result.bytesFreed(),
        result.failures().stream().map(f -> new PurgeView.Failure(f.imageId().value(), f.reason())).toList());
  }

  private static Include include(String value) {
    if (value == null || value.isEmpty()) {
      return Include.ACTIVE;
    }
    switch (value) {
      case "active":
        return Include.ACTIVE;
      case "deleted":
        return Include.DELETED;
      case "all":
        return Include.ALL;
      default:
        throw new BadParameterException("include", "must be active, deleted or all (got \"" + Params.shorten(value) + "\")");
    }
  }

  /** What a purge removed, and what it could not. */
  public record PurgeView(int purged, long bytesFreed, List<Failure> failures) {
    /** An image whose file could not be removed; it stays in the trash. */
    public record Failure(String imageId, String reason) {}
  }
}
