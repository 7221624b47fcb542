package io.comfygate.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * Bounded polling for tests, instead of sleeping and then asserting.
 *
 * <pre>{@code
 * Await.until("job 1 to end", Duration.ofSeconds(20), () -> store.isDone("1"));
 * }</pre>
 *
 * <p>Polls every 10 ms on the calling thread. An interrupt ends the wait with an {@link
 * AssertionError} and leaves the thread's interrupt flag set.
 */
public final class Await {
  /** How long {@link #until(BooleanSupplier)} and {@link #until(String, BooleanSupplier)} wait. */
  public static final Duration WAIT = Duration.ofSeconds(10);

  private static final long POLL_MILLIS = 10;

  private Await() {}

  /** Polls until the condition holds; fails after {@link #WAIT}. */
  public static void until(BooleanSupplier condition) {
    until("a condition", WAIT, condition);
  }

  /** Polls until the condition holds; fails after {@link #WAIT}, naming {@code what} it waited for. */
  public static void until(String what, BooleanSupplier condition) {
    until(what, WAIT, condition);
  }

  /**
   * Polls until the condition holds.
   *
   * @throws AssertionError after {@code limit}, or on an interrupt, naming {@code what} it waited for
   */
  public static void until(String what, Duration limit, BooleanSupplier condition) {
    Objects.requireNonNull(condition, "condition");
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + limit.toMillis() + " ms waiting for " + what);
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }
}
