package io.comfygate.store;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Purges, on a schedule, images that have been in the trash longer than a retention period. Runs
 * on its own daemon thread {@code comfygate-trash-sweep}; the first sweep happens one interval after
 * {@link #start}. A failing sweep is logged and the schedule goes on.
 *
 * <p>Thread-safe. {@link #close()} is idempotent: it stops the schedule and waits a bounded time
 * for a sweep in progress.
 */
public final class TrashSweeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TrashSweeper.class);
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

  private final TrashPurger purger;
  private final Duration retention;
  private final Clock clock;
  private final ScheduledExecutorService executor;
  private final AtomicBoolean closed = new AtomicBoolean();

  private TrashSweeper(TrashPurger purger, Duration retention, Clock clock) {
    this.purger = purger;
    this.retention = retention;
    this.clock = clock;
    this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "comfygate-trash-sweep");
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * Starts sweeping every {@code interval}.
   *
   * @param purger what removes the trashed images
   * @param retention how long an image stays in the trash before a sweep removes it
   * @param interval time between sweeps
   * @param clock the time source for the retention cutoff
   * @throws IllegalArgumentException if {@code retention} is negative or {@code interval} not
   *     positive
   */
  public static TrashSweeper start(
      TrashPurger purger, Duration retention, Duration interval, Clock clock) {
    Objects.requireNonNull(purger, "purger");
    Objects.requireNonNull(clock, "clock");
    if (retention.isNegative()) {
      throw new IllegalArgumentException("retention must be >= 0: " + retention);
    }
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be > 0: " + interval);
    }
    TrashSweeper sweeper = new TrashSweeper(purger, retention, clock);
    long millis = interval.toMillis();
    sweeper.executor.scheduleWithFixedDelay(
        sweeper::sweepLogged, millis, millis, TimeUnit.MILLISECONDS);
    return sweeper;
  }

  /**
   * Sweeps now, on the calling thread: purges images deleted before {@code now - retention}.
   *
   * @throws io.comfygate.errors.StoreException if the store fails
   */
  public PurgeResult sweepNow() {
    PurgeResult result = purger.purgeDeletedBefore(clock.instant().minus(retention));
    if (result.purged() > 0 || !result.failures().isEmpty()) {
      log.info("trash sweep purged {} images ({} bytes), {} kept after failures",
          result.purged(), result.bytesFreed(), result.failures().size());
    }
    return result;
  }

  private void sweepLogged() {
    try {
      sweepNow();
    } catch (RuntimeException e) {
      // Thrown out of a scheduled task, it would cancel every later sweep.
      log.warn("trash sweep failed; next attempt at the next interval", e);
    }
  }

  /** Stops the schedule; waits up to 10 s for a running sweep, then interrupts it. */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    executor.shutdown();
    try {
      if (!executor.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("trash sweep did not stop within {}; interrupting it", CLOSE_WAIT);
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
