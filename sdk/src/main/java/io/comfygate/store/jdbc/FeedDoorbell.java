package io.comfygate.store.jdbc;

import java.sql.SQLException;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes the other instances after job changes committed, with one {@code NOTIFY} for however many
 * changes committed while the previous one was being sent. It is sent from a thread of its own,
 * outside the writers' transactions: PostgreSQL holds one lock per database from a notifying
 * transaction's commit to its end, so a {@code NOTIFY} inside each write would make every write of
 * every instance wait for the previous one's commit to reach the disk. A notification sent on its
 * own writes nothing else and commits without waiting for the disk. One lost (the database away)
 * costs readers at most their polling interval: they read the table on their own too.
 */
final class FeedDoorbell implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FeedDoorbell.class);

  private final Database db;
  private final String payload;
  private final Object lock = new Object();
  private final Thread thread;
  private boolean rung;
  private boolean closed;

  FeedDoorbell(Database db, String payload) {
    this.db = Objects.requireNonNull(db, "db");
    this.payload = payload;
    this.thread = new Thread(this::run, "comfygate-feed-doorbell");
    thread.setDaemon(true);
    thread.start();
  }

  /** A change committed: the readers are woken soon, once for all changes rung until then. */
  void ring() {
    synchronized (lock) {
      if (!rung) {
        rung = true;
        lock.notifyAll();
      }
    }
  }

  private void run() {
    while (true) {
      synchronized (lock) {
        while (!rung && !closed) {
          try {
            lock.wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (closed) {
          return;
        }
        rung = false;
      }
      send();
    }
  }

  private void send() {
    try {
      JobFeed.send(db, payload);
    } catch (SQLException | RuntimeException e) {
      LOG.debug("job-change notification not sent (readers poll the table): {}", e.getMessage());
    }
  }

  /** Stops the thread after the notification it may be sending; waits at most 5 s. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
    }
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
