package io.comfygate.health;

import io.comfygate.errors.ComfyException;
import io.comfygate.internal.concurrent.NamedThreads;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a fixed set of {@link HealthCheck}s in parallel and keeps the latest verdict. Behind
 * {@code /healthz} ({@link #check()}), the admin banner ({@link #cached()}) and the Generate
 * button's 1.5 s pre-check ({@link #precheck}).
 *
 * <p><b>Bounded</b>: every check gets at most its own timeout; one that hangs becomes DOWN with
 * "no answer within 3 s" and never holds the caller longer. A hanging check occupies one thread,
 * whatever the number of callers (they share its run).
 *
 * <p><b>Listeners</b> hear every status change ({@link HealthChange}) seen by full rounds —
 * {@link #check()} and the background refresh — so the engine can stop dispatching to a failed
 * backend. Pre-check rounds, cut short by their budget, update the cached report but never fire
 * listeners, so a slow-but-healthy backend is not declared DOWN by an impatient click. Listeners run
 * on the thread that finished the round, outside any lock; one that throws is logged and skipped.
 *
 * <p><b>Threads and lifecycle</b>: owns daemon threads named {@code comfygate-health-N} (one per
 * check at most, idle ones end) and, with {@link Builder#refreshEvery}, {@code
 * comfygate-health-refresh-1}. {@link #close()} is idempotent and bounded; it interrupts running
 * checks, stops the refresh and closes checks that are {@link AutoCloseable}. After close, {@link
 * #check()} and {@link #precheck} throw {@link IllegalStateException}; {@link #cached()} still
 * answers. Thread-safe.
 */
public final class HealthMonitor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HealthMonitor.class);
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

  private final List<HealthCheck> checks;
  private final Clock clock;
  private final ThreadPoolExecutor executor;
  private final ScheduledExecutorService refresher;
  private final CheckRunner runner;
  private final List<Consumer<HealthChange>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong rounds = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();

  private final Object lock = new Object();
  /** Guarded by {@link #lock}. */
  private HealthReport latest;
  private long latestRound;
  private long latestFullRound;
  private final Map<String, Status> lastStatus = new HashMap<>();

  private HealthMonitor(Builder b) {
    this.checks = List.copyOf(b.checks);
    this.clock = b.clock;
    this.listeners.addAll(b.listeners);
    this.executor = new ThreadPoolExecutor(checks.size(), checks.size(), 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), NamedThreads.factory("health"));
    executor.allowCoreThreadTimeOut(true);
    this.runner = new CheckRunner(checks, executor, clock);
    if (b.refreshEvery != null) {
      refresher = Executors.newSingleThreadScheduledExecutor(NamedThreads.factory("health-refresh"));
      refresher.scheduleWithFixedDelay(this::refresh, 0, b.refreshEvery.toMillis(), TimeUnit.MILLISECONDS);
    } else {
      refresher = null;
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The check names, in registration order. */
  public List<String> checkNames() {
    return checks.stream().map(HealthCheck::name).toList();
  }

  /**
   * Runs every check now and returns the fresh report; waits at most the longest check timeout.
   *
   * @throws ComfyException if the calling thread is interrupted (its flag is set again)
   * @throws IllegalStateException after {@link #close()}
   */
  public HealthReport check() {
    return round(null);
  }

  /**
   * A fast verdict for the Generate button: the latest report if it is at most {@code maxAge} old,
   * else a new round in which each check gets at most {@code budget}; a check that does not finish
   * in time is DOWN with "no answer within …". Returns within about {@code budget} even when a
   * backend hangs.
   *
   * @throws ComfyException if the calling thread is interrupted (its flag is set again)
   * @throws IllegalStateException after {@link #close()}
   */
  public HealthReport precheck(Duration maxAge, Duration budget) {
    if (maxAge == null || maxAge.isNegative()) {
      throw new IllegalArgumentException("maxAge must be >= 0: " + maxAge);
    }
    if (budget == null || budget.isNegative() || budget.isZero()) {
      throw new IllegalArgumentException("budget must be > 0: " + budget);
    }
    Optional<HealthReport> cached = cached();
    if (cached.isPresent() && Duration.between(cached.get().checkedAt(), clock.instant()).compareTo(maxAge) <= 0) {
      return cached.get();
    }
    return round(budget);
  }

  /** The latest report from any round, without running anything; empty before the first round. */
  public Optional<HealthReport> cached() {
    synchronized (lock) {
      return Optional.ofNullable(latest);
    }
  }

  /** Adds a listener for status changes; see the class notes for when and where it runs. */
  public void addListener(Consumer<HealthChange> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  public void removeListener(Consumer<HealthChange> listener) {
    listeners.remove(listener);
  }

  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    if (refresher != null) {
      NamedThreads.shutdown(refresher, CLOSE_WAIT, "HealthMonitor refresh");
    }
    NamedThreads.shutdown(executor, CLOSE_WAIT, "HealthMonitor");
    for (HealthCheck check : checks) {
      if (check instanceof AutoCloseable) {
        try {
          ((AutoCloseable) check).close();
        } catch (Exception e) {
          log.warn("closing health check {} failed: {}", check.name(), e.toString());
        }
      }
    }
  }

  @Override
  public String toString() {
    return "HealthMonitor{checks=" + checkNames() + ", latest=" + cached().map(HealthReport::verdict).orElse("none") + "}";
  }

  private void refresh() {
    try {
      round(null);
    } catch (IllegalStateException e) {
      // closed while scheduled: nothing to refresh
    } catch (ComfyException e) {
      // interrupted by close(): the refresh thread is ending
    } catch (RuntimeException e) {
      // A scheduled task that throws is never run again: log and keep refreshing.
      log.warn("health refresh failed", e);
    }
  }

  private HealthReport round(Duration budget) {
    if (closed.get()) {
      throw new IllegalStateException("HealthMonitor is closed");
    }
    long round = rounds.incrementAndGet();
    HealthReport report;
    try {
      report = runner.round(budget);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ComfyException("interrupted while checking health", e);
    }
    publish(round, report, budget == null);
    return report;
  }

  private void publish(long round, HealthReport report, boolean full) {
    List<HealthChange> changes = new ArrayList<>();
    synchronized (lock) {
      if (round > latestRound) {
        latest = report;
        latestRound = round;
      }
      if (full && round > latestFullRound) {
        latestFullRound = round;
        for (CheckResult r : report.checks()) {
          Status before = lastStatus.getOrDefault(r.name(), Status.UP);
          if (before != r.status()) {
            changes.add(new HealthChange(r.name(), before, r.status(), r));
          }
          lastStatus.put(r.name(), r.status());
        }
      }
    }
    // Outside the lock: a listener may call back into the monitor or take its own locks.
    for (HealthChange change : changes) {
      log.debug("health_change {} {} -> {}: {}", change.check(), change.from(), change.to(), change.result().reason());
      for (Consumer<HealthChange> listener : listeners) {
        try {
          listener.accept(change);
        } catch (RuntimeException e) {
          log.warn("health listener failed on {}", change, e);
        }
      }
    }
  }

  /**
   * Collects the checks and options. At least one check is required; names must be unique. Not
   * thread-safe.
   */
  public static final class Builder {
    private final List<HealthCheck> checks = new ArrayList<>();
    private final List<Consumer<HealthChange>> listeners = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private Duration refreshEvery;

    private Builder() {}

    /** Adds a check; the monitor takes ownership (closes it if it is AutoCloseable). */
    public Builder add(HealthCheck check) {
      Objects.requireNonNull(check, "check");
      if (check.timeout() == null || check.timeout().isNegative() || check.timeout().isZero()) {
        throw new IllegalArgumentException("timeout of check " + check.name() + " must be > 0: " + check.timeout());
      }
      checks.add(check);
      return this;
    }

    /** The clock for report times and cache age; default UTC system clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Runs a full round at start and then this long after each round ends; off by default. */
    public Builder refreshEvery(Duration interval) {
      if (interval == null || interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("refreshEvery must be > 0: " + interval);
      }
      this.refreshEvery = interval;
      return this;
    }

    public Builder listener(Consumer<HealthChange> listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Builds the monitor and, with {@link #refreshEvery}, starts refreshing.
     *
     * @throws IllegalStateException without checks or with two checks of the same name
     */
    public HealthMonitor build() {
      if (checks.isEmpty()) {
        throw new IllegalStateException("a HealthMonitor needs at least one check");
      }
      Set<String> names = new HashSet<>();
      for (HealthCheck c : checks) {
        if (!names.add(c.name())) {
          throw new IllegalStateException("two health checks are named " + c.name());
        }
      }
      return new HealthMonitor(this);
    }
  }
}
