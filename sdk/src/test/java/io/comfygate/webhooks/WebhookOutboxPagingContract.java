package io.comfygate.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.jobs.JobId;
import io.comfygate.store.Page;
import io.comfygate.store.PageRequest;
import io.comfygate.store.StoreContractSupport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The admin's paged list of webhook events on a real SQLite file: every filter (none, state, job,
 * both) with several page sizes, compared against the whole list filtered in Java; the total counts
 * what the filters match; newest first is the recording order, stable although every event here
 * has the same timestamp, and a redelivery keeps its place.
 */
public abstract class WebhookOutboxPagingContract {
  private static final Instant AT = Instant.parse("2026-11-26T10:00:00Z");

  /** The database and folder under test: fresh for each test. */
  protected abstract StoreContractSupport.Stores store();

  private WebhookOutboxFixture fixture;
  private final List<JobId> jobs = new ArrayList<>();

  /**
   * Five jobs, each queued then running (ten events, all at {@link #AT}): the queued events of the
   * first four delivered, the fifth's failed, the running ones pending.
   */
  @BeforeEach
  void recordEvents() {
    fixture = new WebhookOutboxFixture(store().db(), AT);
    for (int i = 0; i < 5; i++) {
      jobs.add(fixture.queued("u" + i));
    }
    jobs.forEach(fixture::running);
    for (int i = 0; i < 5; i++) {
      fixture.settleHead(jobs.get(i), i < 4 ? DeliveryState.DELIVERED : DeliveryState.FAILED);
    }
  }

  @Test
  void theWholeListIsNewestRecordedFirst() {
    Page<Delivery> all = fixture.outbox.page(null, null, new PageRequest(1, 100));

    List<String> expected = new ArrayList<>();
    for (int i = 4; i >= 0; i--) {
      expected.add(jobs.get(i).value() + " job.running pending");
    }
    for (int i = 4; i >= 0; i--) {
      expected.add(jobs.get(i).value() + " job.queued " + (i < 4 ? "delivered" : "failed"));
    }
    assertThat(all.items()).extracting(d -> d.jobId() + " " + d.type() + " " + d.state().wireName())
        .containsExactlyElementsOf(expected);
    assertThat(all.items()).extracting(Delivery::createdAt).containsOnly(AT);
    assertThat(all.total()).isEqualTo(10);
  }

  @Test
  void everyFilterPagesThroughExactlyWhatItMatchesWithItsTotal() {
    List<Delivery> all = fixture.outbox.page(null, null, new PageRequest(1, 100)).items();
    String second = jobs.get(1).value();
    String fifth = jobs.get(4).value();
    List<Filter> filters = new ArrayList<>();
    filters.add(new Filter(null, null));
    Arrays.stream(DeliveryState.values()).forEach(s -> filters.add(new Filter(s, null)));
    Stream.of(second, fifth, "j-none").forEach(j -> {
      filters.add(new Filter(null, j));
      Arrays.stream(DeliveryState.values()).forEach(s -> filters.add(new Filter(s, j)));
    });

    for (Filter filter : filters) {
      List<String> expected = all.stream().filter(filter).map(Delivery::eventId).toList();
      for (int size : List.of(1, 3, 4, 10, 11)) {
        List<String> seen = new ArrayList<>();
        long pages = (expected.size() + size - 1) / size;
        for (int p = 1; p <= pages + 1; p++) {
          Page<Delivery> page = fixture.outbox.page(filter.state(), filter.jobId(), new PageRequest(p, size));
          assertThat(page.total()).as("%s total", filter).isEqualTo(expected.size());
          assertThat(page.page()).isEqualTo(p);
          assertThat(page.size()).isEqualTo(size);
          assertThat(page.items().size()).as("%s page %d of size %d", filter, p, size)
              .isEqualTo(p <= pages ? Math.min(size, expected.size() - (p - 1) * size) : 0);
          page.items().forEach(d -> seen.add(d.eventId()));
        }
        assertThat(seen).as("%s in pages of %d", filter, size).containsExactlyElementsOf(expected);
      }
    }
    // the counts themselves, not only agreement with the whole list
    assertThat(fixture.outbox.page(DeliveryState.DELIVERED, null, new PageRequest(1, 2)).total()).isEqualTo(4);
    assertThat(fixture.outbox.page(DeliveryState.PENDING, null, new PageRequest(1, 2)).total()).isEqualTo(5);
    assertThat(fixture.outbox.page(DeliveryState.FAILED, fifth, new PageRequest(1, 2)).total()).isEqualTo(1);
    assertThat(fixture.outbox.page(null, second, new PageRequest(1, 2)).total()).isEqualTo(2);
  }

  @Test
  void aRedeliveredEventKeepsItsPlace() {
    List<String> before = ids(fixture.outbox.page(null, null, new PageRequest(1, 100)));
    Delivery failed = fixture.outbox.page(DeliveryState.FAILED, null, new PageRequest(1, 1)).items().get(0);

    assertThat(fixture.outbox.redeliver(failed.eventId(), AT.plusSeconds(60))).isTrue();

    assertThat(ids(fixture.outbox.page(null, null, new PageRequest(1, 100)))).containsExactlyElementsOf(before);
    assertThat(fixture.outbox.page(DeliveryState.FAILED, null, new PageRequest(1, 10)).total()).isZero();
    assertThat(fixture.outbox.page(DeliveryState.PENDING, null, new PageRequest(1, 10)).total()).isEqualTo(6);
  }

  @Test
  void aRedeliveredEventKeepsTheTimeItHappenedAndGetsAFreshRetryWindow() {
    Delivery failed = fixture.outbox.page(DeliveryState.FAILED, null, new PageRequest(1, 1)).items().get(0);
    Instant resent = AT.plus(Duration.ofDays(2)); // long after a retry window that began at AT

    assertThat(fixture.outbox.redeliver(failed.eventId(), resent)).isTrue();

    Delivery again = fixture.outbox.find(failed.eventId()).orElseThrow();
    assertThat(again.createdAt()).as("when the event happened").isEqualTo(AT);
    assertThat(again.state()).isEqualTo(DeliveryState.PENDING);
    WebhookOutbox.Pending due = fixture.outbox.due(resent, 100).stream().filter(p -> p.eventId().equals(failed.eventId()))
        .findFirst().orElseThrow();
    assertThat(due.retryFrom()).as("where the new round's retry window starts").isEqualTo(resent);
    assertThat(due.attempts()).isZero();
  }

  private static List<String> ids(Page<Delivery> page) {
    return page.items().stream().map(Delivery::eventId).toList();
  }

  private record Filter(DeliveryState state, String jobId) implements Predicate<Delivery> {
    @Override
    public boolean test(Delivery d) {
      return (state == null || d.state() == state) && (jobId == null || d.jobId().equals(jobId));
    }
  }
}
