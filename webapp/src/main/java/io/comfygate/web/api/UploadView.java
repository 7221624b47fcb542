package io.comfygate.web.api;

import io.comfygate.uploads.Upload;

/** An uploaded input image's metadata; {@code id} is what an {@code image} template parameter takes. */
public record UploadView(String id, int width, int height, long bytes, String contentType, String createdAt) {
  public static UploadView of(Upload upload) {
    return new UploadView(upload.id().value(), upload.width(), upload.height(), upload.bytes(), upload.contentType(),
        Times.iso(upload.createdAt()));
  }
}
