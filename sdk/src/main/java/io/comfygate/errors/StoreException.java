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

  private final String operation;

  public StoreException(String operation, String message) {
    super(operation + ": " + message);
    this.operation = operation;
  }

  public StoreException(String operation, String message, Throwable cause) {
    super(operation + ": " + message, cause);
    this.operation = operation;
  }

  /** The store operation that failed, for example {@code "image.gallery"}. */
  public String operation() {
    return operation;
  }
}
