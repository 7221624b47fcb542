package io.comfygate.web.live;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;

/**
 * At most one send per key and interval, and never a lost last one: a send that comes too soon
 * after the previous one waits, replaced by any newer one, until the interval has passed, then
 * runs (the trailing send). Keys are the hub's {@code progress:<job>} and {@code preview:<job>}.
 *
 * <p>Sends run under this object's lock, on the caller's thread or (trailing) on the scheduler's,
 * so a caller that {@linkplain #flush flushes} a key knows that no send of it runs after that
 * call returns: the hub flushes a job's progress before offering its state change, which keeps
 * the last progress and keeps it ahead of the job's end. Sends must only enqueue. Thread-safe.
 */
final class Throttle {
  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private final Scheduler scheduler;
  private final Map<String, Slot> slots = new HashMap<>();

  /** One key's last send, and the send waiting for the end of the interval (if any). */
  private static final class Slot {
    long lastSent;
    Runnable waiting;
    boolean timerSet;
  }

  Throttle(long intervalNanos, LongSupplier nanoTime, Scheduler scheduler) {
    this.intervalNanos = intervalNanos;
    this.nanoTime = nanoTime;
    this.scheduler = scheduler;
  }

  /** Runs {@code send} now if the key's interval has passed, else once it has (unless replaced). */
  synchronized void submit(String key, Runnable send) {
    long now = nanoTime.getAsLong();
    Slot slot = slots.get(key);
    if (slot == null) {
      slot = new Slot();
      slots.put(key, slot);
    } else if (now - slot.lastSent < intervalNanos) {
      slot.waiting = send;
      if (!slot.timerSet) {
        setTimer(key, slot, slot.lastSent + intervalNanos - now);
      }
      return;
    }
    slot.lastSent = now;
    slot.waiting = null;
    send.run();
  }

  /** Runs the key's waiting send now, if any; no send of it runs after this returns, until the next submit. */
  synchronized void flush(String key) {
    Slot slot = slots.get(key);
    if (slot != null && slot.waiting != null) {
      Runnable send = slot.waiting;
      slot.waiting = null;
      slot.lastSent = nanoTime.getAsLong();
      send.run();
    }
  }

  /** Forgets the key (its job ended), dropping a waiting send; call {@link #flush} first to keep it. */
  synchronized void forget(String key) {
    slots.remove(key);
  }

  private synchronized void trailing(String key, Slot slot) {
    slot.timerSet = false;
    if (slots.get(key) != slot || slot.waiting == null) {
      return; // forgotten or flushed meanwhile
    }
    long early = slot.lastSent + intervalNanos - nanoTime.getAsLong();
    if (early > 0) { // a flush sent meanwhile and restarted the interval
      setTimer(key, slot, early);
      return;
    }
    Runnable send = slot.waiting;
    slot.waiting = null;
    slot.lastSent = nanoTime.getAsLong();
    send.run();
  }

  private void setTimer(String key, Slot slot, long delayNanos) {
    try {
      scheduler.schedule(() -> trailing(key, slot), delayNanos);
      slot.timerSet = true;
    } catch (RejectedExecutionException e) { // shutting down: nobody left to send to
      slot.waiting = null;
    }
  }

  /** For tests: how many keys are tracked. */
  synchronized int size() {
    return slots.size();
  }
}
