package io.comfygate.store.jdbc;

import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Work done inside the write transaction of every job state change of a {@link JdbcJobStore}
 * (insert, transition, completion), after the job row is written: what it writes commits or rolls
 * back together with the change. This is how the webhook outbox records an event so that no crash
 * can separate it from the state change it reports.
 *
 * <p>Runs on the caller's thread while it holds the single write connection (and, inside the
 * engine, the engine's lock): keep it to a few statements on {@code tx}; no I/O, no waiting.
 */
@FunctionalInterface
public interface JobChangeHook {
  /** Does nothing. */
  JobChangeHook NONE = (tx, id, state, at) -> {};

  /**
   * Called once per committed-to-be change.
   *
   * @param tx the transaction's connection; reads see the change itself (and a completed job's images)
   * @param state the job's new state
   * @param at when the change happened
   * @throws SQLException rolls the whole change back
   */
  void changed(Connection tx, JobId id, JobState state, Instant at) throws SQLException;
}
