package io.comfygate.web.resources;

import io.comfygate.web.security.Identity;
import jakarta.annotation.security.RolesAllowed;
import io.comfygate.engine.JobEngine;
import io.comfygate.store.ImageId;
import io.comfygate.store.Include;
import io.comfygate.store.StoredImage;
import io.comfygate.web.api.ImageView;
import io.comfygate.web.api.PageView;
import io.comfygate.web.errors.BadParameterException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import java.time.Instant;
import java.util.Locale;

/**
 * A user's gallery: own images newest first, the trash ({@code include=deleted}), one image's
 * metadata and file, soft delete and restore. Files are served by image id only, never by a path
 * from the request. Administrators may read and change any image.
 */
@RolesAllowed({Identity.USER, Identity.ADMIN})
@jakarta.ws.rs.Path("/v1/images")
@Tag(name = "images", description = "The caller's gallery and trash")
@Produces(MediaType.APPLICATION_JSON)
public final class ImagesResource {
  private final JobEngine engine;

  public ImagesResource(JobEngine engine) {
    this.engine = engine;
  }

  @GET
  @Operation(operationId = "listImages", summary = "The caller's images, newest first, or the trash")
  @ApiResponse(responseCode = "200", description = "One page, with the total", useReturnTypeSchema = true)
  @ApiResponse(responseCode = "400", description = "bad_request: page, size or include not allowed")
  public PageView<ImageView> gallery(@BeanParam Paging paging,
      @Parameter(description = "deleted: the trash instead of the gallery",
          schema = @Schema(allowableValues = {"active", "deleted"})) @QueryParam("include") String include, @Context SecurityContext security, @Context UriInfo uri) {
    Include which;
    if (include == null || include.isEmpty() || include.equals("active")) {
      which = Include.ACTIVE;
    } else if (include.equals("deleted")) {
      which = Include.DELETED;
    } else {
      throw new BadParameterException("include", "must be \"deleted\" (the trash) or absent (got \"" + Params.shorten(include) + "\")");
    }
    String base = Params.apiBase(uri);
    return PageView.of(engine.images().gallery(Caller.of(security).user(), which, paging.request()),
        i -> ImageView.of(i, base));
  }

  @GET
  @jakarta.ws.rs.Path("{id}")
  @Operation(operationId = "getImage", summary = "One image's metadata")
  @ApiResponse(responseCode = "200", description = "The image", useReturnTypeSchema = true)
  @ApiResponse(responseCode = "404", description = "not_found: no such image, or another user's")
  public ImageView get(@PathParam("id") String id, @Context SecurityContext security, @Context UriInfo uri) {
    return ImageView.of(visible(id, Caller.of(security)), Params.apiBase(uri));
  }

  @GET
  @jakarta.ws.rs.Path("{id}/file")
  @Operation(operationId = "getImageFile", summary = "The image file",
      description = "Served by image id only, never by a path from the request.")
  @ApiResponse(responseCode = "200", description = "The file", content = {
      @Content(mediaType = "image/png", schema = @Schema(type = "string", format = "binary")),
      @Content(mediaType = "image/jpeg", schema = @Schema(type = "string", format = "binary")),
      @Content(mediaType = "image/webp", schema = @Schema(type = "string", format = "binary"))})
  @ApiResponse(responseCode = "404", description = "not_found: no such image, another user's, or its file is missing")
  @Produces({"image/png", "image/jpeg", "image/webp", MediaType.APPLICATION_OCTET_STREAM, MediaType.APPLICATION_JSON})
  public Response file(@PathParam("id") String id, @Context SecurityContext security) {
    StoredImage image = visible(id, Caller.of(security));
    return StoredFiles.inline(engine.outputDir(), image.file(), contentType(image.file()), "no-store",
        "image " + image.id());
  }

  @POST
  @jakarta.ws.rs.Path("{id}/delete")
  @Operation(operationId = "deleteImage", summary = "Move an image to the trash (restorable until purged)")
  @ApiResponse(responseCode = "200", description = "The image, now deleted", useReturnTypeSchema = true)
  @ApiResponse(responseCode = "404", description = "not_found: no such image, or another user's")
  public ImageView delete(@PathParam("id") String id, @Context SecurityContext security, @Context UriInfo uri) {
    Caller caller = Caller.of(security);
    StoredImage image = visible(id, caller);
    if (!image.isDeleted()) {
      boolean changed = caller.admin() ? engine.images().softDeleteAny(image.id(), Instant.now())
          : engine.images().softDelete(image.id(), caller.user(), Instant.now());
      if (!changed) {
        throw new NotFoundException("No image " + id);
      }
    }
    return ImageView.of(visible(id, caller), Params.apiBase(uri));
  }

  @POST
  @jakarta.ws.rs.Path("{id}/restore")
  @Operation(operationId = "restoreImage", summary = "Take an image back out of the trash")
  @ApiResponse(responseCode = "200", description = "The image, restored", useReturnTypeSchema = true)
  @ApiResponse(responseCode = "404", description = "not_found: no such image (or purged), or another user's")
  public ImageView restore(@PathParam("id") String id, @Context SecurityContext security, @Context UriInfo uri) {
    Caller caller = Caller.of(security);
    StoredImage image = visible(id, caller);
    if (image.isDeleted()) {
      boolean changed = caller.admin() ? engine.images().restoreAny(image.id()) : engine.images().restore(image.id(), caller.user());
      if (!changed) {
        throw new NotFoundException("No image " + id);
      }
    }
    return ImageView.of(visible(id, caller), Params.apiBase(uri));
  }

  /** The image if the caller may see it; 404 otherwise (another user's image is not revealed). */
  private StoredImage visible(String id, Caller caller) {
    ImageId imageId = Params.imageId(id);
    return engine.images().find(imageId)
        .filter(i -> caller.admin() || i.userId().equals(caller.user()))
        .orElseThrow(() -> new NotFoundException("No image " + Params.shorten(id)));
  }

  private static String contentType(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".png")) {
      return "image/png";
    }
    if (lower.endsWith(".jpg") || lower.endsWith(".jpeg")) {
      return "image/jpeg";
    }
    if (lower.endsWith(".webp")) {
      return "image/webp";
    }
    return MediaType.APPLICATION_OCTET_STREAM;
  }
}
