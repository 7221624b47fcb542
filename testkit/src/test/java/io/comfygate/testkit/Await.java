package io.comfygate.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Bounded polling for tests: no sleep-then-assert. */
final class Await {
  static final Duration WAIT = Duration.ofSeconds(10);

  private Await() {}

  /** Polls until the condition holds; fails after {@link #WAIT}. */
  static void until(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + WAIT);
      }
      Thread.sleep(5);
    }
  }
}
