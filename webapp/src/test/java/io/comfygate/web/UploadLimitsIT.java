package io.comfygate.web;

import static io.comfygate.web.ItHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.testkit.SampleImages;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The limits on uploads in the real Tomcat (it.env: UPLOAD_MAX_PER_USER=100,
 * UPLOAD_MAX_BYTES_PER_USER=3 MiB, UPLOAD_MAX_PIXELS=16777216): a user's quota of kept uploads, by
 * count (429) and bytes (413), each naming its limit and freed when an upload expires or is
 * removed; a small file declaring a huge image (400); only the image is stored, without the bytes
 * appended after it. Each quota test uploads as a user of its own (an API key), so no other test's
 * uploads count.
 */
class UploadLimitsIT extends DeployedWar {
  private static final int MAX_PER_USER = 100;
  private static final long MAX_BYTES_PER_USER = 3_145_728;
  private static final byte[] TAIL = "\u00ff\u00d9<script>alert(1)</script> and more after the image"
      .getBytes(StandardCharsets.ISO_8859_1);

  @Test
  void oneUploadPastTheCountQuotaIs429NamingTheLimitAndAnExpiredUploadFreesItsPlace() throws Exception {
    String user = freshUser();
    List<String> ids = new ArrayList<>();
    byte[] tiny = SampleImages.png(2, 2);
    for (int i = 0; i < MAX_PER_USER; i++) {
      ids.add(json(ItUploads.upload(http, user, tiny), 201).path("id").asText());
    }

    HttpResponse<String> refused = ItUploads.upload(http, user, tiny);
    JsonNode error = json(refused, 429);
    assertThat(error.path("error").asText()).isEqualTo("quota_exceeded");
    assertThat(error.path("limit").asLong()).isEqualTo(MAX_PER_USER);
    assertThat(error.path("message").asText()).contains("UPLOAD_MAX_PER_USER=100").contains("UPLOAD_RETENTION_HOURS");
    long retryAfter = error.path("retry_after_seconds").asLong();
    assertThat(retryAfter).isBetween(23 * 3600L, 24 * 3600L);
    assertThat(refused.headers().firstValue("Retry-After")).hasValue(Long.toString(retryAfter));
    assertThat(json(ItUploads.upload(http, "bob", tiny), 201)).as("another user's quota").isNotNull();

    ItUploads.backdate(ids.get(0), Duration.ofHours(25)); // past UPLOAD_RETENTION_HOURS, before the sweep
    json(ItUploads.upload(http, user, tiny), 201);
    json(ItUploads.upload(http, user, tiny), 429);
    ItUploads.removeAsTheSweepDoes(ids.get(1));
    json(ItUploads.upload(http, user, tiny), 201);
  }

  @Test
  void uploadsPastTheBytesQuotaAre413NamingTheLimitAndARemovedUploadFreesItsBytes() throws Exception {
    String user = freshUser();
    byte[] big = SampleImages.pngPadded(64, 64, 900_000);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(json(ItUploads.upload(http, user, big), 201).path("id").asText());
    }

    JsonNode error = json(ItUploads.upload(http, user, big), 413);
    assertThat(error.path("error").asText()).isEqualTo("upload_quota_exceeded");
    assertThat(error.path("limit").asLong()).isEqualTo(MAX_BYTES_PER_USER);
    assertThat(error.path("message").asText()).contains("UPLOAD_MAX_BYTES_PER_USER").contains(3 * big.length + " bytes");
    assertThat(json(ItUploads.upload(http, user, SampleImages.png(8, 8)), 201)).as("a small one still fits").isNotNull();

    ItUploads.removeAsTheSweepDoes(ids.get(0));
    json(ItUploads.upload(http, user, big), 201);
  }

  @Test
  void aSmallPngDeclaring16384x16384Is400NamingItsSize() {
    byte[] bomb = SampleImages.pngDeclaring(16384, 16384, 254 * 1024);
    JsonNode error = json(ItUploads.upload(http, "alice", bomb), 400);
    assertThat(error.path("error").asText()).isEqualTo("too_many_pixels");
    assertThat(error.path("limit").asLong()).isEqualTo(16_777_216);
    assertThat(error.path("message").asText()).contains("16384x16384").contains("UPLOAD_MAX_PIXELS");
  }

  @Test
  void onlyTheImageIsStoredNotTheBytesAfterItsEnd() {
    byte[] png = SampleImages.png(24, 16);
    byte[] jpeg = SampleImages.withExifThumbnail(SampleImages.jpeg(40, 30), SampleImages.jpeg(8, 6));
    for (byte[] image : List.of(png, jpeg, SampleImages.WEBP_LOSSY)) {
      JsonNode upload = json(ItUploads.upload(http, "alice", concat(image, TAIL)), 201);
      assertThat(upload.path("bytes").asLong()).isEqualTo(image.length);
      HttpResponse<byte[]> file = http.getBytes("api/v1/uploads/" + upload.path("id").asText() + "/file", "alice");
      assertThat(file.statusCode()).isEqualTo(200);
      assertThat(file.body()).as(upload.path("content_type").asText() + ": the stored bytes").isEqualTo(image);
    }
  }

  /** A user no other test uploads as, calling with an API key of their own. */
  private String freshUser() {
    String user = "quota-" + UUID.randomUUID().toString().substring(0, 8);
    return "key:" + json(http.send("POST", "api/v1/admin/api-keys", "root",
        "{\"user_id\": \"" + user + "\", \"name\": \"upload limits\"}"), 201).path("key").asText();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
