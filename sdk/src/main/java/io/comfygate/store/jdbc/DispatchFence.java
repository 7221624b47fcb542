package io.comfygate.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The check a dispatch write makes in its own transaction before it commits: that this instance
 * still holds the dispatcher lease with the fence it acquired (see {@link ClusterStore#fence}).
 * When it fails the write is not made and {@link LeaseLostException} is thrown, so nothing is sent
 * to ComfyUI on its strength.
 */
@FunctionalInterface
public interface DispatchFence {
  /** No check: one instance per database (SQLite), always the dispatcher. */
  DispatchFence NONE = tx -> true;

  /**
   * Whether this instance holds the lease now; may lock the lease row until {@code tx} ends, so
   * that no other instance can take the lease before this transaction is committed.
   */
  boolean holds(Connection tx) throws SQLException;
}
