package io.comfygate.web.resources;

import io.comfygate.web.security.Identity;
import jakarta.annotation.security.RolesAllowed;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.Operation;
import io.comfygate.uploads.Upload;
import io.comfygate.uploads.Uploads;
import io.comfygate.web.api.UploadView;
import io.comfygate.web.errors.BadParameterException;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.Part;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * Input images for img2img templates: {@code POST} a {@code multipart/form-data} body with a file
 * field {@code image}; the answer's {@code id} goes into a job's image parameter. The servlet
 * container reads the multipart body (its limits are set from UPLOAD_MAX_BYTES when the API is
 * mounted, so an oversize body is refused while it streams); checks and storage are the SDK's.
 */
@RolesAllowed({Identity.USER, Identity.ADMIN})
@jakarta.ws.rs.Path("/v1/uploads")
@Tag(name = "uploads", description = "Input images for img2img templates")
@Produces(MediaType.APPLICATION_JSON)
public final class UploadsResource {
  /** Room for the multipart framing around the file, beyond the file's own limit. */
  public static final long MULTIPART_OVERHEAD = 64 * 1024;

  private final Uploads uploads;

  public UploadsResource(Uploads uploads) {
    this.uploads = uploads;
  }

  @POST
  @Operation(operationId = "uploadImage", summary = "Upload an input image (multipart field image)",
      description = "PNG, JPEG or WebP, judged by its bytes; at most UPLOAD_MAX_BYTES and UPLOAD_MAX_PIXELS. Only the image"
          + " is kept (bytes after its end marker are dropped). Each user keeps at most UPLOAD_MAX_PER_USER uploads and"
          + " UPLOAD_MAX_BYTES_PER_USER bytes at once (until UPLOAD_RETENTION_HOURS). The id goes into a job's image parameter.")
  @ApiResponse(responseCode = "201", description = "The stored image",
      content = @io.swagger.v3.oas.annotations.media.Content(schema = @io.swagger.v3.oas.annotations.media.Schema(implementation = UploadView.class)))
  @ApiResponse(responseCode = "400", description = "bad_request, invalid_image or too_many_pixels: no image field, not"
      + " multipart, a damaged image, or more pixels than UPLOAD_MAX_PIXELS (limit)")
  @ApiResponse(responseCode = "413", description = "payload_too_large: over UPLOAD_MAX_BYTES; upload_quota_exceeded: the"
      + " caller's kept uploads would pass UPLOAD_MAX_BYTES_PER_USER (limit in bytes)")
  @ApiResponse(responseCode = "429", description = "quota_exceeded: the caller keeps UPLOAD_MAX_PER_USER uploads already"
      + " (limit, retry_after_seconds and Retry-After: when the oldest is removed)")
  @ApiResponse(responseCode = "415", description = "unsupported_media_type: not a PNG, JPEG or WebP")
  public Response upload(@Context HttpServletRequest request, @Context SecurityContext security, @Context UriInfo uri) {
    String user = Caller.of(security).user();
    String type = request.getContentType();
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
      throw new BadParameterException("Content-Type", "must be multipart/form-data with the file in a field named"
          + " \"image\" (got " + (type == null ? "none" : "\"" + Params.shorten(type) + "\"") + ")");
    }
    if (request.getContentLengthLong() > uploads.maxBytes() + MULTIPART_OVERHEAD) {
      throw Uploads.tooLarge(uploads.maxBytes()); // refused before reading the body
    }
    uploads.requireRoom(user); // a user at a quota is refused before the container reads the body
    Part part = imagePart(request);
    try (InputStream in = part.getInputStream()) {
      if (part.getSize() > uploads.maxBytes()) {
        throw Uploads.tooLarge(uploads.maxBytes());
      }
      Upload upload = uploads.store(user, in);
      return Response.created(uri.getAbsolutePathBuilder().path(upload.id().value()).build())
          .entity(UploadView.of(upload)).build();
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the uploaded part", e);
    } finally {
      deleteQuietly(part);
    }
  }

  @GET
  @jakarta.ws.rs.Path("{id}")
  @Operation(operationId = "getUpload", summary = "An uploaded image's metadata (owner or admin)")
  @ApiResponse(responseCode = "200", description = "The upload", useReturnTypeSchema = true)
  @ApiResponse(responseCode = "404", description = "not_found: no such upload of yours")
  public UploadView get(@PathParam("id") String id, @Context SecurityContext security) {
    return UploadView.of(uploads.get(id, Caller.of(security).ownerFilter()));
  }

  @GET
  @jakarta.ws.rs.Path("{id}/file")
  @Operation(operationId = "getUploadFile", summary = "An uploaded image's file (owner or admin)",
      description = "Served by upload id only, never by a path from the request, as the type its bytes showed.")
  @ApiResponse(responseCode = "200", description = "The file", content = {
      @io.swagger.v3.oas.annotations.media.Content(mediaType = "image/png",
          schema = @io.swagger.v3.oas.annotations.media.Schema(type = "string", format = "binary")),
      @io.swagger.v3.oas.annotations.media.Content(mediaType = "image/jpeg",
          schema = @io.swagger.v3.oas.annotations.media.Schema(type = "string", format = "binary")),
      @io.swagger.v3.oas.annotations.media.Content(mediaType = "image/webp",
          schema = @io.swagger.v3.oas.annotations.media.Schema(type = "string", format = "binary"))})
  @ApiResponse(responseCode = "404", description = "not_found: no such upload of yours (or removed after UPLOAD_RETENTION_HOURS)")
  @Produces({"image/png", "image/jpeg", "image/webp", MediaType.APPLICATION_JSON})
  public Response file(@PathParam("id") String id, @Context SecurityContext security) {
    Upload upload = uploads.get(id, Caller.of(security).ownerFilter());
    java.nio.file.Path file = uploads.file(upload);
    // asked again each time: an upload is removed after UPLOAD_RETENTION_HOURS, and a page shown
    // later must then say so instead of showing a copy from its cache
    return StoredFiles.inline(file.getParent(), file.getFileName().toString(), upload.contentType(), "no-store",
        "upload " + upload.id().value());
  }

  /** The file part named image; the container refuses a body over its limits while reading it. */
  private Part imagePart(HttpServletRequest request) {
    Part part;
    try {
      part = request.getPart("image");
    } catch (IllegalStateException tooLarge) {
      throw Uploads.tooLarge(uploads.maxBytes()); // the Servlet spec's signal for a part or body over the limits
    } catch (ServletException | IOException e) {
      throw new BadParameterException("image", "the multipart/form-data body could not be read (" + e.getMessage() + ")");
    }
    if (part == null || part.getSubmittedFileName() == null) {
      throw new BadParameterException("image", "a file field named \"image\" is required in the multipart/form-data body");
    }
    return part;
  }

  private static void deleteQuietly(Part part) {
    try {
      part.delete();
    } catch (IOException ignored) {
      // The container removes its temporary files at the end of the request anyway.
    }
  }
}
