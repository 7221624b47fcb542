package io.comfygate.health;

import io.comfygate.internal.Durations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs rounds of checks in parallel on the monitor's executor, each bounded by the shorter of its
 * own timeout and the round's budget. Thread-safe.
 *
 * <p>At most one run of each check is in flight: a round that starts while an earlier run of the
 * same check is still going joins that run instead of starting another. So a backend that hangs
 * ties up one thread, not one per pre-check click. A run is interrupted once it is past its own
 * timeout, never merely because a short pre-check budget ran out (a concurrent full round may
 * still be waiting for it).
 */
final class CheckRunner {
  private final List<HealthCheck> checks;
  private final ExecutorService executor;
  private final Clock clock;
  private final ConcurrentHashMap<String, Run> inFlight = new ConcurrentHashMap<>();

  CheckRunner(List<HealthCheck> checks, ExecutorService executor, Clock clock) {
    this.checks = List.copyOf(checks);
    this.executor = executor;
    this.clock = clock;
  }

  /**
   * Runs every check and waits for each at most min(its timeout, budget) from now.
   *
   * @param budget null for no cap beyond each check's own timeout
   * @throws InterruptedException if the caller is interrupted; runs in flight keep going
   */
  HealthReport round(Duration budget) throws InterruptedException {
    Instant checkedAt = clock.instant();
    long start = System.nanoTime();
    List<Run> runs = new ArrayList<>(checks.size());
    for (HealthCheck check : checks) {
      runs.add(start(check));
    }
    List<CheckResult> results = new ArrayList<>(checks.size());
    for (int i = 0; i < checks.size(); i++) {
      HealthCheck check = checks.get(i);
      Duration limit = budget == null || check.timeout().compareTo(budget) <= 0 ? check.timeout() : budget;
      results.add(await(check, runs.get(i), start, limit, checkedAt));
    }
    return new HealthReport(results, checkedAt);
  }

  private CheckResult await(HealthCheck check, Run run, long start, Duration limit, Instant checkedAt)
      throws InterruptedException {
    if (run == null) {
      return result(check, CheckOutcome.down("health checks are shutting down"), Duration.ZERO, checkedAt);
    }
    long waitNanos = start + limit.toNanos() - System.nanoTime();
    try {
      CheckOutcome outcome = run.get(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
      return result(check, outcome, run.elapsed(), checkedAt);
    } catch (TimeoutException e) {
      if (run.elapsed().compareTo(check.timeout()) >= 0) {
        run.cancel(true); // past its own timeout: stop it, or at least stop waiting for it
      }
      return result(check, CheckOutcome.down("no answer within " + Durations.human(limit)), limit, checkedAt);
    } catch (CancellationException e) {
      // Joined a run that an earlier round gave up on, and whose thread has not returned yet.
      return result(check, CheckOutcome.down("no answer within " + Durations.human(check.timeout())
          + " (still running since an earlier check)"), Duration.ZERO, checkedAt);
    } catch (ExecutionException e) {
      return result(check, CheckOutcome.down(reasonOf(e.getCause() == null ? e : e.getCause())), run.elapsed(), checkedAt);
    }
  }

  private Run start(HealthCheck check) {
    Run fresh = new Run(check);
    Run existing = inFlight.putIfAbsent(check.name(), fresh);
    if (existing != null) {
      return existing;
    }
    try {
      executor.execute(fresh);
      return fresh;
    } catch (RejectedExecutionException e) {
      inFlight.remove(check.name(), fresh);
      return null;
    }
  }

  private static CheckResult result(HealthCheck check, CheckOutcome outcome, Duration latency, Instant checkedAt) {
    if (outcome == null) {
      outcome = CheckOutcome.down("the check returned no outcome");
    }
    return new CheckResult(check.name(), outcome.status(), latency, outcome.reason(), checkedAt);
  }

  /** The exception's message, one line and short; its type when it has no message. */
  static String reasonOf(Throwable t) {
    String message = t.getMessage();
    if (message == null || message.isBlank()) {
      return t.getClass().getSimpleName();
    }
    String line = message.strip().replaceAll("\\s+", " ");
    return line.length() <= 300 ? line : line.substring(0, 299) + "…";
  }

  /** One run of one check; leaves {@link #inFlight} only when its thread is really done. */
  private final class Run extends FutureTask<CheckOutcome> {
    private final String name;
    private final long created = System.nanoTime();
    private volatile long finished;

    Run(HealthCheck check) {
      super(check::check);
      this.name = check.name();
    }

    // Leave inFlight before the result becomes visible, so a round that starts right after
    // someone saw this result runs the check afresh instead of joining a finished run.
    @Override
    protected void set(CheckOutcome outcome) {
      finished = System.nanoTime();
      inFlight.remove(name, this);
      super.set(outcome);
    }

    @Override
    protected void setException(Throwable t) {
      finished = System.nanoTime();
      inFlight.remove(name, this);
      super.setException(t);
    }

    @Override
    public void run() {
      try {
        super.run();
      } finally {
        inFlight.remove(name, this); // a cancelled run: its thread is only now free
      }
    }

    /** Time since the run was submitted, or its total once done; waiting in the queue counts. */
    Duration elapsed() {
      long end = finished != 0 ? finished : System.nanoTime();
      return Duration.ofNanos(end - created);
    }
  }
}
