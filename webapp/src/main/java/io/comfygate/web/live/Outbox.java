package io.comfygate.web.live;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The messages waiting for one WebSocket session. Whoever offers a message (the engine's event
 * thread) only enqueues it; the sends run on the {@code sender} executor, one at a time per
 * session, so a session whose socket is slow holds none of the sender's threads while its send
 * is pending, and never delays what other sessions are offered.
 *
 * <p>Two kinds of message: those that must arrive (snapshot, job state changes) and those where
 * only the latest matters (progress, previews, queue positions), offered under a key. A newer keyed
 * message replaces a pending one with the same key, so a slow browser gets fewer updates rather
 * than an ever longer queue. A must-arrive message may name a key it supersedes: a job's state
 * change drops that job's pending queue position, which it carries itself, so no stale position
 * can follow it. Must-arrive messages are never dropped: if {@code limit} of them pile up, the
 * browser is too slow to follow and the session is closed with 1013 (try again later); on
 * reconnecting it gets the current state in its snapshot.
 *
 * <p>Starts paused, so events that arrive while the snapshot is being read wait behind it.
 * Thread-safe; one lock guards the queue, sends happen after it is released.
 */
final class Outbox {
  /** Where the messages go: a WebSocket session in production, a list in tests. */
  interface Transport {
    /**
     * Sends without waiting for the network; calls {@code done} once, with {@code null} or the
     * failure, possibly before returning and possibly on another thread.
     */
    void send(String text, Consumer<Throwable> done);

    /** Closes the connection; must not block for long (called from a dedicated thread). */
    void close(int code, String reason);
  }

  static final int TRY_AGAIN_LATER = 1013;
  /** Sends in one turn on a sender thread before the session lets the others have theirs. */
  static final int TURN = 16;

  private record Entry(String key, String text) {}

  private final Transport transport;
  private final int limit;
  private final Consumer<Runnable> closer;
  private final Executor sender;
  private final Object lock = new Object();
  private final ArrayDeque<Entry> pending = new ArrayDeque<>();
  private int mustArrive;
  // A drain is queued on the sender, running, or waiting for a send to complete.
  private boolean busy;
  private boolean paused = true;
  private boolean closed;

  /**
   * @param limit how many must-arrive messages may wait before the session is given up
   * @param closer runs the close of a given-up session (closing may block on some containers)
   * @param sender runs the sends; rejecting a task means the application is shutting down
   */
  Outbox(Transport transport, int limit, Consumer<Runnable> closer, Executor sender) {
    this.transport = transport;
    this.limit = limit;
    this.closer = closer;
    this.sender = sender;
  }

  /** Queues a message that must arrive, in order. */
  void offer(String text) {
    enqueue(new Entry(null, text), null, false);
  }

  /** Queues a message that must arrive, in order, dropping a pending one under {@code supersedes}. */
  void offer(String text, String supersedes) {
    enqueue(new Entry(null, text), supersedes, false);
  }

  /** Queues a message that replaces any pending one with the same key. */
  void offerLatest(String key, String text) {
    enqueue(new Entry(key, text), key, false);
  }

  /** Sends {@code text} before everything queued so far, then starts sending. */
  void start(String first) {
    enqueue(new Entry(null, first), null, true);
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

  private void enqueue(Entry entry, String replaces, boolean first) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      if (replaces != null) {
        pending.removeIf(e -> replaces.equals(e.key()));
      }
      if (entry.key() == null) {
        if (mustArrive >= limit) {
          giveUpLocked();
          return;
        }
        mustArrive++;
      }
      if (first) {
        pending.addFirst(entry);
        paused = false;
      } else {
        pending.addLast(entry);
      }
      if (busy || paused || pending.isEmpty()) {
        return;
      }
      busy = true;
    }
    schedule();
  }

  private void giveUpLocked() {
    closed = true;
    pending.clear();
    closer.accept(() -> transport.close(TRY_AGAIN_LATER, "too slow to follow; reconnect for a fresh snapshot"));
  }

  private void schedule() {
    try {
      sender.execute(this::drain);
    } catch (RejectedExecutionException e) { // shutting down: the hub closes the session
      discard();
    }
  }

  /** On a sender thread: sends up to {@link #TURN} messages while each completes at once. */
  private void drain() {
    for (int sent = 0; sent < TURN; sent++) {
      Entry next = take();
      if (next == null) {
        return;
      }
      Completion done = new Completion();
      try {
        transport.send(next.text(), done);
      } catch (RuntimeException e) { // e.g. the session closed under us
        done.accept(e);
      }
      if (done.returnedBeforeCompletion() || done.failure != null) {
        return; // the completion continues the drain, or the session failed
      }
    }
    schedule(); // more to send: queue behind the other sessions
  }

  /** The next entry to send, or null (and no longer busy) if there is none. */
  private Entry take() {
    synchronized (lock) {
      if (closed || pending.isEmpty()) {
        busy = false;
        return null;
      }
      Entry e = pending.pollFirst();
      if (e.key() == null) {
        mustArrive--;
      }
      return e;
    }
  }

  private void failed() {
    synchronized (lock) {
      // The connection is broken; the endpoint's onClose/onError removes the session.
      closed = true;
      busy = false;
      pending.clear();
    }
  }

  /**
   * The completion of one send. If it completes while {@code transport.send} is still running,
   * the drain goes on in its loop; if later, on whatever thread completes it, the drain is handed
   * back to the sender (so no container callback thread ever writes the next message).
   */
  private final class Completion implements Consumer<Throwable> {
    private static final int SENDING = 0;
    private static final int RETURNED = 1;
    private static final int COMPLETED = 2;
    private final AtomicInteger state = new AtomicInteger(SENDING);
    volatile Throwable failure;

    @Override
    public void accept(Throwable t) {
      if (t != null) {
        failure = t;
        failed();
      }
      if (!state.compareAndSet(SENDING, COMPLETED) && t == null) {
        schedule(); // the sender returned already: continue on the sender
      }
    }

    /** Called once after {@code send} returned: whether the completion is still to come. */
    boolean returnedBeforeCompletion() {
      return state.compareAndSet(SENDING, RETURNED);
    }
  }

  /** For tests: how many messages wait (not counting one in flight). */
  int pendingCount() {
    synchronized (lock) {
      return pending.size();
    }
  }
}
