package io.comfygate.web.live;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The few daemon threads ({@code comfygate-live-send-N}) on which the live sessions' messages are
 * written, so that the engine's event thread only ever enqueues. Each session's {@link Outbox}
 * has at most one task here at a time (and the hub one delayed task per throttled job), so the
 * queue is bounded by the number of open sessions and running jobs.
 *
 * <p>{@link #close()} drops delayed tasks, lets started ones finish, and waits a bounded time for
 * the threads to end: a WAR must not leave threads behind on undeploy. Idempotent.
 */
final class SendPool implements Scheduler {
  private static final Logger LOG = LoggerFactory.getLogger(SendPool.class);
  static final String THREAD_PREFIX = "comfygate-live-send-";

  private final ScheduledThreadPoolExecutor executor;
  private final Duration closeWait;

  /** @param threads how many sends may be written at the same time */
  SendPool(int threads, Duration closeWait) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1: " + threads);
    }
    AtomicInteger made = new AtomicInteger();
    this.executor = new ScheduledThreadPoolExecutor(threads, r -> {
      Thread t = new Thread(r, THREAD_PREFIX + made.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    // A throttled progress still waiting at shutdown has no session left to go to.
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    executor.setRemoveOnCancelPolicy(true);
    this.closeWait = closeWait;
  }

  @Override
  public void execute(Runnable task) {
    executor.execute(guarded(task));
  }

  @Override
  public void schedule(Runnable task, long delayNanos) {
    executor.schedule(guarded(task), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
  }

  // A scheduled executor keeps a task's exception in its Future, which nobody reads: log it here.
  private static Runnable guarded(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.warn("live: a send task failed", e);
      }
    };
  }

  @Override
  public void close() {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(closeWait.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("live: send threads still busy after {} ms; interrupting them", closeWait.toMillis());
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      executor.shutdownNow();
    }
  }
}
