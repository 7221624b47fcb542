package io.comfygate.web.live;

import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The messages waiting for one WebSocket session. Whoever offers a message (the engine's event
 * thread) only enqueues it; the sends run on the {@code sender}, one at a time per session, so a
 * session whose socket is slow holds none of the sender's threads while its send is pending, and
 * never delays what other sessions are offered.
 *
 * <p>Three kinds of message: those that must arrive (snapshot, job state changes); those where only
 * the latest matters (progress, previews), offered under a key; and background ones (queue
 * positions), keyed too, sent only when no message of the first two kinds waits, here or, through
 * the sender's background lane, in any other session. A newer keyed message replaces a pending one
 * with the same key, so a slow browser gets fewer updates rather than an ever longer queue. A
 * must-arrive message may name a key it supersedes: a job's state change drops that job's pending
 * queue position, which it carries itself, so no stale position can follow it (and a position
 * offered after it is sent after it). Must-arrive messages are never dropped: if {@code limit} of
 * them pile up, the browser is too slow to follow and the session is closed with 1013 (try again
 * later); on reconnecting it gets the current state in its snapshot.
 *
 * <p>Starts paused, so events that arrive while the snapshot is being read wait behind it.
 * Thread-safe; one lock guards the queues, sends happen after it is released.
 */
final class SessionOutbox {
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
  private final Scheduler sender;
  private final Object lock = new Object();
  private final ArrayDeque<Entry> pending = new ArrayDeque<>();
  private final ArrayDeque<Entry> background = new ArrayDeque<>();
  private int mustArrive;
  // A drain waits in the sender's urgent or background lane (both may: a message that must not
  // wait came after a background one).
  private boolean queuedUrgent;
  private boolean queuedBackground;
  // A drain is running or its send is in flight; the one that owns this continues.
  private boolean active;
  private boolean paused = true;
  private boolean closed;

  /**
   * @param limit how many must-arrive messages may wait before the session is given up
   * @param closer runs the close of a given-up session (closing may block on some containers)
   * @param sender runs the sends; rejecting a task means the application is shutting down
   */
  SessionOutbox(Transport transport, int limit, Consumer<Runnable> closer, Scheduler sender) {
    this.transport = transport;
    this.limit = limit;
    this.closer = closer;
    this.sender = sender;
  }

  /** Queues a message that must arrive, in order. */
  void offer(String text) {
    enqueue(new Entry(null, text), null, pending, false);
  }

  /** Queues a message that must arrive, in order, dropping a pending background one under {@code supersedes}. */
  void offer(String text, String supersedes) {
    enqueue(new Entry(null, text), supersedes, pending, false);
  }

  /** Queues a message that replaces any pending one with the same key. */
  void offerLatest(String key, String text) {
    enqueue(new Entry(key, text), key, pending, false);
  }

  /** Like {@link #offerLatest}, but sent only when nothing else waits. */
  void offerInBackground(String key, String text) {
    enqueue(new Entry(key, text), key, background, false);
  }

  /** Sends {@code text} before everything queued so far, then starts sending. */
  void start(String first) {
    enqueue(new Entry(null, first), null, pending, true);
  }

  /** Drops what is pending and sends nothing more; does not close the connection. */
  void discard() {
    synchronized (lock) {
      closed = true;
      pending.clear();
      background.clear();
    }
  }

  boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  private void enqueue(Entry entry, String replaces, ArrayDeque<Entry> queue, boolean first) {
    Lane lane;
    synchronized (lock) {
      if (closed) {
        return;
      }
      if (replaces != null) {
        pending.removeIf(e -> replaces.equals(e.key()));
        background.removeIf(e -> replaces.equals(e.key()));
      }
      if (entry.key() == null) {
        if (mustArrive >= limit) {
          giveUpLocked();
          return;
        }
        mustArrive++;
      }
      if (first) {
        queue.addFirst(entry);
        paused = false;
      } else {
        queue.addLast(entry);
      }
      lane = wakeLocked();
    }
    schedule(lane);
  }

  private enum Lane { URGENT, BACKGROUND }

  /** The lane in which a drain must be queued now, if one must (marking it queued); else null. */
  private Lane wakeLocked() {
    if (active || paused || closed) {
      return null;
    }
    if (!pending.isEmpty()) {
      if (queuedUrgent) {
        return null;
      }
      queuedUrgent = true;
      return Lane.URGENT;
    }
    if (background.isEmpty() || queuedUrgent || queuedBackground) {
      return null;
    }
    queuedBackground = true;
    return Lane.BACKGROUND;
  }

  private void giveUpLocked() {
    closed = true;
    pending.clear();
    background.clear();
    closer.accept(() -> transport.close(TRY_AGAIN_LATER, "too slow to follow; reconnect for a fresh snapshot"));
  }

  private void schedule(Lane lane) {
    if (lane == null) {
      return;
    }
    try {
      if (lane == Lane.URGENT) {
        sender.execute(() -> drain(lane));
      } else {
        sender.executeInBackground(() -> drain(lane));
      }
    } catch (RejectedExecutionException e) { // shutting down: the hub closes the session
      discard();
    }
  }

  /** On a sender thread: sends up to {@link #TURN} messages while each completes at once. */
  private void drain(Lane from) {
    synchronized (lock) {
      if (from == Lane.URGENT) {
        queuedUrgent = false;
      } else {
        queuedBackground = false;
      }
      if (active) {
        return; // the other lane's drain got here first and goes on
      }
      active = true;
    }
    for (int sent = 0; sent < TURN; sent++) {
      Entry next = take(from);
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
    idle(); // more to send: queue behind the other sessions
  }

  /**
   * The next entry a drain from {@code lane} may send; else null, the drain given up (and one
   * queued in the background lane if only background messages are left).
   */
  private Entry take(Lane lane) {
    Lane wake;
    synchronized (lock) {
      Entry e = closed ? null : pending.pollFirst();
      if (e == null && !closed && lane == Lane.BACKGROUND) {
        e = background.pollFirst();
      }
      if (e != null) {
        if (e.key() == null) {
          mustArrive--;
        }
        return e;
      }
      active = false;
      wake = wakeLocked();
    }
    schedule(wake);
    return null;
  }

  /** Gives up the drain, queueing a new one if there is more to send. */
  private void idle() {
    Lane lane;
    synchronized (lock) {
      active = false;
      lane = wakeLocked();
    }
    schedule(lane);
  }

  private void failed() {
    synchronized (lock) {
      // The connection is broken; the endpoint's onClose/onError removes the session.
      closed = true;
      active = false;
      pending.clear();
      background.clear();
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
        idle(); // the sender returned already: continue on the sender
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
      return pending.size() + background.size();
    }
  }
}
