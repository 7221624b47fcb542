package io.comfygate.engine;

import static io.comfygate.engine.EngineTests.WAIT;
import static io.comfygate.engine.EngineTests.awaitState;
import static io.comfygate.engine.EngineTests.params;
import static io.comfygate.engine.EngineTests.small;
import static io.comfygate.engine.EngineTests.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.errors.InvalidParamsException;
import io.comfygate.errors.JobNotFoundException;
import io.comfygate.errors.QuotaExceededException;
import io.comfygate.errors.ServiceUnavailableException;
import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.queue.QuotaPolicy;
import io.comfygate.store.StoredImage;
import io.comfygate.testkit.FakeComfyUi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The engine against FakeComfyUi over real HTTP and WebSocket, on a real SQLite file. */
class JobEngineTest {

  @RegisterExtension
  static final EngineFixture ENGINE = new EngineFixture(FakeComfyUi.builder().steps(4).stepDelay(Duration.ofMillis(20)));

  private final List<JobEvent> events = new CopyOnWriteArrayList<>();

  private JobEngine engine(Consumer<JobEngine.Builder> tweak) {
    JobEngine engine = ENGINE.start(tweak);
    engine.addListener(events::add);
    return engine;
  }

  private JobEngine engine() {
    return engine(b -> { });
  }

  private List<String> eventNames(JobId id) {
    List<String> names = new ArrayList<>();
    for (JobEvent e : events) {
      if (e.job().id().equals(id) && (names.isEmpty() || !names.get(names.size() - 1).equals(e.name()))) {
        names.add(e.name());
      }
    }
    return names;
  }

  private static long promptPosts(String promptId) {
    return EngineTests.promptPosts(ENGINE.comfy(), promptId);
  }

  @Test
  void aJobRunsToCompletionAndItsImagesAreRecordedWithTheirFiles() {
    JobEngine engine = engine();
    Job submitted = engine.submit("alice", null, small("a cat"));
    assertThat(submitted.state()).isEqualTo(JobState.QUEUED);
    assertThat(submitted.template()).isEqualTo("txt2img");
    assertThat(submitted.params().get("seed").isIntegralNumber()).as("random seed recorded").isTrue();

    Job done = awaitState(engine, submitted.id(), JobState.SUCCEEDED);

    assertThat(done.images()).hasSize(1);
    StoredImage image = done.images().get(0);
    assertThat(image.userId()).isEqualTo("alice");
    assertThat(image.width()).isEqualTo(64);
    assertThat(image.height()).isEqualTo(64);
    Path file = engine.outputDir().resolve(image.file());
    assertThat(file).exists();
    assertThat(image.sizeBytes()).isEqualTo(file.toFile().length());
    assertThat(image.paramsJson()).contains("\"prompt\":\"a cat\"");
    assertThat(done.progress().percent()).isEqualTo(100);
    assertThat(done.startedAt()).isNotNull();
    assertThat(done.backend()).isEqualTo(ENGINE.comfy().baseUrl().getAuthority());
    waitUntil("completion event", () -> eventNames(submitted.id()).contains("job_complete"));
    List<String> names = eventNames(submitted.id());
    assertThat(names.get(0)).isEqualTo("enqueue");
    assertThat(names.get(1)).isEqualTo("job_start");
    assertThat(names).contains("job_progress").endsWith("job_complete");
    assertThat(promptPosts(submitted.id().promptId())).as("sent once under its derived prompt_id").isEqualTo(1);
  }

  @Test
  void aJobSeenSucceededHasItsImagesEvenBeforeTheEngineLetsGoOfIt() throws Exception {
    // Hold the engine's completion between "succeeded" being committed and the job leaving the
    // active set (it lists the job's images there), and look at the job in that window.
    CountDownLatch inWindow = new CountDownLatch(1);
    CountDownLatch letGo = new CountDownLatch(1);
    try (io.comfygate.store.jdbc.Database db = io.comfygate.store.jdbc.Database.open(ENGINE.dir().resolve("db/held.db").toString())) {
      io.comfygate.store.ImageStore real = new io.comfygate.store.jdbc.JdbcImageStore(db);
      io.comfygate.store.ImageStore held = (io.comfygate.store.ImageStore) java.lang.reflect.Proxy.newProxyInstance(
          getClass().getClassLoader(), new Class<?>[] {io.comfygate.store.ImageStore.class}, (proxy, method, args) -> {
            if (method.getName().equals("listByJob") && Thread.currentThread().getName().startsWith("comfygate-engine")) {
              inWindow.countDown();
              letGo.await(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            try {
              return method.invoke(real, args);
            } catch (java.lang.reflect.InvocationTargetException e) {
              throw e.getCause();
            }
          });
      JobEngine engine = engine(b -> b.stores(new io.comfygate.store.jdbc.JdbcJobStore(db), held));
      JobId id = engine.submit("alice", null, small("held")).id();
      try {
        assertThat(inWindow.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("completion reached").isTrue();
        Job seen = engine.find(id).orElseThrow();
        assertThat(seen.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(seen.images()).as("images of a succeeded job").hasSize(1);
        assertThat(engine.list("alice", new io.comfygate.store.PageRequest(1, 10)).items())
            .singleElement().satisfies(j -> assertThat(j.images()).hasSize(1));
      } finally {
        letGo.countDown();
      }
      engine.close();
    }
  }

  @Test
  void badParametersAreRefusedAndNothingIsStored() {
    JobEngine engine = engine();
    assertThatThrownBy(() -> engine.submit("alice", null, params("{\"width\": 7}")))
        .isInstanceOf(InvalidParamsException.class)
        .hasMessageContaining("prompt: is required")
        .hasMessageContaining("width: must be at least 64");
    assertThatThrownBy(() -> engine.submit("alice", "nope", small("x"))).isInstanceOf(InvalidParamsException.class);
    assertThat(engine.list("alice", new io.comfygate.store.PageRequest(1, 10)).total()).isZero();
  }

  @Test
  void perUserLimitsHoldUnderConcurrentSubmits() throws Exception {
    ENGINE.comfy().slowNodes(Duration.ofMillis(300));
    JobEngine engine = engine(b -> b.quota(new QuotaPolicy(2, 1)));
    // alice's first job runs: each job of the burst below waits, and only two may.
    awaitState(engine, engine.submit("alice", null, small("first")).id(), JobState.RUNNING);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Boolean>> results = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      int n = i;
      results.add(pool.submit(() -> {
        go.await();
        try {
          engine.submit("alice", null, small("burst " + n));
          return true;
        } catch (QuotaExceededException e) {
          assertThat(e.limit()).isEqualTo(2);
          assertThat(e.retryAfter()).isPositive();
          assertThat(e.getMessage()).contains("MAX_PER_USER_QUEUE=2");
          return false;
        }
      }));
    }
    go.countDown();
    int accepted = 0;
    for (Future<Boolean> r : results) {
      accepted += r.get(10, TimeUnit.SECONDS) ? 1 : 0;
    }
    pool.shutdown();
    // One runs (concurrency 1), two may wait: the rest are refused.
    assertThat(accepted).isEqualTo(2);
    assertThat(engine.list("alice", new io.comfygate.store.PageRequest(1, 50)).total()).isEqualTo(3);
    // Another user is not affected by alice's limit.
    assertThat(engine.submit("bob", null, small("bob")).state()).isEqualTo(JobState.QUEUED);
  }

  @Test
  void aLightUserIsNotStarvedByAHeavyOne() {
    ENGINE.comfy().slowNodes(Duration.ofMillis(100));
    JobEngine engine = engine(b -> b.quota(new QuotaPolicy(5, 1)));
    List<JobId> heavy = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      heavy.add(engine.submit("heavy", null, small("h" + i)).id());
    }
    JobId light = engine.submit("light", null, small("l")).id();
    for (JobId id : heavy) {
      awaitState(engine, id, JobState.SUCCEEDED);
    }
    awaitState(engine, light, JobState.SUCCEEDED);
    // The order in which ComfyUI was handed the prompts is the fair order (start events can
    // arrive late when a socket reconnects; POSTs cannot).
    List<String> sent = ENGINE.comfy().requests().stream()
        .filter(r -> r.method().equals("POST") && r.path().endsWith("/prompt"))
        .map(r -> r.body().replaceAll(".*\"prompt_id\"\\s*:\\s*\"([^\"]+)\".*", "$1"))
        .toList();
    assertThat(sent).hasSize(5);
    // heavy's first job goes first; the light user's job is next, ahead of heavy's other three.
    assertThat(sent.get(0)).isEqualTo(heavy.get(0).promptId());
    assertThat(sent.get(1)).isEqualTo(light.promptId());
  }

  @Test
  void waitingPositionsAndEtaAreReported() {
    ENGINE.comfy().slowNodes(Duration.ofMillis(200));
    JobEngine engine = engine(b -> b.quota(new QuotaPolicy(5, 5)));
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      jobs.add(engine.submit("alice", null, small("p" + i)));
    }
    Job last = engine.find(jobs.get(4).id()).orElseThrow();
    assertThat(last.state()).isEqualTo(JobState.QUEUED);
    assertThat(last.position()).as("two on the backend, two waiting ahead").isGreaterThanOrEqualTo(2);
    assertThat(last.eta()).isNotNull().isPositive();
    Job first = engine.find(jobs.get(0).id()).orElseThrow();
    assertThat(first.position()).isZero();
    assertThat(engine.waitingJobs()).extracting(Job::id).contains(jobs.get(4).id());
    assertThat(engine.backends()).singleElement().satisfies(b -> {
      assertThat(b.healthy()).isTrue();
      assertThat(b.jobs()).hasSize(2);
    });
  }

  @Test
  void cancellingAWaitingJobRemovesItAtOnce() {
    ENGINE.comfy().slowNodes(Duration.ofMillis(300));
    JobEngine engine = engine(b -> b.quota(new QuotaPolicy(5, 1)));
    JobId running = engine.submit("alice", null, small("one")).id();
    JobId waiting = engine.submit("alice", null, small("two")).id();

    Job cancelled = engine.cancel(waiting, "alice");

    assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
    assertThat(engine.find(waiting).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    assertThat(promptPosts(waiting.promptId())).as("never sent").isZero();
    awaitState(engine, running, JobState.SUCCEEDED);
    assertThat(eventNames(waiting)).containsExactly("enqueue", "job_cancel");
  }

  @Test
  void cancellingARunningJobInterruptsOnlyThatPrompt() {
    ENGINE.comfy().slowNodes(Duration.ofMillis(400));
    JobEngine engine = engine();
    JobId id = engine.submit("alice", null, small("long")).id();
    awaitState(engine, id, JobState.RUNNING);

    assertThatThrownBy(() -> engine.cancel(id, "mallory")).isInstanceOf(JobNotFoundException.class);
    engine.cancel(id, "alice");

    Job done = awaitState(engine, id, JobState.CANCELLED);
    assertThat(done.images()).isEmpty();
    assertThat(ENGINE.comfy().requests()).anySatisfy(r -> {
      assertThat(r.path()).endsWith("/interrupt");
      assertThat(r.body()).contains(id.promptId());
    });
  }

  @Test
  void cancellingAJobWaitingInComfyUisQueueDeletesItThere() {
    ENGINE.comfy().slowNodes(Duration.ofMillis(300));
    JobEngine engine = engine(b -> b.quota(new QuotaPolicy(5, 2)));
    JobId running = engine.submit("alice", null, small("first")).id();
    JobId preQueued = engine.submit("alice", null, small("second")).id();
    awaitState(engine, running, JobState.RUNNING);
    waitUntil("second handed to ComfyUI", () -> promptPosts(preQueued.promptId()) == 1);
    assertThat(engine.find(preQueued).orElseThrow().state()).isEqualTo(JobState.QUEUED);

    engine.cancel(preQueued, "alice");

    Job cancelled = awaitState(engine, preQueued, JobState.CANCELLED);
    assertThat(cancelled.startedAt()).as("never ran").isNull();
    assertThat(ENGINE.comfy().requests()).anySatisfy(r -> {
      assertThat(r.path()).endsWith("/queue");
      assertThat(r.body()).contains("delete").contains(preQueued.promptId());
    });
    awaitState(engine, running, JobState.SUCCEEDED);
    assertThat(ENGINE.comfy().historyIds()).doesNotContain(preQueued.promptId());
  }

  @Test
  void aJobRunningLongerThanTheTimeoutIsInterruptedAndEndsAsTimeout() {
    ENGINE.comfy().slowNodes(Duration.ofMillis(500));
    JobEngine engine = engine(b -> b.jobTimeout(Duration.ofMillis(700)));
    JobId id = engine.submit("alice", null, small("slow")).id();

    Job done = awaitState(engine, id, JobState.TIMEOUT);

    assertThat(done.error()).contains("job timeout");
    assertThat(ENGINE.comfy().requests()).anySatisfy(r -> {
      assertThat(r.path()).endsWith("/interrupt");
      assertThat(r.body()).contains(id.promptId());
    });
    waitUntil("timeout event", () -> eventNames(id).contains("job_timeout"));
  }

  @Test
  void anExecutionErrorFailsTheJobWithTheNodeAndMessage() {
    ENGINE.comfy().failAtNode("8", "CUDA out of memory");
    JobEngine engine = engine();
    JobId id = engine.submit("alice", null, small("boom")).id();

    Job done = awaitState(engine, id, JobState.FAILED);

    assertThat(done.error()).contains("VAEDecode #8").contains("CUDA out of memory");
    assertThat(done.images()).isEmpty();
  }

  @Test
  void comfyUiDownRefusesSubmitsFailsRunningJobsAndServiceResumesByItself() {
    ENGINE.comfy().slowNodes(Duration.ofMillis(500));
    JobEngine engine = engine();
    JobId running = engine.submit("alice", null, small("doomed")).id();
    awaitState(engine, running, JobState.RUNNING);

    ENGINE.comfy().stop();
    Job failed = awaitState(engine, running, JobState.FAILED);
    assertThat(failed.error()).contains("went down");
    assertThatThrownBy(() -> engine.submit("alice", null, small("refused")))
        .isInstanceOf(ServiceUnavailableException.class)
        .hasMessageContaining("No ComfyUI backend is available");

    ENGINE.comfy().restart();
    ENGINE.comfy().clearFaults();
    waitUntil("backend healthy again", () -> engine.backends().get(0).healthy());
    JobId after = engine.submit("alice", null, small("back")).id();
    awaitState(engine, after, JobState.SUCCEEDED);
  }

  @Test
  void anUnwritableOutputFolderFailsTheJobAndRecordsNoImage() throws IOException {
    Path notADir = ENGINE.dir().resolve("outputs-file");
    Files.writeString(notADir, "in the way");
    JobEngine engine = engine(b -> b.outputDir(notADir));
    JobId id = engine.submit("alice", null, small("nowhere")).id();

    Job done = awaitState(engine, id, JobState.FAILED);

    assertThat(done.error()).contains("could not save the outputs");
    assertThat(engine.images().listByJob(id)).isEmpty();
  }

  @Test
  void aRestartResumesQueuedJobsAndFollowsDispatchedOnesWithoutSendingTwice() {
    ENGINE.comfy().slowNodes(Duration.ofMillis(150));
    JobEngine first = engine(b -> b.quota(new QuotaPolicy(5, 5)));
    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(first.submit("u" + (i % 2), null, small("r" + i)).id());
    }
    awaitState(first, ids.get(0), JobState.RUNNING);
    first.close();

    JobEngine second = engine();
    Map<JobId, JobState> ends = new ConcurrentHashMap<>();
    for (JobId id : ids) {
      ends.put(id, awaitState(second, id, JobState.SUCCEEDED).state());
    }
    assertThat(ends).hasSize(5);
    for (JobId id : ids) {
      assertThat(promptPosts(id.promptId())).as("%s sent once", id).isEqualTo(1);
      assertThat(second.find(id).orElseThrow().images()).hasSize(1);
    }
  }

  @Test
  void usersSeeOnlyTheirOwnJobs() {
    JobEngine engine = engine();
    JobId id = engine.submit("alice", null, small("mine")).id();
    assertThat(engine.get(id, "alice").id()).isEqualTo(id);
    assertThat(engine.get(id, null).id()).as("admin").isEqualTo(id);
    assertThatThrownBy(() -> engine.get(id, "bob")).isInstanceOf(JobNotFoundException.class);
    assertThat(engine.list("bob", new io.comfygate.store.PageRequest(1, 10)).items()).isEmpty();
  }

  @Test
  void closeLeavesNoEngineThreadBehind() {
    JobEngine engine = engine();
    awaitState(engine, engine.submit("alice", null, small("bye")).id(), JobState.SUCCEEDED);
    engine.close();
    engine.close();
    waitUntil("engine threads gone", () -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.isAlive() && (t.getName().startsWith("comfygate-engine") || t.getName().startsWith("comfygate-job-events"))));
    assertThatThrownBy(() -> engine.submit("alice", null, small("late"))).isInstanceOf(ServiceUnavailableException.class);
  }

  @Test
  void buildingTwiceFromOneBuilderGivesIndependentEngines() {
    JobEngine.Builder builder = ENGINE.builder();
    JobEngine first = ENGINE.own(builder.build());
    JobEngine second = builder.build();
    second.close(); // closes only what the second build opened: its own connection pools

    Job job = first.submit("alice", null, small("after the other engine closed"));
    assertThat(awaitState(first, job.id(), JobState.SUCCEEDED).images()).hasSize(1);
  }

  @Test
  void theEtaAfterARestartStartsFromTheRunTimesOfEarlierJobs() {
    JobEngine engine = engine(b -> b.jobTimeout(Duration.ofMinutes(10)));
    Job done = awaitState(engine, engine.submit("alice", null, small("one")).id(), JobState.SUCCEEDED);
    Duration ran = Duration.between(done.startedAt(), done.finishedAt());
    ENGINE.comfy().hang(true);
    engine.close();

    JobEngine restarted = engine(b -> { });
    restarted.submit("bob", null, small("two")); // on the backend
    restarted.submit("carol", null, small("three")); // in ComfyUI's queue behind it
    Job third = restarted.submit("dave", null, small("four"));
    // Not the 30 s default guess: each job ahead costs about what the earlier job ran.
    assertThat(restarted.get(third.id(), null).eta()).as("ETA of %s (the earlier job ran %s)", third.id(), ran)
        .isLessThan(Duration.ofSeconds(10));
    ENGINE.comfy().hang(false);
  }
}
