package io.comfygate.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.auth.ApiKey;
import io.comfygate.jobs.JobId;
import io.comfygate.store.jdbc.Database;
import io.comfygate.webhooks.Delivery;
import io.comfygate.webhooks.DeliveryState;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The webhook outbox on a real database (a SQLite file or a PostgreSQL schema).
 *
 * <p>The admin's paged list: every filter (none, state, job, both) with several page sizes,
 * compared against the whole list filtered in Java; the total counts what the filters match; newest
 * first is the recording order, stable although every event here has the same timestamp, and a
 * redelivery keeps its place.
 *
 * <p>Claims, as two instances make them: two stores on two {@link Database}s of the same data (as
 * two processes open it). Only each job's oldest pending event is claimed, by one claimer, never
 * while another event of the job is claimed; an attempt is recorded only under the claim; a claim
 * whose lease ran out is taken over; two claimers racing never get the same event.
 */
public abstract class WebhookStoreContract {
  private static final Instant AT = Instant.parse("2026-11-26T10:00:00Z");
  private static final Duration LEASE = Duration.ofMinutes(1);

  /** The database and folder under test: fresh for each test. */
  protected abstract StoreContractSupport.Stores store();

  /** The store under test on {@code db}. */
  protected abstract WebhookStore webhookStore(Database db);

  private WebhookStoreFixture fixture;
  private final List<JobId> jobs = new ArrayList<>();
  /** A second instance's view: another store on another Database of the same data. */
  private Database otherDb;
  private WebhookStore other;

  /**
   * Five jobs, each queued then running (ten events, all at {@link #AT}): the queued events of the
   * first four delivered, the fifth's failed, the running ones pending.
   */
  @BeforeEach
  void recordEvents() {
    fixture = new WebhookStoreFixture(store().db(), webhookStore(store().db()), AT);
    otherDb = store().open();
    other = webhookStore(otherDb);
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
    ClaimedEvent due = fixture.outbox.claimDue("a", resent, LEASE, 100).stream()
        .filter(p -> p.eventId().equals(failed.eventId())).findFirst().orElseThrow();
    assertThat(due.retryFrom()).as("where the new round's retry window starts").isEqualTo(resent);
    assertThat(due.attempts()).isZero();
  }

  @AfterEach
  void closeOther() {
    if (otherDb != null) {
      otherDb.close();
    }
  }

  @Test
  void eachEventIsRenderedFromTheJobAsItsChangeLeftItAndAJobWithoutReceiverRecordsNone() {
    JobId plain = fixture.unsubscribed("u9");
    fixture.running(plain);

    assertThat(fixture.rendered).hasSize(10).allSatisfy(line -> assertThat(line).doesNotContain(plain.value()));
    String first = jobs.get(0).value();
    assertThat(fixture.rendered).filteredOn(line -> line.contains(first))
        .extracting(line -> line.substring(line.indexOf(' ') + 1))
        .containsExactly("job.queued " + first + " queued 0", "job.running " + first + " running 0");
    assertThat(fixture.outbox.page(null, plain.value(), new PageRequest(1, 10)).total()).isZero();
    ClaimedEvent head = fixture.outbox.claimDue("a", AT, LEASE, 100).stream()
        .filter(e -> e.jobId().equals(first)).findFirst().orElseThrow();
    assertThat(head.payload()).contains(head.eventId() + " job.running " + first + " running 0");
    assertThat(head.url()).isEqualTo(WebhookStoreFixture.TARGET.url());
    assertThat(head.keyId()).isEqualTo(WebhookStoreFixture.TARGET.keyId());
  }

  @Test
  void onlyEachJobsOldestPendingEventIsClaimedAndByOneInstanceOnly() {
    JobId job = fixture.queued("x");
    fixture.running(job); // two pending events: queued, then running

    List<ClaimedEvent> mine = fixture.outbox.claimDue("a", AT, LEASE, 100);

    assertThat(mine).extracting(ClaimedEvent::jobId).doesNotHaveDuplicates().hasSize(6)
        .contains(job.value());
    assertThat(mine).filteredOn(e -> e.jobId().equals(job.value())).extracting(ClaimedEvent::type)
        .containsExactly("job.queued");
    assertThat(other.claimDue("b", AT, LEASE, 100)).as("all heads claimed by a").isEmpty();

    ClaimedEvent queued = only(mine, job);
    assertThat(fixture.outbox.attempted(queued.seq(), "a", DeliveryState.DELIVERED, 1, 204, null, AT, null)).isTrue();
    List<ClaimedEvent> theirs = other.claimDue("b", AT, LEASE, 100);
    assertThat(theirs).as("the job's next event, now that the first is delivered").singleElement()
        .satisfies(e -> assertThat(e.type()).isEqualTo("job.running"));
    assertThat(fixture.outbox.attempted(theirs.get(0).seq(), "a", DeliveryState.DELIVERED, 1, 204, null, AT, null))
        .as("a does not hold b's claim").isFalse();
    assertThat(fixture.outbox.find(theirs.get(0).eventId()).orElseThrow())
        .extracting(Delivery::state, Delivery::attempts).containsExactly(DeliveryState.PENDING, 0);
  }

  @Test
  void aClaimWhoseLeaseRanOutIsTakenOverAndItsOldOwnerCanNoLongerRecord() {
    Duration lease = Duration.ofSeconds(30);
    List<ClaimedEvent> mine = fixture.outbox.claimDue("a", AT, lease, 100);
    assertThat(mine).hasSize(5);

    assertThat(other.claimDue("b", AT.plus(lease).minusMillis(1), lease, 100)).isEmpty();
    List<ClaimedEvent> taken = other.claimDue("b", AT.plus(lease), lease, 100);

    assertThat(taken).extracting(ClaimedEvent::seq).containsExactlyInAnyOrderElementsOf(
        mine.stream().map(ClaimedEvent::seq).toList());
    ClaimedEvent event = mine.get(0);
    assertThat(fixture.outbox.attempted(event.seq(), "a", DeliveryState.DELIVERED, 1, 204, null, AT, null)).isFalse();
    assertThat(other.attempted(event.seq(), "b", DeliveryState.DELIVERED, 1, 204, null, AT.plus(lease), null)).isTrue();
    assertThat(fixture.outbox.find(event.eventId()).orElseThrow())
        .extracting(Delivery::state, Delivery::deliveredAt).containsExactly(DeliveryState.DELIVERED, AT.plus(lease));
    assertThat(other.attempted(event.seq(), "b", DeliveryState.DELIVERED, 2, 204, null, AT, null))
        .as("recorded once: the attempt ended the claim").isFalse();
  }

  @Test
  void aReleasedClaimIsFreeAtOnce() {
    List<ClaimedEvent> mine = fixture.outbox.claimDue("a", AT, LEASE, 2);
    assertThat(mine).hasSize(2);

    assertThat(fixture.outbox.release(mine.get(0).seq(), "a")).isTrue();
    assertThat(fixture.outbox.release(mine.get(0).seq(), "a")).as("released already").isFalse();
    assertThat(other.claimDue("b", AT, LEASE, 100)).hasSize(4).extracting(ClaimedEvent::seq)
        .contains(mine.get(0).seq()).doesNotContain(mine.get(1).seq());

    assertThat(fixture.outbox.releaseAll("a")).as("what a restarted a gives back").isEqualTo(1);
    assertThat(other.releaseAll("b")).isEqualTo(4);
    assertThat(other.claimDue("b", AT, LEASE, 100)).hasSize(5);
  }

  @Test
  void anEarlierEventMadePendingAgainWaitsWhileALaterOneOfItsJobIsClaimed() {
    JobId job = jobs.get(0); // queued delivered, running pending
    ClaimedEvent running = only(fixture.outbox.claimDue("a", AT, LEASE, 100), job);
    Delivery queued = fixture.outbox.page(DeliveryState.DELIVERED, job.value(), new PageRequest(1, 1)).items().get(0);

    assertThat(fixture.outbox.redeliver(queued.eventId(), AT)).isTrue(); // now the job's oldest pending event

    assertThat(other.claimDue("b", AT, LEASE, 100)).as("the job has an event in flight").isEmpty();
    fixture.outbox.attempted(running.seq(), "a", DeliveryState.DELIVERED, 1, 204, null, AT, null);
    assertThat(other.claimDue("b", AT, LEASE, 100)).extracting(ClaimedEvent::eventId).contains(queued.eventId());
  }

  @Test
  void aRetryIsClaimedOnlyOnceDueAndNextDueSaysWhen() {
    List<ClaimedEvent> heads = fixture.outbox.claimDue("a", AT, LEASE, 100);
    assertThat(fixture.outbox.nextDue(AT)).as("every pending event claimed: when the claims end").contains(AT.plus(LEASE));
    ClaimedEvent retried = heads.get(0);
    for (ClaimedEvent head : heads.subList(1, heads.size())) {
      fixture.outbox.attempted(head.seq(), "a", DeliveryState.DELIVERED, 1, 204, null, AT, null);
    }
    Instant next = AT.plusSeconds(10);
    assertThat(fixture.outbox.attempted(retried.seq(), "a", DeliveryState.PENDING, 1, 503, "HTTP 503", AT, next)).isTrue();

    assertThat(fixture.outbox.nextDue(AT)).contains(next);
    assertThat(other.claimDue("b", next.minusMillis(1), LEASE, 100)).isEmpty();
    assertThat(other.claimDue("b", next, LEASE, 100)).singleElement().satisfies(e -> {
      assertThat(e.seq()).isEqualTo(retried.seq());
      assertThat(e.attempts()).isEqualTo(1);
    });
    other.attempted(retried.seq(), "b", DeliveryState.FAILED, 2, 503, "HTTP 503", next, null);
    assertThat(fixture.outbox.nextDue(next)).isEmpty();
  }

  @Test
  void twoInstancesClaimingAtOnceNeverGetTheSameEvent() throws Exception {
    for (int i = 0; i < 60; i++) {
      fixture.queued("r" + i);
    }
    int pending = 65;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<Long>>> sent = List.of(
          pool.submit(() -> sendAll(fixture.outbox, "a", start)), pool.submit(() -> sendAll(other, "b", start)));
      start.countDown();
      List<Long> all = new ArrayList<>();
      for (Future<List<Long>> f : sent) {
        all.addAll(f.get(60, TimeUnit.SECONDS));
      }
      assertThat(all).doesNotHaveDuplicates().hasSize(pending);
      assertThat(fixture.outbox.page(DeliveryState.PENDING, null, new PageRequest(1, 1)).total()).isZero();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aKeysSecretSignsOnlyUntilItIsRevokedAndItsDefaultUrlIsRead() {
    ApiKeyStore keys = store().db().apiKeys();
    keys.insert(new ApiKey("k1", "alice", "farm", false, AT, null, null, "https://hooks.example.com/a"), "h1", "whsec_1");
    keys.insert(new ApiKey("k2", "bob", "farm", false, AT, null, null, null), "h2", "whsec_2");

    assertThat(fixture.outbox.signingSecret("k1")).contains("whsec_1");
    assertThat(fixture.outbox.defaultUrl("k1")).contains(URI.create("https://hooks.example.com/a"));
    assertThat(fixture.outbox.defaultUrl("k2")).isEmpty();
    assertThat(fixture.outbox.signingSecret("k-none")).isEmpty();
    keys.revoke("k1", AT.plusSeconds(1));
    assertThat(fixture.outbox.signingSecret("k1")).isEmpty();
  }

  /** Claims three at a time and records each delivered, until nothing is left; returns what it sent. */
  private static List<Long> sendAll(WebhookStore store, String owner, CountDownLatch start) throws InterruptedException {
    start.await();
    List<Long> sent = new ArrayList<>();
    for (List<ClaimedEvent> claimed; !(claimed = store.claimDue(owner, AT, LEASE, 3)).isEmpty(); ) {
      for (ClaimedEvent e : claimed) {
        assertThat(store.attempted(e.seq(), owner, DeliveryState.DELIVERED, 1, 204, null, AT, null)).isTrue();
        sent.add(e.seq());
      }
    }
    return sent;
  }

  private static ClaimedEvent only(List<ClaimedEvent> claimed, JobId job) {
    return claimed.stream().filter(e -> e.jobId().equals(job.value())).findFirst()
        .orElseThrow(() -> new AssertionError("nothing of " + job + " claimed: " + claimed));
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
