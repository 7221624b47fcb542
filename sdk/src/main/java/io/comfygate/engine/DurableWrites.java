package io.comfygate.engine;

import io.comfygate.errors.StoreException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the writes that record what ComfyUI has already done (a hand-over, a start, an end). Such a
 * write cannot be refused like a new submit: while the database cannot write (locked by another
 * program, or its disk full) it is tried again, with backoff, outside the engine's lock, until it
 * succeeds. If the engine closes meanwhile the error is thrown; the next start reconciles the job
 * from ComfyUI's history. Other store failures are thrown at once.
 */
final class DurableWrites {
  private static final Logger LOG = LoggerFactory.getLogger(JobEngine.class); // engine logs keep one name
  private static final long FIRST_PAUSE_MILLIS = 50;
  private static final long MAX_PAUSE_MILLIS = 2000;

  private final BooleanSupplier closed;

  DurableWrites(BooleanSupplier closed) {
    this.closed = closed;
  }

  /** @param what names the write in the log line of its first retry */
  <T> T record(String what, Supplier<T> write) {
    long pauseMillis = FIRST_PAUSE_MILLIS;
    for (int attempt = 1; ; attempt++) {
      try {
        return write.get();
      } catch (StoreException e) {
        if (!e.busy() || closed.getAsBoolean()) {
          throw e;
        }
        if (attempt == 1) {
          LOG.atWarn().setMessage("database cannot write yet (locked or full); retrying").addKeyValue("event", "store_retry")
              .addKeyValue("what", what).addKeyValue("reason", e.getMessage()).log();
        }
        try {
          Thread.sleep(pauseMillis);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
        pauseMillis = Math.min(pauseMillis * 2, MAX_PAUSE_MILLIS);
      }
    }
  }
}
