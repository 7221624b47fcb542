package io.comfygate.uploads;

/** The image formats accepted as uploads: what ComfyUI's LoadImage reads and browsers send. */
enum ImageKind {
  PNG("image/png", ".png"),
  JPEG("image/jpeg", ".jpg"),
  WEBP("image/webp", ".webp");

  final String contentType;
  final String extension;

  ImageKind(String contentType, String extension) {
    this.contentType = contentType;
    this.extension = extension;
  }
}
