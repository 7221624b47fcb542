package io.comfygate.web.live;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The messages waiting for one WebSocket session, sent one at a time with asynchronous sends so
 * that whoever offers a message (the engine's event thread) never waits for the network.
 *
 * <p>Two kinds of message: those that must arrive (snapshot, job state changes) and those where
 * only the latest matters (progress, previews), offered under a key. A newer keyed message
 * replaces a pending one with the same key, so a slow browser gets fewer progress updates rather
 * than an ever longer queue. Must-arrive messages are never dropped: if {@code limit} of them
 * pile up, the browser is too slow to follow and the session is closed with 1013 (try again
 * later); on reconnecting it gets the current state in its snapshot.
 *
 * <p>Starts paused, so events that arrive while the snapshot is being read wait behind it.
 * Thread-safe; one lock guards the queue, sends happen after it is released.
 */
final class Outbox {
  /** Where the messages go: a WebSocket session in production, a list in tests. */
  interface Transport {
    /** Sends asynchronously; calls {@code done} once, with {@code null} or the failure. */
    void send(String text, Consumer<Throwable> done);

    /** Closes the connection; must not block for long (called from a dedicated thread). */
    void close(int code, String reason);
  }

  static final int TRY_AGAIN_LATER = 1013;

  private record Entry(String key, String text) {}

  private final Transport transport;
  private final int limit;
  private final Consumer<Runnable> closer;
  private final Object lock = new Object();
  private final ArrayDeque<Entry> pending = new ArrayDeque<>();
  private int mustArrive;
  private boolean sending;
  private boolean paused = true;
  private boolean closed;

  /**
   * @param limit how many must-arrive messages may wait before the session is given up
   * @param closer runs the close of a given-up session (closing may block on some containers)
   */
  Outbox(Transport transport, int limit, Consumer<Runnable> closer) {
    this.transport = transport;
    this.limit = limit;
    this.closer = closer;
  }

  /** Queues a message that must arrive, in order. */
  void offer(String text) {
    enqueue(new Entry(null, text), false);
  }

  /** Queues a message that replaces any pending one with the same key. */
  void offerLatest(String key, String text) {
    enqueue(new Entry(key, text), false);
  }

  /** Sends {@code text} before everything queued so far, then starts sending. */
  void start(String first) {
    enqueue(new Entry(null, first), true);
  }

  /** Drops what is pending and sends nothing more; does not close the connection. */
  void discard() {
    synchronized (lock) {
      closed = true;
      pending.clear();
    }
  }

  boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  private void enqueue(Entry entry, boolean first) {
    Entry next;
    synchronized (lock) {
      if (closed) {
        return;
      }
      if (entry.key() != null) {
        pending.removeIf(e -> entry.key().equals(e.key()));
      } else if (mustArrive >= limit) {
        closed = true;
        pending.clear();
        closer.accept(() -> transport.close(TRY_AGAIN_LATER, "too slow to follow; reconnect for a fresh snapshot"));
        return;
      } else {
        mustArrive++;
      }
      if (first) {
        pending.addFirst(entry);
        paused = false;
      } else {
        pending.addLast(entry);
      }
      next = takeLocked();
    }
    send(next);
  }

  /** The next entry to send if none is in flight, marking one in flight; else null. */
  private Entry takeLocked() {
    if (sending || paused || closed || pending.isEmpty()) {
      return null;
    }
    Entry e = pending.pollFirst();
    if (e.key() == null) {
      mustArrive--;
    }
    sending = true;
    return e;
  }

  private void send(Entry entry) {
    if (entry == null) {
      return;
    }
    try {
      transport.send(entry.text(), this::sent);
    } catch (RuntimeException e) { // e.g. the session closed under us
      sent(e);
    }
  }

  private void sent(Throwable failure) {
    Entry next;
    synchronized (lock) {
      sending = false;
      if (failure != null) {
        // The connection is broken; the endpoint's onClose/onError removes the session.
        closed = true;
        pending.clear();
        return;
      }
      next = takeLocked();
    }
    send(next);
  }

  /** For tests: how many messages wait (not counting one in flight). */
  int pendingCount() {
    synchronized (lock) {
      return pending.size();
    }
  }
}
