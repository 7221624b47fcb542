package io.comfygate.web;

import io.comfygate.testkit.SampleImages;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/** Multipart uploads to {@code POST /api/v1/uploads} for the integration tests. */
final class ItUploads {
  static final String BOUNDARY = "it-boundary-7d1f";
  static final String MULTIPART = "multipart/form-data; boundary=" + BOUNDARY;

  private ItUploads() {}

  /** A form with one file field. */
  static byte[] form(String field, String filename, String declaredType, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"" + filename
        + "\"\r\nContent-Type: " + declaredType + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    out.writeBytes(content);
    out.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  /** Uploads {@code image} in the field {@code image} as {@code caller}. */
  static HttpResponse<String> upload(ItHttp http, String caller, byte[] image, String... headers) {
    return http.post("api/v1/uploads", caller, HttpRequest.BodyPublishers.ofByteArray(form("image", "in.png", "image/png", image)),
        MULTIPART, headers);
  }

  static byte[] png(int width, int height) {
    return SampleImages.png(width, height);
  }

}
