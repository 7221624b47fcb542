package io.comfygate.engine;

import static io.comfygate.engine.EngineTests.awaitEnd;
import static io.comfygate.engine.EngineTests.small;
import static io.comfygate.engine.EngineTests.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.errors.StoreException;
import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.queue.QuotaPolicy;
import io.comfygate.store.jdbc.Database;
import io.comfygate.store.jdbc.JdbcJobStore;
import io.comfygate.testkit.FakeComfyUi;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The SQLite file locked by another process ({@link SqliteLockHolder}) while jobs run: a short
 * lock is waited out; a lock longer than the busy timeout fails the requests that need to write,
 * cleanly, and every job still reaches its right end once the lock is gone, with the file intact.
 */
class DatabaseLockedTest {
  @RegisterExtension
  static final EngineFixture ENGINE = new EngineFixture(FakeComfyUi.builder().steps(4).stepDelay(Duration.ofMillis(20)));

  private Process holder;
  private Database db;

  /** Ends the lock holder; the fixture then closes the engine, and the database after it. */
  @AfterEach
  void cleanUp() throws InterruptedException {
    if (holder != null) {
      holder.destroyForcibly();
      holder.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static Path file() {
    return ENGINE.dir().resolve("db/app.db");
  }

  private JobEngine start(Duration busyTimeout) throws Exception {
    Files.createDirectories(file().getParent());
    db = ENGINE.own(Database.builder(file().toString()).busyTimeout(busyTimeout).acquireTimeout(Duration.ofSeconds(10)).build());
    return ENGINE.start(b -> b.database(db).quota(new QuotaPolicy(20, 1)));
  }

  /** Starts the other process and returns once it holds the lock. */
  private void lockFor(Duration hold) throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow(() -> new AssertionError("no java command"));
    holder = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", System.getProperty("java.class.path"), SqliteLockHolder.class.getName(),
        file().toString(), String.valueOf(hold.toMillis()))
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
    assertThat(out.readLine()).as("the other process took the lock").isEqualTo(SqliteLockHolder.LOCKED);
  }

  private void awaitUnlocked() throws InterruptedException {
    assertThat(holder.waitFor(30, TimeUnit.SECONDS)).as("the lock holder ended").isTrue();
    assertThat(holder.exitValue()).isZero();
  }

  @Test
  void aLockShorterThanTheBusyTimeoutIsWaitedOut() throws Exception {
    JobEngine engine = start(Duration.ofSeconds(10));
    ENGINE.comfy().slowNodes(Duration.ofMillis(100));
    List<JobId> before = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      before.add(engine.submit("user" + i, null, small("before " + i)).id());
    }
    lockFor(Duration.ofSeconds(2));
    // Submitted while locked: the commit waits for the lock instead of failing.
    JobId during = engine.submit("late", null, small("during the lock")).id();
    awaitUnlocked();
    ENGINE.comfy().slowNodes(Duration.ZERO);
    for (JobId id : concat(before, during)) {
      assertThat(awaitEnd(engine, id).state()).as("%s", id).isEqualTo(JobState.SUCCEEDED);
    }
    assertIntact();
  }

  @Test
  void aLockLongerThanTheBusyTimeoutFailsWritesCleanlyAndNoJobIsStuck() throws Exception {
    JobEngine engine = start(Duration.ofMillis(300));
    ENGINE.comfy().hang(true); // the jobs start and end on ComfyUI only once the file is locked
    List<JobId> before = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      before.add(engine.submit("user" + i, null, small("before " + i)).id());
    }
    lockFor(Duration.ofSeconds(4));
    long jobsAtLock = countJobs();
    assertThatThrownBy(() -> engine.submit("late", null, small("during the lock")))
        .isInstanceOf(StoreException.class)
        .satisfies(e -> assertThat(((StoreException) e).busy()).as("reported as busy").isTrue());
    ENGINE.comfy().hang(false);
    // At least one job starts, runs and ends on ComfyUI while nothing can be written here.
    String first = before.get(0).promptId();
    waitUntil("the first job done on ComfyUI during the lock", Duration.ofSeconds(10),
        () -> ENGINE.comfy().historyIds().contains(first));
    assertThat(holder.isAlive()).as("still locked when ComfyUI finished the job").isTrue();
    awaitUnlocked();
    assertThat(countJobs()).as("the refused submit stored nothing").isEqualTo(jobsAtLock);

    // Jobs that ran or ended during the lock reach their end in the store too, and free their slots.
    for (JobId id : before) {
      waitUntil(id + " recorded as ended", Duration.ofSeconds(30),
          () -> engine.find(id).map(j -> j.state() == JobState.SUCCEEDED).orElse(false)
              && new JdbcJobStore(db).find(id).map(s -> s.state() == JobState.SUCCEEDED).orElse(false));
      assertThat(engine.find(id).orElseThrow().images()).as("%s images", id).hasSize(1);
    }
    JobId after = engine.submit("late", null, small("after the lock")).id();
    assertThat(awaitEnd(engine, after).state()).isEqualTo(JobState.SUCCEEDED);
    assertIntact();
  }

  @Test
  void aSubmitWaitingForTheDatabaseDoesNotHoldUpTheQueue() throws Exception {
    JobEngine engine = start(Duration.ofSeconds(10));
    ENGINE.comfy().hang(true);
    List<JobId> before = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      before.add(engine.submit("user" + i, null, small("before " + i)).id());
    }
    lockFor(Duration.ofSeconds(3));
    java.util.concurrent.CompletableFuture<Job> blocked =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> engine.submit("late", null, small("during the lock")));
    Thread.sleep(300); // the submit is inside its commit, waiting for the other process's lock
    assertThat(blocked).as("the submit waits for the lock").isNotDone();

    // The scheduling lock is not held through that wait: the queue answers at once.
    long started = System.nanoTime();
    assertThat(engine.queueDepth().totalWaiting()).isEqualTo(2);
    assertThat(engine.waitingJobs()).extracting(Job::id).containsExactly(before.get(2), before.get(3));
    assertThat(engine.get(before.get(3), null).position()).isEqualTo(2);
    assertThat(engine.backends()).hasSize(1);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).as("queue reads during the lock")
        .isLessThan(Duration.ofMillis(1000));
    assertThat(blocked).as("still waiting for the lock").isNotDone();

    awaitUnlocked();
    JobId late = blocked.get(10, TimeUnit.SECONDS).id();
    ENGINE.comfy().hang(false);
    for (JobId id : concat(before, late)) {
      assertThat(awaitEnd(engine, id).state()).as("%s", id).isEqualTo(JobState.SUCCEEDED);
    }
    assertIntact();
  }

  private static List<JobId> concat(List<JobId> ids, JobId more) {
    List<JobId> out = new ArrayList<>(ids);
    out.add(more);
    return out;
  }

  private long countJobs() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM jobs")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private void assertIntact() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("ok");
    }
  }
}
