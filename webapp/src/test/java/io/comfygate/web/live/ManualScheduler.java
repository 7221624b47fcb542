package io.comfygate.web.live;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Scheduler} for tests: tasks run on the test's thread when it says so, delayed ones once
 * the fake clock (shared with the code under test) has reached them.
 */
final class ManualScheduler implements Scheduler {
  private record Delayed(long due, Runnable task) {}

  private final AtomicLong now;
  private final ArrayDeque<Runnable> ready = new ArrayDeque<>();
  private final ArrayDeque<Runnable> background = new ArrayDeque<>();
  private final List<Delayed> delayed = new ArrayList<>();
  private boolean closed;
  private int executed;

  ManualScheduler(AtomicLong now) {
    this.now = now;
  }

  @Override
  public synchronized void execute(Runnable task) {
    if (closed) {
      throw new RejectedExecutionException("closed");
    }
    ready.add(task);
  }

  @Override
  public synchronized void executeInBackground(Runnable task) {
    if (closed) {
      throw new RejectedExecutionException("closed");
    }
    background.add(task);
  }

  @Override
  public synchronized void schedule(Runnable task, long delayNanos) {
    if (closed) {
      throw new RejectedExecutionException("closed");
    }
    delayed.add(new Delayed(now.get() + delayNanos, task));
  }

  @Override
  public synchronized void close() {
    closed = true;
    delayed.clear();
  }

  /** Runs the ready tasks, and those they make ready, until none is left. */
  void runAll() {
    while (runOne()) {
      // next
    }
  }

  /** Runs the task that is first in the urgent lane, else in the background lane; false if there is none. */
  boolean runOne() {
    Runnable next;
    synchronized (this) {
      next = ready.poll();
      if (next == null) {
        next = background.poll();
      }
      if (next == null) {
        return false;
      }
      executed++;
    }
    next.run();
    return true;
  }

  /** Moves the clock on, making the delayed tasks due by then ready, in order, and runs everything. */
  void advance(Duration by) {
    now.addAndGet(by.toNanos());
    List<Delayed> due = new ArrayList<>();
    synchronized (this) {
      for (Delayed d : List.copyOf(delayed)) {
        if (d.due() <= now.get()) {
          due.add(d);
          delayed.remove(d);
        }
      }
    }
    due.sort((a, b) -> Long.compare(a.due(), b.due()));
    for (Delayed d : due) {
      execute(d.task());
    }
    runAll();
  }

  synchronized int readyCount() {
    return ready.size() + background.size();
  }

  synchronized int delayedCount() {
    return delayed.size();
  }

  synchronized int executedCount() {
    return executed;
  }
}
