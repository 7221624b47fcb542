package io.comfygate.web.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.auth.IssuedKey;
import io.comfygate.config.Settings;
import io.comfygate.engine.SubmitOptions;
import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.store.PageRequest;
import io.comfygate.testkit.WebhookReceiver;
import io.comfygate.web.AppServices;
import io.comfygate.webhooks.DeliveryState;
import io.comfygate.webhooks.WebhookTarget;
import io.comfygate.webhooks.Webhooks;
import jakarta.ws.rs.core.Application;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.glassfish.jersey.test.TestProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * /v1/admin/webhooks in memory, paged like every list, on the engine with a real outbox: five jobs
 * whose receiver (on 127.0.0.1, allowed) answers, so their fifteen events are delivered, and three
 * whose receiver is on 127.0.0.2 (loopback, not allowed), so their nine events fail at once;
 * twenty-four events in all, more than one page of the default size.
 */
class AdminWebhooksResourceTest extends ResourceTestBase {
  private static final WebhookReceiver receiver = new WebhookReceiver();
  private static final int EVENTS = 24;
  private static Webhooks webhooks;
  /** In submission order: the five answered ones, then the three refused ones. */
  private static final List<String> jobs = new ArrayList<>();

  @BeforeAll
  static void runJobsWithWebhooks() {
    receiver.start();
    engine.close(); // the base's engine has no outbox: this one, on the same database, has
    webhooks = Webhooks.builder(database).allowedHosts(List.of("127.0.0.1")).timeout(Duration.ofSeconds(2)).build();
    engine = engineBuilder().webhooks(webhooks).build();
    IssuedKey key = apiKeys.issue("hooked", "paging", false);
    URI refused = URI.create("http://127.0.0.2:9/hook");
    for (int i = 0; i < 8; i++) {
      WebhookTarget target = new WebhookTarget(i < 5 ? receiver.url() : refused, key.key().id());
      JobId id = engine.submit("hooked" + i, null, read(small("hook " + i)), SubmitOptions.none().withWebhook(target))
          .job().id();
      assertThat(engine.await(id, WAIT).state()).isEqualTo(JobState.SUCCEEDED);
      jobs.add(id.value());
    }
    waitUntil("every event settled", () -> webhooks.deliveries(null, null, new PageRequest(1, 100))
        .items().stream().filter(d -> d.state() != DeliveryState.PENDING).count() == EVENTS);
  }

  @AfterAll
  static void closeWebhooks() {
    engine.close(); // before the outbox it writes to; the base's close again does nothing
    webhooks.close();
    receiver.close();
  }

  @Override
  protected Application configure() {
    forceSet(TestProperties.CONTAINER_PORT, "0");
    return application(new AppServices(Settings.defaults(), engine, apiKeys, webhooks));
  }

  @Test
  void deliveriesArePagedNewestFirstWithTheTotal() {
    JsonNode first = json(get(ADMIN, "v1/admin/webhooks"), 200);
    assertThat(first.path("total").asLong()).isEqualTo(EVENTS);
    assertThat(first.path("page").asInt()).isEqualTo(1);
    assertThat(first.path("size").asInt()).as("the default size").isEqualTo(20);
    assertThat(first.path("total_pages").asLong()).isEqualTo(2);
    assertThat(first.path("items")).hasSize(20);
    JsonNode second = json(get(ADMIN, "v1/admin/webhooks?page=2"), 200);
    assertThat(second.path("items")).hasSize(4);
    assertThat(json(get(ADMIN, "v1/admin/webhooks?page=3"), 200).path("items")).isEmpty();

    List<String> jobsNewestFirst = new ArrayList<>();
    first.path("items").forEach(d -> jobsNewestFirst.add(d.path("job_id").asText()));
    second.path("items").forEach(d -> jobsNewestFirst.add(d.path("job_id").asText()));
    // each job's three events are recorded before the next job is submitted
    List<String> expected = new ArrayList<>();
    for (int i = jobs.size() - 1; i >= 0; i--) {
      expected.addAll(List.of(jobs.get(i), jobs.get(i), jobs.get(i)));
    }
    assertThat(jobsNewestFirst).containsExactlyElementsOf(expected);
    assertThat(first.path("items").get(0).path("type").asText()).isEqualTo("job.succeeded");
    assertThat(second.path("items").get(3).path("type").asText()).isEqualTo("job.queued");

    JsonNode small = json(get(ADMIN, "v1/admin/webhooks?size=5&page=5"), 200);
    assertThat(small.path("items")).hasSize(4);
    assertThat(small.path("total_pages").asLong()).isEqualTo(5);
  }

  @Test
  void filtersNarrowTheItemsAndTheTotal() {
    assertThat(total("state=delivered")).isEqualTo(15);
    assertThat(total("state=failed")).isEqualTo(9);
    assertThat(total("state=pending")).isZero();
    String refused = jobs.get(6);
    assertThat(total("job_id=" + refused)).isEqualTo(3);
    assertThat(total("state=failed&job_id=" + refused)).isEqualTo(3);
    assertThat(total("state=delivered&job_id=" + refused)).isZero();
    assertThat(total("job_id=j-no-such-job")).isZero();
    JsonNode failed = json(get(ADMIN, "v1/admin/webhooks?state=failed&size=2&page=2"), 200);
    assertThat(failed.path("items")).hasSize(2).allSatisfy(d -> assertThat(d.path("state").asText()).isEqualTo("failed"));
    assertThat(failed.path("total_pages").asLong()).isEqualTo(5);
  }

  @Test
  void badValuesAre400NamingTheParameterAndChangeNothing() {
    JsonNode before = json(get(ADMIN, "v1/admin/webhooks?size=100"), 200);

    badParameter(get(ADMIN, "v1/admin/webhooks?state=lost"), "state");
    assertPagingChecked(ADMIN, "v1/admin/webhooks");
    assertPagingChecked(ADMIN, "v1/admin/webhooks?state=failed");
    // the former cap is refused, not ignored: an old caller would otherwise get 20 where it asked 1000
    assertThat(badParameter(get(ADMIN, "v1/admin/webhooks?limit=1000"), "limit").path("message").asText())
        .contains("page").contains("size");

    assertThat(json(get(ADMIN, "v1/admin/webhooks?size=100"), 200)).isEqualTo(before);
    error(get(ALICE, "v1/admin/webhooks"), 403, "forbidden");
  }

  @Test
  void aListedEventCanBeSentAgain() {
    JsonNode delivered = json(get(ADMIN, "v1/admin/webhooks?state=delivered&job_id=" + jobs.get(0)), 200)
        .path("items").get(0);
    String eventId = delivered.path("event_id").asText();
    int hits = receiver.hits(jobs.get(0)).size();

    JsonNode again = json(post(ADMIN, "v1/admin/webhooks/" + eventId + "/redeliver", null), 200);

    assertThat(again.path("event_id").asText()).isEqualTo(eventId);
    waitUntil("the repeat", () -> receiver.hits(jobs.get(0)).size() == hits + 1);
    // settled again before the next test counts the states
    waitUntil("the outcome recorded", () -> webhooks.delivery(eventId).orElseThrow().state() == DeliveryState.DELIVERED);
    error(post(ADMIN, "v1/admin/webhooks/e-none/redeliver", null), 404, "not_found");
  }

  private long total(String query) {
    return json(get(ADMIN, "v1/admin/webhooks?" + query), 200).path("total").asLong();
  }
}
