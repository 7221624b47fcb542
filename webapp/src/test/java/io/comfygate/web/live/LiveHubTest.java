package io.comfygate.web.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.comfygate.engine.Job;
import io.comfygate.engine.JobEvent;
import io.comfygate.engine.JobListener;
import io.comfygate.events.Subscription;
import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.web.security.Identity;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The hub without a server: fake engine, fake sessions whose sends complete when the test says. */
class LiveHubTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Identity ALICE = new Identity("alice", Set.of(Identity.USER), "basic");
  private static final Identity BOB = new Identity("bob", Set.of(Identity.USER), "basic");

  private final FakeSource source = new FakeSource();
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final LiveHub hub = new LiveHub(source, "/app/api/", Duration.ofMillis(250), 4, now::get);

  @AfterEach
  void close() {
    hub.close();
  }

  @Test
  void eachUserGetsASnapshotThenOnlyTheirOwnJobsEvents() throws Exception {
    Job queued = job("alice", JobState.QUEUED, 0, 0);
    source.snapshot = List.of(queued);
    FakeSession alice = new FakeSession(true);
    FakeSession bob = new FakeSession(true);
    hub.open(ALICE, alice);
    source.snapshot = List.of();
    hub.open(BOB, bob);

    source.listener.onEvent(new JobEvent.Started(job("alice", JobState.RUNNING, -1, 0)));

    assertThat(alice.types()).containsExactly("snapshot", "job");
    assertThat(alice.json(0).at("/jobs/0/id").asText()).isEqualTo(queued.id().value());
    assertThat(alice.json(0).at("/jobs/0/eta_seconds").isMissingNode()).as("snake_case").isFalse();
    assertThat(alice.json(1).at("/event").asText()).isEqualTo("job_start");
    assertThat(alice.json(1).at("/job/state").asText()).isEqualTo("running");
    assertThat(bob.types()).containsExactly("snapshot");
    assertThat(bob.json(0).at("/jobs").size()).isZero();
  }

  @Test
  void progressIsThrottledPerJobButStateChangesAlwaysPass() throws Exception {
    FakeSession alice = new FakeSession(true);
    hub.open(ALICE, alice);
    hub.onEvent(new JobEvent.Progress(job("alice", JobState.RUNNING, -1, 10), null, null));
    now.addAndGet(Duration.ofMillis(100).toNanos());
    hub.onEvent(new JobEvent.Progress(job("alice", JobState.RUNNING, -1, 20), new byte[] {1, 2, 3}, "image/jpeg"));
    now.addAndGet(Duration.ofMillis(200).toNanos());
    hub.onEvent(new JobEvent.Progress(job("alice", JobState.RUNNING, -1, 60), null, null));
    hub.onEvent(new JobEvent.Completed(job("alice", JobState.SUCCEEDED, -1, 100)));

    assertThat(alice.types()).containsExactly("snapshot", "progress", "preview", "progress", "job");
    assertThat(alice.json(1).get("percent").asInt()).isEqualTo(10);
    assertThat(alice.json(2).get("mime").asText()).isEqualTo("image/jpeg");
    assertThat(alice.json(2).get("data").asText()).isEqualTo("AQID");
    assertThat(alice.json(3).get("percent").asInt()).as("the 20 %% came too soon after 10 %%").isEqualTo(60);
    assertThat(alice.json(4).get("event").asText()).isEqualTo("job_complete");
  }

  @Test
  void aSlowSessionGetsTheLatestProgressAndEveryStateChangeWithoutBlockingTheEvents() throws Exception {
    FakeSession slow = new FakeSession(false);
    hub.open(ALICE, slow); // the snapshot is now in flight and never completes by itself
    hub.onEvent(new JobEvent.Started(job("alice", JobState.RUNNING, -1, 0)));
    for (int percent = 10; percent <= 90; percent += 10) {
      now.addAndGet(Duration.ofMillis(300).toNanos());
      hub.onEvent(new JobEvent.Progress(job("alice", JobState.RUNNING, -1, percent), null, null));
    }
    hub.onEvent(new JobEvent.Completed(job("alice", JobState.SUCCEEDED, -1, 100)));

    slow.completeAll();
    assertThat(slow.types()).containsExactly("snapshot", "job", "progress", "job");
    assertThat(slow.json(2).get("percent").asInt()).as("older progress replaced while waiting").isEqualTo(90);
    assertThat(slow.closedWith).isNull();
  }

  @Test
  void aSessionThatFallsTooFarBehindOnStateChangesIsClosedToReconnect() throws Exception {
    FakeSession stuck = new FakeSession(false);
    hub.open(ALICE, stuck);
    for (int i = 0; i < 5; i++) { // limit 4 waiting
      hub.onEvent(new JobEvent.Enqueued(job("alice", JobState.QUEUED, i, 0)));
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (stuck.closedWith == null && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(stuck.closedWith).isEqualTo(Outbox.TRY_AGAIN_LATER);
  }

  @Test
  void waitingJobsOfOtherUsersGetTheirNewPositionWhenTheQueueMoves() throws Exception {
    Job bobsJob = job("bob", JobState.QUEUED, 1, 0);
    source.snapshot = List.of(bobsJob);
    FakeSession bob = new FakeSession(true);
    hub.open(BOB, bob);

    source.waiting = List.of(withPosition(bobsJob, 0));
    hub.onEvent(new JobEvent.Started(job("alice", JobState.RUNNING, -1, 0)));
    hub.onEvent(new JobEvent.Progress(job("alice", JobState.RUNNING, -1, 50), null, null));
    hub.onEvent(new JobEvent.Enqueued(job("alice", JobState.QUEUED, 1, 0))); // bob's stays at 0

    assertThat(bob.types()).containsExactly("snapshot", "job");
    assertThat(bob.json(1).get("event").asText()).isEqualTo("queue_update");
    assertThat(bob.json(1).at("/job/position").asInt()).isZero();
  }

  @Test
  void closeUnsubscribesAndTellsEverySessionToGoAway() throws Exception {
    FakeSession alice = new FakeSession(true);
    hub.open(ALICE, alice);
    hub.close();
    hub.onEvent(new JobEvent.Started(job("alice", JobState.RUNNING, -1, 0)));

    assertThat(source.unsubscribed).isTrue();
    assertThat(alice.closedWith).isEqualTo(LiveHub.GOING_AWAY);
    assertThat(alice.types()).containsExactly("snapshot");
    assertThat(hub.sessionCount()).isZero();
  }

  // ------------------------------------------------------------------------------- fakes

  private static final JobId ID = JobId.generate(Clock.systemUTC());

  private static Job job(String user, JobState state, int position, int percent) {
    JobId id = user.equals("alice") ? ID : JobId.generate(Clock.systemUTC());
    return new Job(id, user, state, "txt2img", JSON.createObjectNode(), position,
        state.isTerminal() ? null : Duration.ofSeconds(3), new Job.Progress(percent, null), null, Instant.EPOCH, null,
        null, null, List.of());
  }

  private static Job withPosition(Job j, int position) {
    return new Job(j.id(), j.userId(), j.state(), j.template(), j.params(), position, j.eta(), j.progress(),
        j.backend(), j.createdAt(), j.startedAt(), j.finishedAt(), j.error(), j.images());
  }

  private static final class FakeSource implements JobSource {
    volatile List<Job> snapshot = List.of();
    volatile List<Job> waiting = List.of();
    volatile JobListener listener;
    volatile boolean unsubscribed;

    @Override
    public List<Job> snapshot(String user) {
      return snapshot;
    }

    @Override
    public List<Job> waiting() {
      return waiting;
    }

    @Override
    public Subscription subscribe(JobListener l) {
      listener = l;
      return () -> unsubscribed = true;
    }
  }

  /** Records what is sent; completes each send at once, or only on {@link #completeAll()}. */
  private static final class FakeSession implements Outbox.Transport {
    private final boolean immediate;
    private final List<String> sent = new ArrayList<>();
    private final List<Consumer<Throwable>> inFlight = new ArrayList<>();
    volatile Integer closedWith;

    FakeSession(boolean immediate) {
      this.immediate = immediate;
    }

    @Override
    public void send(String text, Consumer<Throwable> done) {
      synchronized (this) {
        sent.add(text);
        if (!immediate) {
          inFlight.add(done);
          return;
        }
      }
      done.accept(null);
    }

    @Override
    public void close(int code, String reason) {
      closedWith = code;
    }

    void completeAll() {
      while (true) {
        Consumer<Throwable> next;
        synchronized (this) {
          if (inFlight.isEmpty()) {
            return;
          }
          next = inFlight.remove(0);
        }
        next.accept(null);
      }
    }

    synchronized List<String> types() throws Exception {
      List<String> types = new ArrayList<>();
      for (String s : sent) {
        types.add(JSON.readTree(s).get("type").asText());
      }
      return types;
    }

    synchronized JsonNode json(int i) throws Exception {
      return JSON.readTree(sent.get(i));
    }
  }
}
