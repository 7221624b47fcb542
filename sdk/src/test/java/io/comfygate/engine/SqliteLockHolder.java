package io.comfygate.engine;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/**
 * Another process holding the SQLite file's write lock, as a backup tool or an operator's
 * {@code sqlite3} shell can: {@code BEGIN EXCLUSIVE}, print {@code LOCKED}, hold it for the given
 * milliseconds, roll back and exit. Arguments: database file, milliseconds.
 */
public final class SqliteLockHolder {
  static final String LOCKED = "LOCKED";

  private SqliteLockHolder() {}

  public static void main(String[] args) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + args[0]);
        Statement s = c.createStatement()) {
      s.execute("PRAGMA busy_timeout=5000");
      s.execute("BEGIN EXCLUSIVE");
      System.out.println(LOCKED);
      System.out.flush();
      Thread.sleep(Long.parseLong(args[1]));
      s.execute("ROLLBACK");
    }
  }
}
