package io.comfygate.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The pending heap, the running prompt and the history, under one lock. Thread-safe. Callers send
 * WebSocket messages after these methods return, never while holding the lock.
 */
final class QueueState {
  private static final int MAX_HISTORY = 10_000;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final PriorityQueue<QueuedPrompt> pending = new PriorityQueue<>();
  private final Map<String, ObjectNode> history = new LinkedHashMap<>();
  private QueuedPrompt running;
  private long counter;
  // Bumped by reset(): a prompt that was running before a restart must not write history after it.
  private long generation;

  /** The next server-assigned number (the counter advances only when the client sent none). */
  long nextNumber() {
    lock.lock();
    try {
      return counter++;
    } finally {
      lock.unlock();
    }
  }

  void put(QueuedPrompt p) {
    lock.lock();
    try {
      pending.add(p);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** A prompt moved to running, with the generation it belongs to. */
  record Taken(QueuedPrompt prompt, long generation) {}

  /** Moves the next pending prompt to running; null if none arrived within the timeout. */
  Taken takeNext(long timeout, TimeUnit unit) throws InterruptedException {
    long nanos = unit.toNanos(timeout);
    lock.lock();
    try {
      while (pending.isEmpty() || running != null) {
        if (nanos <= 0) {
          return null;
        }
        nanos = changed.awaitNanos(nanos);
      }
      running = pending.poll();
      return new Taken(running, generation);
    } finally {
      lock.unlock();
    }
  }

  long generation() {
    lock.lock();
    try {
      return generation;
    } finally {
      lock.unlock();
    }
  }

  /** Writes history and frees the worker; false (nothing written) if a reset happened meanwhile. */
  boolean finish(QueuedPrompt p, ObjectNode entry, long gen) {
    lock.lock();
    try {
      if (gen != generation) {
        return false;
      }
      // A reused prompt id keeps its old position, as a Python dict update does.
      history.put(p.promptId(), entry);
      while (history.size() > MAX_HISTORY) {
        history.remove(history.keySet().iterator().next());
      }
      running = null;
      changed.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  QueuedPrompt running() {
    lock.lock();
    try {
      return running;
    } finally {
      lock.unlock();
    }
  }

  List<QueuedPrompt> pending() {
    lock.lock();
    try {
      return new ArrayList<>(pending);
    } finally {
      lock.unlock();
    }
  }

  /** pending + running, as {@code queue_remaining} counts them. */
  int remaining() {
    lock.lock();
    try {
      return pending.size() + (running == null ? 0 : 1);
    } finally {
      lock.unlock();
    }
  }

  /** Removes the first pending prompt with each id; the running one is never touched. */
  void deletePending(Collection<String> ids) {
    lock.lock();
    try {
      for (String id : ids) {
        pending.stream().filter(p -> p.promptId().equals(id)).findFirst().ifPresent(pending::remove);
      }
    } finally {
      lock.unlock();
    }
  }

  void clearPending() {
    lock.lock();
    try {
      pending.clear();
    } finally {
      lock.unlock();
    }
  }

  Map<String, ObjectNode> history() {
    lock.lock();
    try {
      return new LinkedHashMap<>(history);
    } finally {
      lock.unlock();
    }
  }

  Set<String> historyIds() {
    return history().keySet();
  }

  void deleteHistory(Collection<String> ids) {
    lock.lock();
    try {
      ids.forEach(history::remove);
    } finally {
      lock.unlock();
    }
  }

  void clearHistory() {
    lock.lock();
    try {
      history.clear();
    } finally {
      lock.unlock();
    }
  }

  /** Forgets everything, as a restarted ComfyUI does; the running prompt is abandoned. */
  void reset() {
    lock.lock();
    try {
      pending.clear();
      history.clear();
      running = null;
      generation++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
