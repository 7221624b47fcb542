package io.comfygate.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} for tests that is set and advanced by hand.
 *
 * <pre>{@code
 * FakeClock clock = FakeClock.at(Instant.parse("2026-01-01T00:00:00Z")); // stands still
 * clock.advance(Duration.ofMinutes(5));
 * FakeClock shifted = FakeClock.ticking(); // the system clock, moved by what advance() adds
 * }</pre>
 *
 * <p>A clock made by {@link #at} moves only when {@link #set} or {@link #advance} is called; one
 * made by {@link #ticking} follows the system clock (for code whose timers still run in real time)
 * shifted by the same calls. Thread-safe: any thread may read or move it. A copy made by {@link
 * #withZone} shares the time of this one. The zone is UTC unless changed.
 */
public final class FakeClock extends Clock {
  private final Clock base;
  private final AtomicReference<Duration> offset;
  private final ZoneId zone;

  private FakeClock(Clock base, AtomicReference<Duration> offset, ZoneId zone) {
    this.base = base;
    this.offset = offset;
    this.zone = zone;
  }

  /** A clock that stands at {@code start} until set or advanced. */
  public static FakeClock at(Instant start) {
    Objects.requireNonNull(start, "start");
    return new FakeClock(Clock.fixed(start, ZoneOffset.UTC), new AtomicReference<>(Duration.ZERO), ZoneOffset.UTC);
  }

  /** A clock that runs with the system clock, shifted by what {@link #set} and {@link #advance} do. */
  public static FakeClock ticking() {
    return new FakeClock(Clock.systemUTC(), new AtomicReference<>(Duration.ZERO), ZoneOffset.UTC);
  }

  /**
   * Moves the clock by {@code amount} (negative amounts move it back).
   *
   * @return the time after the move
   */
  public Instant advance(Duration amount) {
    Objects.requireNonNull(amount, "amount");
    Duration now = offset.accumulateAndGet(amount, Duration::plus);
    return base.instant().plus(now);
  }

  /** Sets the clock to {@code time}; a ticking clock goes on running from there. */
  public void set(Instant time) {
    Objects.requireNonNull(time, "time");
    offset.set(Duration.between(base.instant(), time));
  }

  @Override
  public Instant instant() {
    return base.instant().plus(offset.get());
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /** A view of this clock in another zone: setting or advancing either moves both. */
  @Override
  public FakeClock withZone(ZoneId zone) {
    return new FakeClock(base, offset, Objects.requireNonNull(zone, "zone"));
  }

  @Override
  public String toString() {
    return "FakeClock[" + instant() + ", " + zone + "]";
  }
}
