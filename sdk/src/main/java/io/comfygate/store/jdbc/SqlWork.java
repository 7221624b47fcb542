package io.comfygate.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Work done with one connection inside {@link Database#inTransaction} or {@link Database#read}.
 *
 * @param <R> what the work returns
 */
@FunctionalInterface
public interface SqlWork<R> {
  /** Does the work; the connection must not be closed or kept. */
  R run(Connection connection) throws SQLException;
}
