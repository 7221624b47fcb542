package io.comfygate.web.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.store.StoredImage;
import jakarta.ws.rs.core.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * /v1/images and /v1/admin (images, purge, queue, status, API keys) in memory, on a gallery of
 * five real images made through the fake: a batch of four and one more, all of ivy's.
 */
class ImagesResourceTest extends ResourceTestBase {
  private static final String IVY = "ivy;user";
  private static final String JACK = "jack;user";
  private static final List<String> ivysImages = new ArrayList<>();

  @BeforeAll
  static void makeImages() {
    for (String params : List.of("{\"prompt\": \"four\", \"width\": 64, \"height\": 64, \"steps\": 2, \"batch_size\": 4}",
        small("one more"))) {
      JobId id = engine.submit("ivy", null, read(params)).id();
      assertThat(engine.await(id, WAIT).state()).isEqualTo(JobState.SUCCEEDED);
      engine.images().listByJob(id).forEach(i -> ivysImages.add(i.id().value()));
    }
    assertThat(ivysImages).hasSize(5);
  }

  @Test
  void theGalleryIsTheOwnersNewestFirstPagedWithTotals() {
    JsonNode all = json(get(IVY, "v1/images"), 200);
    assertThat(all.path("total").asLong()).isEqualTo(5);
    assertThat(all.path("size").asInt()).isEqualTo(20);
    List<String> created = all.path("items").findValuesAsText("created_at");
    assertThat(created).isSortedAccordingTo((a, b) -> Instant.parse(b).compareTo(Instant.parse(a)));

    JsonNode first = json(get(IVY, "v1/images?size=2"), 200);
    assertThat(first.path("items")).hasSize(2);
    assertThat(first.path("total").asLong()).isEqualTo(5);
    assertThat(first.path("total_pages").asLong()).isEqualTo(3);
    assertThat(json(get(IVY, "v1/images?size=2&page=3"), 200).path("items")).hasSize(1);
    assertThat(json(get(IVY, "v1/images?size=2&page=4"), 200).path("items")).isEmpty();
    assertThat(json(get(JACK, "v1/images"), 200).path("total").asLong()).as("jack's gallery").isZero();
  }

  @Test
  void badGalleryParametersAre400NamingThem() {
    assertPagingChecked(IVY, "v1/images");
    badParameter(get(IVY, "v1/images?include=x"), "include");
    assertPagingChecked(ADMIN, "v1/admin/images");
    badParameter(get(ADMIN, "v1/admin/images?include=x"), "include");
    badParameter(get(ADMIN, "v1/admin/images?from_date=yesterday"), "from_date");
    badParameter(get(ADMIN, "v1/admin/images?to_date=2026-13-01"), "to_date");
    badParameter(get(ADMIN, "v1/admin/images?from_date=2026-11-02&to_date=2026-11-01"), "to_date");
  }

  @Test
  void anImageAndItsFileAreTheOwnersAndAdminsOnly() throws Exception {
    String id = ivysImages.get(0);
    JsonNode image = json(get(IVY, "v1/images/" + id), 200);
    assertThat(image.path("user_id").asText()).isEqualTo("ivy");
    assertThat(image.path("width").asInt()).isEqualTo(64);
    Response file = get(IVY, "v1/images/" + id + "/file");
    assertThat(file.getStatus()).isEqualTo(200);
    assertThat(file.getMediaType().toString()).isEqualTo("image/png");
    assertThat(file.readEntity(byte[].class)).startsWith(0x89, 'P', 'N', 'G');
    assertThat(get(ADMIN, "v1/images/" + id + "/file").getStatus()).isEqualTo(200);

    error(get(JACK, "v1/images/" + id), 404, "not_found");
    error(get(JACK, "v1/images/" + id + "/file"), 404, "not_found");
    error(post(JACK, "v1/images/" + id + "/delete", null), 404, "not_found");
    error(post(JACK, "v1/images/" + id + "/restore", null), 404, "not_found");
    String unknown = id.substring(0, id.length() - 4) + (id.endsWith("0000") ? "1111" : "0000");
    error(get(IVY, "v1/images/" + unknown), 404, "not_found");
    error(get(IVY, "v1/images/..%2F..%2Fetc%2Fpasswd/file"), 404, "not_found");
    error(get(IVY, "v1/images/not-an-id"), 404, "not_found");
  }

  @Test
  void softDeleteRestoreAndPurge() throws Exception {
    String kept = ivysImages.get(1);
    JsonNode deleted = json(post(IVY, "v1/images/" + kept + "/delete", null), 200);
    assertThat(deleted.path("deleted").asBoolean()).isTrue();
    assertThat(json(get(IVY, "v1/images"), 200).path("total").asLong()).isEqualTo(4);
    assertThat(json(get(IVY, "v1/images?include=deleted"), 200).path("items").findValuesAsText("id")).containsExactly(kept);
    assertThat(json(get(ADMIN, "v1/admin/images?include=deleted&user_id=ivy"), 200).path("total").asLong()).isEqualTo(1);
    assertThat(json(get(ADMIN, "v1/admin/images?include=all&user_id=ivy"), 200).path("total").asLong()).isEqualTo(5);
    JsonNode restored = json(post(IVY, "v1/images/" + kept + "/restore", null), 200);
    assertThat(restored.path("deleted").asBoolean()).isFalse();
    assertThat(json(get(IVY, "v1/images"), 200).path("total").asLong()).isEqualTo(5);

    JobId uma = engine.submit("uma", null, read(small("to be purged"))).id();
    engine.await(uma, WAIT);
    StoredImage image = engine.images().listByJob(uma).get(0);
    String purged = image.id().value();
    Path file = engine.outputDir().resolve(image.file());
    assertThat(file).exists();
    json(post("uma;user", "v1/images/" + purged + "/delete", null), 200);
    error(post(IVY, "v1/admin/purge-trash", null), 403, "forbidden");
    JsonNode purge = json(post(ADMIN, "v1/admin/purge-trash", null), 200);
    assertThat(purge.path("purged").asInt()).isEqualTo(1);
    assertThat(purge.path("bytes_freed").asLong()).isPositive();
    assertThat(Files.exists(file)).as("the file is gone").isFalse();
    error(get("uma;user", "v1/images/" + purged), 404, "not_found");
    error(get(ADMIN, "v1/images/" + purged), 404, "not_found");
    assertThat(json(get(ADMIN, "v1/admin/images?include=deleted"), 200).path("total").asLong()).isZero();
  }

  @Test
  void adminImagesFilterByUserAndDate() {
    String today = LocalDate.now(ZoneOffset.UTC).toString();
    String tomorrow = LocalDate.now(ZoneOffset.UTC).plusDays(1).toString();
    long ivys = json(get(ADMIN, "v1/admin/images?user_id=ivy"), 200).path("total").asLong();
    assertThat(ivys).isEqualTo(5);
    assertThat(json(get(ADMIN, "v1/admin/images?user_id=ivy&from_date=" + today + "&to_date=" + tomorrow), 200)
        .path("total").asLong()).isEqualTo(ivys);
    assertThat(json(get(ADMIN, "v1/admin/images?from_date=" + tomorrow), 200).path("total").asLong()).isZero();
    assertThat(json(get(ADMIN, "v1/admin/images?to_date=" + today), 200).path("total").asLong()).as("to_date is exclusive").isZero();
    assertThat(json(get(ADMIN, "v1/admin/images?user_id=jack"), 200).path("total").asLong()).isZero();
    error(get(IVY, "v1/admin/images"), 403, "forbidden");
  }

  @Test
  void adminStatusQueueAndCancel() {
    JsonNode status = json(get(ADMIN, "v1/admin/status"), 200);
    assertThat(status.path("status").asText()).isEqualTo("OK");
    assertThat(status.path("checks").findValuesAsText("name")).anyMatch(n -> n.startsWith("comfyui:"));
    JsonNode cluster = status.path("cluster"); // SQLite: this instance alone, always the dispatcher
    assertThat(cluster.path("shared").asBoolean()).isFalse();
    assertThat(cluster.path("instances")).hasSize(1);
    assertThat(cluster.path("instances").get(0).path("role").asText()).isEqualTo("dispatcher");
    assertThat(cluster.path("instances").get(0).path("self").asBoolean()).isTrue();
    assertThat(cluster.path("dispatcher").asText()).isEqualTo(cluster.path("self").asText())
        .isEqualTo(cluster.path("instances").get(0).path("id").asText());
    JsonNode queue = json(get(ADMIN, "v1/admin/queue"), 200);
    assertThat(queue.path("backends")).hasSize(1);
    assertThat(queue.path("backends").get(0).path("healthy").asBoolean()).isTrue();
    error(post(ADMIN, "v1/admin/queue/not-a-job/cancel", null), 404, "not_found");
    error(get(IVY, "v1/admin/status"), 403, "forbidden");
  }

  @Test
  void apiKeysAreIssuedOnceListedWithoutSecretsAndRevoked() {
    JsonNode issued = json(post(ADMIN, "v1/admin/api-keys", "{\"user_id\": \"farm\", \"name\": \"nightly\"}"), 201);
    String secret = issued.path("key").asText();
    String id = issued.path("api_key").path("id").asText();
    assertThat(secret).isNotBlank();
    assertThat(apiKeys.authenticate(secret)).hasValueSatisfying(k -> assertThat(k.userId()).isEqualTo("farm"));
    String list = json(get(ADMIN, "v1/admin/api-keys"), 200).toString();
    assertThat(list).contains(id).doesNotContain(secret);

    assertThat(json(post(ADMIN, "v1/admin/api-keys/" + id + "/revoke", null), 200).path("revoked").asBoolean()).isTrue();
    assertThat(apiKeys.authenticate(secret)).isEmpty();
    error(post(ADMIN, "v1/admin/api-keys/no-such-key/revoke", null), 404, "not_found");
    badParameter(post(ADMIN, "v1/admin/api-keys", "{\"name\": \"nightly\"}"), "user_id");
    badParameter(post(ADMIN, "v1/admin/api-keys", null), "body");
    error(post(ADMIN, "v1/admin/api-keys", "{\"user_id\": \"farm\", \"scope\": \"all\"}"), 400, "bad_request");
    error(post(IVY, "v1/admin/api-keys", "{\"user_id\": \"ivy\", \"name\": \"mine\"}"), 403, "forbidden");
  }
}
