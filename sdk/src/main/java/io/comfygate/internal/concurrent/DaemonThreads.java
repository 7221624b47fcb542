package io.comfygate.internal.concurrent;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;

/**
 * Named daemon threads and bounded shutdown for the executors the SDK owns. Internal: not part of
 * the SDK's API.
 *
 * <p>Every SDK thread is a daemon named {@code comfygate-<what>-<n>}, so a leak is easy to spot in
 * a thread dump (and in tests), and a forgotten close() never keeps a JVM alive.
 */
public final class DaemonThreads {
  private DaemonThreads() {}

  /** A factory of daemon threads named {@code prefix-1}, {@code prefix-2}, … */
  public static ThreadFactory named(String prefix) {
    if (!prefix.startsWith("comfygate-")) {
      throw new IllegalArgumentException("thread prefix must start with comfygate-: " + prefix);
    }
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread t = new Thread(task, prefix + "-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Interrupts the executor's tasks and waits at most {@code wait} for its threads to end; logs a
   * warning on overrun rather than waiting longer. An interrupt while waiting is re-asserted.
   *
   * @return true if every thread ended in time
   */
  public static boolean shutdown(ExecutorService executor, Duration wait, Logger log, String what) {
    executor.shutdownNow();
    try {
      if (executor.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        return true;
      }
      log.warn("{}: threads still running {} ms after close; a task ignores interrupts", what, wait.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("{}: interrupted while waiting for threads to end", what);
    }
    return false;
  }
}
