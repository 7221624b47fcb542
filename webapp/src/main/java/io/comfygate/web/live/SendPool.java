package io.comfygate.web.live;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The few daemon threads ({@code comfygate-live-send-N}) on which the live sessions' messages are
 * written, so that the engine's event thread only ever enqueues. Each session's {@link SessionOutbox}
 * has at most two tasks here at a time (one urgent, one background), and the hub one delayed task
 * per throttled job, so the queues are bounded by the number of open sessions and running jobs.
 * Urgent tasks run before background ones, whenever they were queued.
 *
 * <p>{@link #close()} drops delayed tasks, lets started ones finish, and waits a bounded time for
 * the threads to end: a WAR must not leave threads behind on undeploy. Idempotent.
 */
final class SendPool implements Scheduler {
  private static final Logger LOG = LoggerFactory.getLogger(SendPool.class);
  static final String THREAD_PREFIX = "comfygate-live-send-";
  private static final int BATCH = 64;

  private final ScheduledThreadPoolExecutor executor;
  private final Duration closeWait;
  private final Queue<Runnable> urgent = new ConcurrentLinkedQueue<>();
  private final Queue<Runnable> background = new ConcurrentLinkedQueue<>();
  private final int threads;
  private final AtomicInteger working = new AtomicInteger();

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
    this.threads = threads;
  }

  @Override
  public void execute(Runnable task) {
    urgent.add(task);
    wake();
  }

  @Override
  public void executeInBackground(Runnable task) {
    background.add(task);
    wake();
  }

  /**
   * Starts one more worker unless all threads already work. A burst of tasks (a queue move offers
   * one to nearly every session) thus costs the offering thread a queue insertion each, not a
   * thread wake-up each.
   */
  private void wake() {
    int now;
    do {
      now = working.get();
      if (now >= threads) {
        return;
      }
    } while (!working.compareAndSet(now, now + 1));
    try {
      executor.execute(this::work);
    } catch (RejectedExecutionException e) {
      working.decrementAndGet();
      throw e;
    }
  }

  /**
   * Runs queued tasks, the urgent ones first, until none is left; after each {@value #BATCH} it
   * queues itself again, so that due delayed tasks get a thread in between.
   */
  private void work() {
    for (int i = 0; i < BATCH; i++) {
      Runnable next = next();
      if (next == null) {
        done();
        return;
      }
      try {
        next.run();
      } catch (RuntimeException e) {
        LOG.warn("live: a send task failed", e);
      }
    }
    try {
      executor.execute(this::work);
    } catch (RejectedExecutionException e) { // shut down
      working.decrementAndGet();
    }
  }

  private void done() {
    working.decrementAndGet();
    // A task queued after our last look, whose wake() still counted us as working, is not lost.
    if (!urgent.isEmpty() || !background.isEmpty()) {
      try {
        wake();
      } catch (RejectedExecutionException e) {
        // shut down: the hub has discarded every session
      }
    }
  }

  private Runnable next() {
    Runnable next = urgent.poll();
    return next != null ? next : background.poll();
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
