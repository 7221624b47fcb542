package io.comfygate.web.live;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The few daemon threads ({@code comfygate-live-send-N}) on which the live sessions' messages are
 * written, so that the engine's event thread only ever enqueues. Each session's {@link Outbox}
 * has at most two tasks here at a time (one urgent, one background), and the hub one delayed task
 * per throttled job, so the queues are bounded by the number of open sessions and running jobs.
 *
 * <p>{@link #close()} drops delayed tasks, lets started ones finish, and waits a bounded time for
 * the threads to end: a WAR must not leave threads behind on undeploy. Idempotent.
 */
final class SendPool implements Scheduler {
  private static final Logger LOG = LoggerFactory.getLogger(SendPool.class);
  static final String THREAD_PREFIX = "comfygate-live-send-";

  private final ScheduledThreadPoolExecutor executor;
  private final Duration closeWait;
  private final Queue<Runnable> urgent = new ConcurrentLinkedQueue<>();
  private final Queue<Runnable> background = new ConcurrentLinkedQueue<>();

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
    urgent.add(task);
    runOneLater();
  }

  @Override
  public void executeInBackground(Runnable task) {
    background.add(task);
    runOneLater();
  }

  /**
   * One executor task per queued task, each running whichever queued task is most urgent when a
   * thread takes it up: so a burst of background work delays urgent work by at most the tasks
   * already running.
   */
  private void runOneLater() {
    executor.execute(() -> {
      Runnable next = urgent.poll();
      if (next == null) {
        next = background.poll();
      }
      if (next != null) {
        guarded(next).run();
      }
    });
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
