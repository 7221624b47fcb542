package io.comfygate.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SQLite's group commit, through {@link Database#inSharedTransaction}. */
class GroupCommitTest {
  private static final long WAIT_SECONDS = 10;

  @TempDir Path dir;

  @Test
  void writesQueuedBehindALeaderCommitTogetherAndAFailingOneRollsBackAlone() throws Exception {
    try (Database db = open()) {
      CountDownLatch leaderInside = new CountDownLatch(1);
      CountDownLatch releaseLeader = new CountDownLatch(1);
      Set<Thread> ranOn = ConcurrentHashMap.newKeySet();
      ExecutorService pool = Executors.newFixedThreadPool(6);
      try {
        Future<Integer> leader = pool.submit(() -> db.inSharedTransaction("test.leader", c -> {
          leaderInside.countDown();
          await(releaseLeader);
          return insert(c, "leader");
        }));
        assertThat(leaderInside.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        List<Thread> callers = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Future<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          String name = i == 2 ? "fails" : "row-" + i;
          queued.add(pool.submit(() -> {
            callers.add(Thread.currentThread());
            return db.inSharedTransaction("test.queued", c -> {
              ranOn.add(Thread.currentThread());
              if (name.equals("fails")) {
                insert(c, name);
                throw new IllegalStateException("refused: " + name);
              }
              return insert(c, name);
            });
          }));
        }
        awaitParked(callers, 5);
        releaseLeader.countDown();

        assertThat(leader.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(1);
        for (int i = 0; i < 5; i++) {
          Future<Integer> f = queued.get(i);
          if (i == 2) {
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> f.get(WAIT_SECONDS, TimeUnit.SECONDS)))
                .hasRootCauseInstanceOf(IllegalStateException.class).hasRootCauseMessage("refused: fails");
          } else {
            assertThat(f.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(1);
          }
        }
        assertThat(ranOn).as("the five queued writes ran in one batch, on its leader's thread").hasSize(1);
        assertThat(names(db)).containsExactlyInAnyOrder("leader", "row-0", "row-1", "row-3", "row-4");
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void everyConcurrentWriteIsCommittedAndAnsweredToItsOwnCaller() throws Exception {
    int threads = 8;
    int each = 200;
    try (Database db = open()) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<List<String>>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int thread = t;
          results.add(pool.submit(() -> {
            List<String> answers = new ArrayList<>();
            for (int i = 0; i < each; i++) {
              String name = thread + "-" + i;
              answers.add(db.inSharedTransaction("test.many", c -> {
                insert(c, name);
                return name;
              }));
            }
            return answers;
          }));
        }
        for (int t = 0; t < threads; t++) {
          String mine = t + "-";
          assertThat(results.get(t).get(60, TimeUnit.SECONDS)).hasSize(each).allMatch(a -> a.startsWith(mine));
        }
        assertThat(names(db)).hasSize(threads * each).doesNotHaveDuplicates();
      } finally {
        pool.shutdownNow();
      }
    }
  }

  private Database open() throws SQLException {
    Database db = Database.open(dir.resolve("group.db").toString());
    db.inTransaction("test.create", c -> {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS scratch (name TEXT PRIMARY KEY)");
      }
      return null;
    });
    return db;
  }

  private static int insert(java.sql.Connection c, String name) throws SQLException {
    try (PreparedStatement insert = c.prepareStatement("INSERT INTO scratch (name) VALUES (?)")) {
      insert.setString(1, name);
      return insert.executeUpdate();
    }
  }

  private static List<String> names(Database db) {
    return db.read("test.names", c -> {
      List<String> out = new ArrayList<>();
      try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("SELECT name FROM scratch")) {
        while (rows.next()) {
          out.add(rows.getString(1));
        }
      }
      return out;
    });
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new IllegalStateException("not released within " + WAIT_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Waits (bounded) until {@code count} callers have started and wait behind the leader. */
  private static void awaitParked(List<Thread> callers, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (System.nanoTime() < deadline) {
      List<Thread> seen;
      synchronized (callers) {
        seen = List.copyOf(callers);
      }
      if (seen.size() == count && seen.stream().allMatch(t -> t.getState() == Thread.State.TIMED_WAITING)) {
        return;
      }
      Thread.sleep(5);
    }
    throw new AssertionError("the " + count + " writes did not queue behind the leader within " + WAIT_SECONDS + " s");
  }
}
