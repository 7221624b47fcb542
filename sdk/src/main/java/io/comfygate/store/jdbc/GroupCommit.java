package io.comfygate.store.jdbc;

import io.comfygate.errors.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit on SQLite's single writer: writes that arrive while another batch commits share
 * the next transaction. No thread of its own and no wait for company: a caller that finds the
 * writer free commits at once (leader), taking along every write queued so far; callers that
 * arrive meanwhile queue and are committed by the next leader, which may be one of them. Each
 * caller waits on its own: the leader wakes every owner of its batch at once when it is done, and
 * the oldest still queued to lead the next one (waiting on the leader's lock instead woke the
 * batch's owners one after the other, a thread switch each). A write that fails (a duplicate
 * id) rolls back alone: the batch then runs again, each write in a savepoint of its own, so a
 * write's work may run twice and must have no effect outside the transaction. A failed BEGIN or
 * COMMIT fails every write of the batch, and none of them is stored.
 */
final class GroupCommit {
  /** Writes per transaction at most, so one batch stays short. */
  private static final int MAX_BATCH = 256;

  private final Database db;
  private final Duration timeout;
  private final ReentrantLock leader = new ReentrantLock();
  private final ConcurrentLinkedQueue<Pending<?>> queue = new ConcurrentLinkedQueue<>();

  GroupCommit(Database db, Duration timeout) {
    this.db = db;
    this.timeout = timeout;
  }

  <R> R run(String operation, SqlWork<R> work) {
    Pending<R> mine = new Pending<>(operation, work);
    queue.add(mine);
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean interrupted = false;
    try {
      while (!mine.done) {
        if (leader.tryLock()) {
          try {
            if (!mine.done) {
              commitBatch();
            }
          } finally {
            leader.unlock();
          }
          wakeNextLeader();
          continue;
        }
        // A leader is committing. It wakes us when our write is done, or, if our write was not in
        // its batch, when it lets go, so that we lead the next one.
        long left = deadline - System.nanoTime();
        if (left <= 0 && queue.remove(mine)) {
          throw new StoreException(operation, "timed out after " + timeout + " waiting for the database writer", null);
        }
        // Past the deadline but taken by a leader: it ends within its own transaction's bounds.
        LockSupport.parkNanos(this, left > 0 ? left : TimeUnit.MILLISECONDS.toNanos(10));
        if (Thread.interrupted()) {
          interrupted = true;
          if (queue.remove(mine)) {
            throw new StoreException(operation, "interrupted while waiting for the database writer", null);
          }
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return mine.result();
  }

  /** Wakes the owner of the oldest queued write, if any, to lead the next batch. */
  private void wakeNextLeader() {
    Pending<?> next = queue.peek();
    if (next != null) {
      LockSupport.unpark(next.owner);
    }
  }

  /**
   * Takes what is queued (the caller's write among it) and commits it in one transaction. The
   * writes first run one after the other with nothing between them; if one of them throws, that
   * transaction is rolled back and the batch runs again with each write in a savepoint of its own,
   * so that only the failing one is undone. A write rarely fails (refusals are results, not
   * exceptions), so the common batch spends no statements on savepoints (two per write before).
   */
  private void commitBatch() {
    List<Pending<?>> batch = new ArrayList<>();
    for (Pending<?> p = queue.poll(); p != null; p = batch.size() < MAX_BATCH ? queue.poll() : null) {
      batch.add(p);
    }
    boolean[] aWriteFailed = {false};
    try {
      db.inTransaction(batch.get(0).operation, connection -> {
        for (Pending<?> p : batch) {
          try {
            p.runAlone(connection); // a failure rolls back the whole transaction
          } catch (SQLException | RuntimeException e) {
            aWriteFailed[0] = true;
            throw e;
          }
        }
        return null;
      });
      batch.forEach(Pending::finish);
    } catch (RuntimeException | Error e) {
      if (aWriteFailed[0] && batch.size() > 1) {
        commitEachInSavepoint(batch);
      } else {
        batch.forEach(p -> p.fail(e)); // its own failure, or BEGIN or COMMIT: nothing is stored
      }
    }
  }

  /** The batch again, each write undone alone if it fails. */
  private void commitEachInSavepoint(List<Pending<?>> batch) {
    try {
      db.inTransaction(batch.get(0).operation, connection -> {
        for (Pending<?> p : batch) {
          p.runInSavepoint(connection);
        }
        return null;
      });
      batch.forEach(Pending::finish);
    } catch (RuntimeException | Error e) {
      for (Pending<?> p : batch) {
        p.fail(e);
      }
    }
  }

  /** One caller's write and, once its batch has committed or failed, its outcome. */
  private static final class Pending<R> {
    final String operation;
    private final SqlWork<R> work;
    /** The caller's thread: it parks until the write is done or it is to lead. */
    final Thread owner = Thread.currentThread();
    private R value;
    private Throwable failure;
    /** Set by the leader after the outcome is written; the owner reads the outcome after seeing it. */
    volatile boolean done;

    Pending(String operation, SqlWork<R> work) {
      this.operation = operation;
      this.work = work;
    }

    void runAlone(Connection connection) throws SQLException {
      value = work.run(connection);
    }

    void runInSavepoint(Connection connection) throws SQLException {
      failure = null;
      execute(connection, "SAVEPOINT one_write");
      try {
        value = work.run(connection);
        execute(connection, "RELEASE one_write");
      } catch (SQLException | RuntimeException e) {
        execute(connection, "ROLLBACK TO one_write");
        execute(connection, "RELEASE one_write");
        failure = e instanceof SQLException sql ? new StoreException(operation, sql.getMessage(), sql) : e;
      }
    }

    void finish() {
      done = true;
      LockSupport.unpark(owner);
    }

    void fail(Throwable batchFailure) {
      value = null;
      failure = batchFailure;
      finish();
    }

    R result() {
      if (failure instanceof RuntimeException e) {
        throw e;
      }
      if (failure instanceof Error e) {
        throw e;
      }
      return value;
    }

    private static void execute(Connection connection, String sql) throws SQLException {
      try (Statement statement = connection.createStatement()) {
        statement.execute(sql);
      }
    }
  }
}
