package io.comfygate.web.live;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The hub without a server: fake engine, fake sessions whose sends complete when the test says,
 * and the sends run by the test ({@link ManualScheduler}) on a fake clock.
 */
class LiveHubTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Identity ALICE = new Identity("alice", Set.of(Identity.USER), "basic");
  private static final Identity BOB = new Identity("bob", Set.of(Identity.USER), "basic");

  private final FakeSource source = new FakeSource();
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final ManualScheduler sends = new ManualScheduler(now);
  private final LiveHub hub = new LiveHub(source, "/app/api/", Duration.ofMillis(250), 4, now::get, sends);

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
    sends.runAll();

    assertThat(alice.types()).containsExactly("snapshot", "job");
    assertThat(alice.json(0).at("/jobs/0/id").asText()).isEqualTo(queued.id().value());
    assertThat(alice.json(0).at("/jobs/0/eta_seconds").isMissingNode()).as("snake_case").isFalse();
    assertThat(alice.json(1).at("/event").asText()).isEqualTo("job_start");
    assertThat(alice.json(1).at("/job/state").asText()).isEqualTo("running");
    assertThat(bob.types()).containsExactly("snapshot");
    assertThat(bob.json(0).at("/jobs").size()).isZero();
  }

  @Test
  void theEventThreadOnlyEnqueues() throws Exception {
    FakeSession alice = new FakeSession(true);
    hub.open(ALICE, alice);
    hub.onEvent(new JobEvent.Started(job("alice", JobState.RUNNING, -1, 0)));
    hub.onEvent(new JobEvent.Progress(job("alice", JobState.RUNNING, -1, 10), new byte[] {1}, "image/png"));

    assertThat(alice.sentCount()).as("written by the thread that called onEvent").isZero();
    sends.runAll();
    assertThat(alice.types()).containsExactly("snapshot", "job", "progress", "preview");
  }

  @Test
  void progressIsThrottledPerJobButStateChangesAlwaysPass() throws Exception {
    FakeSession alice = new FakeSession(true);
    hub.open(ALICE, alice);
    hub.onEvent(new JobEvent.Progress(job("alice", JobState.RUNNING, -1, 10), null, null));
    sends.runAll();
    now.addAndGet(Duration.ofMillis(100).toNanos());
    hub.onEvent(new JobEvent.Progress(job("alice", JobState.RUNNING, -1, 20), new byte[] {1, 2, 3}, "image/jpeg"));
    sends.runAll();
    now.addAndGet(Duration.ofMillis(50).toNanos());
    hub.onEvent(new JobEvent.Progress(job("alice", JobState.RUNNING, -1, 30), null, null)); // a third in 250 ms
    now.addAndGet(Duration.ofMillis(150).toNanos()); // its turn passes, but its timer has not run yet
    hub.onEvent(new JobEvent.Progress(job("alice", JobState.RUNNING, -1, 60), null, null));
    hub.onEvent(new JobEvent.Completed(job("alice", JobState.SUCCEEDED, -1, 100)));
    sends.advance(Duration.ofSeconds(1));

    assertThat(alice.kinds()).containsExactly("snapshot", "progress", "progress", "preview", "progress",
        "job:job_complete");
    assertThat(alice.json(1).get("percent").asInt()).isEqualTo(10);
    assertThat(alice.json(2).get("percent").asInt()).as("a second new percent goes at once").isEqualTo(20);
    assertThat(alice.json(3).get("mime").asText()).isEqualTo("image/jpeg");
    assertThat(alice.json(3).get("data").asText()).isEqualTo("AQID");
    assertThat(alice.json(4).get("percent").asInt()).as("30 %% was replaced by 60 %% before its turn").isEqualTo(60);
  }

  @Test
  void theNewestProgressOfABurstGoesOutWhenTheIntervalEnds() throws Exception {
    FakeSession alice = new FakeSession(true);
    hub.open(ALICE, alice);
    for (int percent = 10; percent <= 40; percent += 10) { // 10 % at 0 ms, 20 % at 50 ms, …
      hub.onEvent(new JobEvent.Progress(job("alice", JobState.RUNNING, -1, percent), null, null));
      sends.advance(Duration.ofMillis(50));
    }
    sends.advance(Duration.ofMillis(40)); // 240 ms after the first

    assertThat(alice.kinds()).containsExactly("snapshot", "progress", "progress");
    sends.advance(Duration.ofMillis(10));
    assertThat(alice.kinds()).containsExactly("snapshot", "progress", "progress", "progress");
    assertThat(alice.json(3).get("percent").asInt()).as("the newest; 30 %% was replaced").isEqualTo(40);
    sends.advance(Duration.ofSeconds(1));
    assertThat(alice.sentCount()).as("nothing more to send").isEqualTo(4);
  }

  @Test
  void aNewPercentIsNotHeldBackByUpdatesThatOnlyChangedTheNode() throws Exception {
    FakeSession alice = new FakeSession(true);
    hub.open(ALICE, alice);
    hub.onEvent(new JobEvent.Progress(job("alice", JobState.RUNNING, -1, 0), null, null)); // loader
    sends.advance(Duration.ofMillis(10));
    hub.onEvent(new JobEvent.Progress(job("alice", JobState.RUNNING, -1, 0), null, null)); // sampler
    sends.advance(Duration.ofMillis(230));
    assertThat(alice.kinds()).as("a node change waits a full interval").hasSize(2);
    sends.advance(Duration.ofMillis(10));
    assertThat(alice.kinds()).hasSize(3);
    sends.advance(Duration.ofMillis(50));
    hub.onEvent(new JobEvent.Progress(job("alice", JobState.RUNNING, -1, 33), null, null));
    sends.runAll();

    assertThat(alice.kinds()).hasSize(4);
    assertThat(alice.json(3).get("percent").asInt()).as("sent at once, 50 ms after the node change").isEqualTo(33);
    hub.onEvent(new JobEvent.Progress(job("alice", JobState.RUNNING, -1, 66), null, null));
    hub.onEvent(new JobEvent.Progress(job("alice", JobState.RUNNING, -1, 99), null, null));
    sends.runAll();
    assertThat(alice.kinds()).as("66 %% at once too, 99 %% waits: two new percents in 250 ms").hasSize(5);
    sends.advance(Duration.ofMillis(250));
    assertThat(alice.json(5).get("percent").asInt()).isEqualTo(99);
  }

  @Test
  void aThrottledLastProgressGoesOutBeforeTheJobsEndAndNeverAfter() throws Exception {
    FakeSession alice = new FakeSession(true);
    hub.open(ALICE, alice);
    hub.onEvent(new JobEvent.Progress(job("alice", JobState.RUNNING, -1, 33), null, null));
    sends.advance(Duration.ofMillis(50));
    hub.onEvent(new JobEvent.Progress(job("alice", JobState.RUNNING, -1, 66), null, null));
    sends.advance(Duration.ofMillis(50));
    hub.onEvent(new JobEvent.Progress(job("alice", JobState.RUNNING, -1, 99), new byte[] {7}, "image/png"));
    sends.advance(Duration.ofMillis(10));
    hub.onEvent(new JobEvent.Progress(job("alice", JobState.RUNNING, -1, 99), new byte[] {8}, "image/png"));
    hub.onEvent(new JobEvent.Completed(job("alice", JobState.SUCCEEDED, -1, 100)));
    sends.advance(Duration.ofSeconds(1));

    assertThat(alice.kinds()).containsExactly("snapshot", "progress", "progress", "preview", "progress", "preview",
        "job:job_complete");
    assertThat(alice.json(4).get("percent").asInt()).isEqualTo(99);
    assertThat(alice.json(5).get("data").asText()).as("the newest preview").isEqualTo("CA==");
    assertThat(sends.delayedCount()).as("no trailing send left to follow the end").isZero();
  }

  @Test
  void aSlowSessionGetsTheLatestProgressAndEveryStateChangeWithoutBlockingTheEvents() throws Exception {
    FakeSession slow = new FakeSession(false);
    hub.open(ALICE, slow);
    sends.runAll(); // the snapshot is now in flight and never completes by itself
    hub.onEvent(new JobEvent.Started(job("alice", JobState.RUNNING, -1, 0)));
    for (int percent = 10; percent <= 90; percent += 10) {
      sends.advance(Duration.ofMillis(300));
      hub.onEvent(new JobEvent.Progress(job("alice", JobState.RUNNING, -1, percent), null, null));
    }
    hub.onEvent(new JobEvent.Completed(job("alice", JobState.SUCCEEDED, -1, 100)));

    drain(slow);
    assertThat(slow.types()).containsExactly("snapshot", "job", "progress", "job");
    assertThat(slow.json(2).get("percent").asInt()).as("older progress replaced while waiting").isEqualTo(90);
    assertThat(slow.closedWith).isNull();
  }

  @Test
  void aSessionThatFallsTooFarBehindOnStateChangesIsClosedToReconnect() throws Exception {
    FakeSession stuck = new FakeSession(false);
    hub.open(ALICE, stuck);
    sends.runAll();
    for (int i = 0; i < 5; i++) { // limit 4 waiting
      hub.onEvent(new JobEvent.Enqueued(job("alice", JobState.QUEUED, i, 0)));
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (stuck.closedWith == null && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(stuck.closedWith).isEqualTo(SessionOutbox.TRY_AGAIN_LATER);
  }

  @Test
  void waitingJobsOfOtherUsersGetTheirNewPositionWhenTheQueueMoves() throws Exception {
    Job bobsJob = job("bob", JobState.QUEUED, 1, 0);
    FakeSession bob = openWithWaiting(BOB, bobsJob, true);

    source.waiting = List.of(withPosition(bobsJob, 0));
    hub.onEvent(new JobEvent.Started(job("alice", JobState.RUNNING, -1, 0)));
    hub.onEvent(new JobEvent.Progress(job("alice", JobState.RUNNING, -1, 50), null, null));
    hub.onEvent(new JobEvent.Enqueued(job("alice", JobState.QUEUED, 1, 0))); // bob's stays at 0
    sends.runAll();

    assertThat(bob.types()).containsExactly("snapshot", "job");
    assertThat(bob.json(1).get("event").asText()).isEqualTo("queue_update");
    assertThat(bob.json(1).at("/job/position").asInt()).isZero();
    assertThat(source.waitingReads).as("one read of the waiting room per state change").isEqualTo(2);
  }

  @Test
  void positionsOfAJobWaitingToBeSentReplaceEachOther() throws Exception {
    Job bobsJob = job("bob", JobState.QUEUED, 5, 0);
    FakeSession bob = openWithWaiting(BOB, bobsJob, false); // the snapshot is in flight

    for (int position = 4; position >= 1; position--) {
      source.waiting = List.of(withPosition(bobsJob, position));
      hub.onEvent(new JobEvent.Started(job("alice", JobState.RUNNING, -1, 0)));
    }

    drain(bob);
    assertThat(bob.kinds()).containsExactly("snapshot", "job:queue_update");
    assertThat(bob.json(1).at("/job/position").asInt()).isEqualTo(1);
  }

  @Test
  void aJobsStateChangeIsNeverFollowedByAStaleQueuePosition() throws Exception {
    Job bobsJob = job("bob", JobState.QUEUED, 3, 0);
    FakeSession bob = openWithWaiting(BOB, bobsJob, false);

    source.waiting = List.of(withPosition(bobsJob, 2));
    hub.onEvent(new JobEvent.Started(job("alice", JobState.RUNNING, -1, 0))); // bob's moves to 2
    source.waiting = List.of();
    hub.onEvent(new JobEvent.Started(withState(bobsJob, JobState.RUNNING))); // then starts
    hub.onEvent(new JobEvent.Completed(job("alice", JobState.SUCCEEDED, -1, 100)));

    drain(bob);
    assertThat(bob.kinds()).as("the start carries the position; the waiting queue_update is dropped")
        .containsExactly("snapshot", "job:job_start");
  }

  @Test
  void closeUnsubscribesAndTellsEverySessionToGoAway() throws Exception {
    FakeSession alice = new FakeSession(true);
    hub.open(ALICE, alice);
    sends.runAll();
    hub.close();
    hub.onEvent(new JobEvent.Started(job("alice", JobState.RUNNING, -1, 0)));

    assertThat(source.unsubscribed).isTrue();
    assertThat(alice.closedWith).isEqualTo(LiveHub.GOING_AWAY);
    assertThat(alice.types()).containsExactly("snapshot");
    assertThat(hub.sessionCount()).isZero();
  }

  @Test
  void withTheRealSendPoolMessagesAreWrittenOnItsThreadsAndCloseLeavesNone() throws Exception {
    FakeSource engine = new FakeSource();
    LiveHub real = LiveHub.start(engine, "/app/api/");
    FakeSession alice = new FakeSession(true);
    real.open(ALICE, alice);
    Thread events = new Thread(() -> {
      engine.listener.onEvent(new JobEvent.Started(job("alice", JobState.RUNNING, -1, 0)));
      engine.listener.onEvent(new JobEvent.Completed(job("alice", JobState.SUCCEEDED, -1, 100)));
    }, "comfygate-job-events-1");
    events.start();
    events.join(5_000);
    assertThat(alice.awaitSent(3, 10_000)).as("3 messages sent in 10 s").isTrue();
    assertThat(alice.threads()).allMatch(t -> t.startsWith(SendPool.THREAD_PREFIX), "a send thread");

    real.close();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("comfygate-live-")) {
        t.join(5_000);
      }
    }
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("comfygate-live-") && t.isAlive());
  }

  /** Opens a session whose snapshot holds {@code waiting}, and lets the hub send the snapshot. */
  private FakeSession openWithWaiting(Identity who, Job waiting, boolean immediate) {
    source.snapshot = List.of(waiting);
    FakeSession session = new FakeSession(immediate);
    hub.open(who, session);
    sends.runAll();
    return session;
  }

  /** Completes a slow session's sends one by one, letting the sender write the next each time. */
  private void drain(FakeSession session) {
    do {
      sends.runAll();
    } while (session.completeOne());
    sends.runAll();
  }

  // ------------------------------------------------------------------------------- fakes

  private static final JobId ID = JobId.generate(Clock.systemUTC());

  private static Job job(String user, JobState state, int position, int percent) {
    JobId id = user.equals("alice") ? ID : JobId.generate(Clock.systemUTC());
    return new Job(id, user, state, "txt2img", JSON.createObjectNode(), position,
        state.isTerminal() ? null : Duration.ofSeconds(3), new Job.Progress(percent, null), null, Instant.EPOCH, null,
        null, null, List.of());
  }

  private static Job withState(Job j, JobState state) {
    return new Job(j.id(), j.userId(), state, j.template(), j.params(), -1, j.eta(), j.progress(),
        j.backend(), j.createdAt(), j.startedAt(), j.finishedAt(), j.error(), j.images());
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
    volatile int waitingReads;

    @Override
    public List<Job> snapshot(String user) {
      return snapshot;
    }

    @Override
    public List<Job> waiting() {
      waitingReads++;
      return waiting;
    }

    @Override
    public Subscription subscribe(JobListener l) {
      listener = l;
      return () -> unsubscribed = true;
    }
  }
}
