package io.comfygate.errors;

/**
 * A job or image store operation failed: the database could not be reached in time, a statement
 * failed, or the database is in a state this code cannot use (for example a newer schema).
 *
 * <p>The message starts with the operation (for example {@code "job.insert"}) and the cause, when
 * there is one, is the underlying {@link java.sql.SQLException} or I/O error.
 */
public class StoreException extends ComfyException {
  private static final long serialVersionUID = 1L;
  /** SQLite's primary result codes (the low byte of an extended code). */
  private static final int SQLITE_BUSY = 5;
  private static final int SQLITE_LOCKED = 6;
  private static final int SQLITE_FULL = 13;

  private final String operation;

  public StoreException(String operation, String message) {
    super(operation + ": " + message);
    this.operation = operation;
  }

  public StoreException(String operation, String message, Throwable cause) {
    super(operation + ": " + message, cause);
    this.operation = operation;
  }

  /**
   * Whether the failure is the database's passing state rather than a broken one, so that trying
   * again later may succeed: another connection or program held its lock longer than the busy
   * timeout ({@code SQLITE_BUSY}, {@code SQLITE_LOCKED}; PostgreSQL's lock timeout, deadlock or
   * serialization failure), its disk is full ({@code SQLITE_FULL}; PostgreSQL's {@code disk_full}),
   * the PostgreSQL server cannot be reached or is restarting, or no connection came free in time.
   */
  public boolean busy() {
    for (Throwable t = getCause(); t != null; t = t.getCause()) {
      if (t instanceof java.sql.SQLTransientException) {
        return true;
      }
      if (t instanceof java.sql.SQLException sql) {
        int primary = sql.getErrorCode() & 0xff;
        if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_FULL) {
          return true;
        }
        if (passingPostgresqlState(sql.getSQLState())) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * PostgreSQL's SQLSTATEs for a passing condition: connection exceptions (class 08), serialization
   * failure and deadlock (40001, 40P01), lock not available (55P03, the lock timeout), disk full
   * (53100) and a server shutting down or starting (57P01, 57P02, 57P03). SQLite's driver sets no
   * SQLSTATE of these shapes.
   */
  private static boolean passingPostgresqlState(String state) {
    if (state == null || state.length() != 5) {
      return false;
    }
    return state.startsWith("08") || switch (state) {
      case "40001", "40P01", "55P03", "53100", "57P01", "57P02", "57P03" -> true;
      default -> false;
    };
  }

  /** The store operation that failed, for example {@code "image.gallery"}. */
  public String operation() {
    return operation;
  }
}
