package io.comfygate.web.live;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;

/**
 * Limits the sends under each key (the hub's {@code progress:<job>} and {@code preview:<job>})
 * without ever losing the last one. Each send carries a level (a job's percent): a send whose level
 * differs from the last one sent is news, and goes at once unless two news went in the last
 * interval; any other send goes at most once per interval after the previous send of any kind. So
 * a new percent is never held back by a mere change of the running node, nor by one other news
 * that came just before it (two steps that reach us close together because the first was late),
 * and a key gets at most three sends per interval.
 *
 * <p>A send that may not go yet waits, replaced by any newer one, and goes as soon as it may (the
 * trailing send). Sends run under this object's lock, on the caller's thread or (trailing) on the
 * scheduler's, so once {@link #flush} returns no older send of its key can still run: the hub
 * flushes a job's progress before offering its state change, which keeps the last progress and
 * keeps it ahead of the job's end. Sends must only enqueue. Thread-safe.
 */
final class Throttle {
  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private final Scheduler scheduler;
  private final Map<String, Slot> slots = new HashMap<>();

  /** One key's last sends, and the send waiting for its turn (if any). */
  private static final class Slot {
    boolean sentAny;
    long lastSent;
    long lastNews;
    long newsBefore; // the news before the last one
    int newsSent; // counted up to 2
    int sentLevel;
    Runnable waiting;
    int waitingLevel;
    // When the earliest armed timer fires; Long.MAX_VALUE if none is armed.
    long timerAt = Long.MAX_VALUE;
  }

  Throttle(long intervalNanos, LongSupplier nanoTime, Scheduler scheduler) {
    this.intervalNanos = intervalNanos;
    this.nanoTime = nanoTime;
    this.scheduler = scheduler;
  }

  /** Runs {@code send} now if it may go, else as soon as it may (unless a newer one replaces it). */
  synchronized void submit(String key, int level, Runnable send) {
    Slot slot = slots.computeIfAbsent(key, k -> new Slot());
    slot.waiting = send;
    slot.waitingLevel = level;
    release(key, slot, nanoTime.getAsLong());
  }

  /** Runs the key's waiting send now, if any; no older send of the key runs after this returns. */
  synchronized void flush(String key) {
    Slot slot = slots.get(key);
    if (slot != null && slot.waiting != null) {
      run(slot, nanoTime.getAsLong());
    }
  }

  /** Forgets the key (its job ended), dropping a waiting send; call {@link #flush} first to keep it. */
  synchronized void forget(String key) {
    slots.remove(key);
  }

  private void release(String key, Slot slot, long now) {
    if (slot.waiting == null) {
      return;
    }
    long due = dueAt(slot, now);
    if (due <= now) {
      run(slot, now);
    } else if (due < slot.timerAt) {
      try {
        scheduler.schedule(() -> trailing(key, slot, due), due - now);
        slot.timerAt = due;
      } catch (RejectedExecutionException e) { // shutting down: nobody left to send to
        slot.waiting = null;
      }
    }
  }

  private long dueAt(Slot slot, long now) {
    if (!slot.sentAny) {
      return now;
    }
    if (slot.waitingLevel == slot.sentLevel) {
      return slot.lastSent + intervalNanos;
    }
    return slot.newsSent < 2 ? now : slot.newsBefore + intervalNanos;
  }

  private void run(Slot slot, long now) {
    Runnable send = slot.waiting;
    if (!slot.sentAny || slot.waitingLevel != slot.sentLevel) {
      slot.newsBefore = slot.lastNews;
      slot.lastNews = now;
      slot.newsSent = Math.min(2, slot.newsSent + 1);
    }
    slot.sentAny = true;
    slot.lastSent = now;
    slot.sentLevel = slot.waitingLevel;
    slot.waiting = null;
    send.run();
  }

  private synchronized void trailing(String key, Slot slot, long at) {
    if (slot.timerAt == at) {
      slot.timerAt = Long.MAX_VALUE;
    }
    if (slots.get(key) == slot) { // else forgotten meanwhile
      release(key, slot, nanoTime.getAsLong());
    }
  }

  /** For tests: how many keys are tracked. */
  synchronized int size() {
    return slots.size();
  }
}
