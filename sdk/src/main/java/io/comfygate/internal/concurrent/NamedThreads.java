package io.comfygate.internal.concurrent;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Internal, not API. Daemon thread factories named {@code comfygate-<role>-N} (so leak checks and
 * thread dumps can find them) and a bounded executor shutdown.
 */
public final class NamedThreads {
  private static final Logger LOG = LoggerFactory.getLogger(NamedThreads.class);

  private NamedThreads() {}

  /** A factory for daemon threads named {@code comfygate-<role>-N}. */
  public static ThreadFactory factory(String role) {
    AtomicInteger seq = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "comfygate-" + role + "-" + seq.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Shuts {@code executor} down and waits at most {@code timeout}; on overrun interrupts its tasks
   * and logs a warning. Restores the interrupt flag if the caller is interrupted while waiting.
   */
  public static void shutdown(ExecutorService executor, Duration timeout, String what) {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        List<Runnable> dropped = executor.shutdownNow();
        LOG.warn("{} did not stop within {}; interrupted it ({} queued tasks dropped)", what, timeout, dropped.size());
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
