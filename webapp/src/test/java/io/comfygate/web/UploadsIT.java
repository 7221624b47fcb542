package io.comfygate.web;

import static io.comfygate.web.ItHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Input image uploads in the real Tomcat (UPLOAD_MAX_BYTES=1 MiB in it.env): an upload feeds an
 * img2img job to the end; oversize, non-image and damaged files are refused with a JSON error
 * saying what was wrong; another user's upload cannot be seen or used; its file is served, as its
 * type, to its owner and an admin only.
 */
class UploadsIT extends DeployedWar {
  private static final int LIMIT = 1_048_576;

  @RegisterExtension static final ItComfy comfy = ItComfy.withSteps(1);

  @Test
  void anUploadFeedsAnImg2ImgJobToTheEnd() {
    http.awaitHealthy();
    HttpResponse<String> created = ItUploads.upload(http, "alice", ItUploads.png(72, 40));
    JsonNode upload = json(created, 201);
    String id = upload.path("id").asText();
    assertThat(id).matches("u[0-9a-z]{26}");
    assertThat(upload.path("width").asInt()).isEqualTo(72);
    assertThat(upload.path("height").asInt()).isEqualTo(40);
    assertThat(upload.path("content_type").asText()).isEqualTo("image/png");
    assertThat(upload.path("bytes").asLong()).isEqualTo(ItUploads.png(72, 40).length);
    assertThat(upload.path("created_at").asText()).isNotBlank();
    assertThat(created.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/api/v1/uploads/" + id));
    assertThat(json(http.send("GET", "api/v1/uploads/" + id, "alice", null), 200)).isEqualTo(upload);

    HttpResponse<String> submitted = http.send("POST", "api/v1/jobs", "alice",
        "{\"template\": \"img2img\", \"params\": {\"image\": \"" + id + "\", \"prompt\": \"as a woodcut\", \"denoise\": 0.5, \"steps\": 1}}");
    json(submitted, 202);
    JsonNode done = http.awaitState(http.relative(submitted.headers().firstValue("Location").orElseThrow()), "alice",
        "succeeded", Duration.ofSeconds(30));
    assertThat(done.path("params").path("image").asText()).isEqualTo(id);
    JsonNode image = done.path("images").get(0);
    JsonNode meta = json(http.send("GET", http.relative(image.path("url").asText()).replace("/file", ""), "alice", null), 200);
    assertThat(meta.path("width").asInt()).isEqualTo(72);
    assertThat(meta.path("height").asInt()).isEqualTo(40);
  }

  @Test
  void anOversizeUploadIs413NamingTheLimit() {
    byte[] big = Arrays.copyOf(ItUploads.png(8, 8), LIMIT + 200_000);
    JsonNode error = json(ItUploads.upload(http, "alice", big), 413);
    assertThat(error.path("error").asText()).isEqualTo("payload_too_large");
    assertThat(error.path("message").asText()).contains("1 MiB").contains("1048576 bytes").contains("UPLOAD_MAX_BYTES");
    assertThat(error.path("limit").asInt()).isEqualTo(LIMIT);

    // Without a Content-Length (chunked), the container stops reading at the limit.
    byte[] form = ItUploads.form("image", "big.png", "image/png", Arrays.copyOf(ItUploads.png(8, 8), LIMIT + 100_000));
    HttpResponse<String> chunked = http.post("api/v1/uploads", "alice",
        HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(form)), ItUploads.MULTIPART);
    assertThat(json(chunked, 413).path("error").asText()).isEqualTo("payload_too_large");
  }

  @Test
  void aFileThatIsNotAnImageIs415AndADamagedImage400() {
    JsonNode text = json(ItUploads.upload(http, "alice", "hello, I am cat.png".getBytes(StandardCharsets.UTF_8)), 415);
    assertThat(text.path("error").asText()).isEqualTo("unsupported_media_type");
    assertThat(text.path("message").asText()).contains("not a PNG, JPEG or WebP image");

    byte[] png = ItUploads.png(30, 30);
    JsonNode truncated = json(ItUploads.upload(http, "alice", Arrays.copyOf(png, png.length - 12)), 400);
    assertThat(truncated.path("error").asText()).isEqualTo("invalid_image");
    assertThat(truncated.path("message").asText()).contains("PNG is truncated");

    JsonNode noField = json(http.post("api/v1/uploads", "alice",
        HttpRequest.BodyPublishers.ofByteArray(ItUploads.form("file", "x.png", "image/png", png)), ItUploads.MULTIPART), 400);
    assertThat(noField.path("message").asText()).contains("\"image\"");
    JsonNode notMultipart = json(http.send("POST", "api/v1/uploads", "alice", "{}"), 400);
    assertThat(notMultipart.path("message").asText()).contains("multipart/form-data");
  }

  @Test
  void anotherUsersUploadCannotBeSeenOrUsedAndAnonymousCannotUpload() {
    http.awaitHealthy();
    String id = json(ItUploads.upload(http, "alice", ItUploads.png(16, 16)), 201).path("id").asText();

    assertThat(json(http.send("GET", "api/v1/uploads/" + id, "bob", null), 404).path("error").asText()).isEqualTo("not_found");
    assertThat(json(http.send("GET", "api/v1/uploads/" + id, "root", null), 200).path("id").asText()).isEqualTo(id);
    JsonNode refused = json(http.send("POST", "api/v1/jobs", "bob",
        "{\"template\": \"img2img\", \"params\": {\"image\": \"" + id + "\", \"prompt\": \"mine now\"}}"), 400);
    assertThat(refused.path("error").asText()).isEqualTo("invalid_params");
    assertThat(refused.path("problems").get(0).path("field").asText()).isEqualTo("image");
    assertThat(refused.path("problems").get(0).path("reason").asText()).contains(id);
    assertThat(json(http.send("GET", "api/v1/uploads/not-an-id", "alice", null), 404).path("error").asText())
        .isEqualTo("not_found");

    assertThat(json(ItUploads.upload(http, null, ItUploads.png(16, 16)), 401).path("error").asText()).isEqualTo("unauthorized");
  }

  @Test
  void theFileIsServedAsItsTypeToItsOwnerAndAnAdminOnly() {
    http.awaitHealthy();
    byte[] png = ItUploads.png(30, 20);
    String id = json(ItUploads.upload(http, "alice", png), 201).path("id").asText();

    for (String caller : List.of("alice", "root")) {
      HttpResponse<byte[]> file = http.getBytes("api/v1/uploads/" + id + "/file", caller);
      assertThat(file.statusCode()).as(caller).isEqualTo(200);
      assertThat(file.headers().firstValue("Content-Type")).as(caller).hasValue("image/png");
      assertThat(file.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
      assertThat(file.body()).as(caller + ": the uploaded bytes").isEqualTo(png);
    }
    assertThat(json(http.send("GET", "api/v1/uploads/" + id + "/file", "bob", null), 404).path("error").asText())
        .isEqualTo("not_found");
    assertThat(json(http.send("GET", "api/v1/uploads/not-an-id/file", "alice", null), 404).path("error").asText())
        .isEqualTo("not_found");
  }
}
