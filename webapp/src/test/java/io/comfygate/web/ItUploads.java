package io.comfygate.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.testkit.SampleImages;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;

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

  /** What the retention sweep does to an expired upload: its file, then its row, are gone. */
  static void removeAsTheSweepDoes(String id) throws Exception {
    try (var files = Files.list(Path.of(ItHttp.itSetting("OUTPUT_DIR"), "uploads"))) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith(id + ".")).toList()) {
        Files.delete(f);
      }
    }
    updateRow("DELETE FROM uploads WHERE id = ?", id);
  }

  /** Makes an upload look {@code age} old (its retention can then be over before the sweep runs). */
  static void backdate(String id, Duration age) throws Exception {
    updateRow("UPDATE uploads SET created_at = " + (System.currentTimeMillis() - age.toMillis()) + " WHERE id = ?", id);
  }

  private static void updateRow(String sql, String id) throws Exception {
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + ItHttp.itSetting("JOB_DB_PATH"));
        Statement pragma = db.createStatement();
        PreparedStatement change = db.prepareStatement(sql)) {
      pragma.execute("PRAGMA busy_timeout = 5000");
      change.setString(1, id);
      assertThat(change.executeUpdate()).as("the upload's row").isEqualTo(1);
    }
  }

}
