package io.comfygate.engine;

import io.comfygate.store.jdbc.ClusterStore;
import io.comfygate.store.jdbc.DispatchFence;
import java.util.function.BooleanSupplier;

/**
 * Whether this instance may act on the ComfyUI backends now. Alone on its database (SQLite) it
 * always may, with no database round trip. Sharing a PostgreSQL database, it may only while it
 * holds the dispatcher lease: {@link Coordinator} records each acquisition and renewal here, and
 * the parts that are about to make ComfyUI act ask first. Two deadlines count from the start of
 * the last acquisition or renewal, on this process's monotonic clock:
 *
 * <ul>
 *   <li>the <b>send window</b> (W less a margin): a prompt is POSTed only within it ({@link
 *       #maySend}, {@link #awaitSendWindow}). Another instance may take the lease from a holder
 *       whose session is gone once its last renewal is older than W by the database's clock, so a
 *       holder that is alive but cut off has stopped sending by then. A lapse only holds sending
 *       back until the next renewal: it does not step down;
 *   <li>the <b>lease</b> (less a margin): outcomes are recorded and prompts interrupted only within
 *       it ({@link #holdsByOwnClock}, {@link #confirmed}). A process paused past it (a GC pause,
 *       SIGSTOP) finds it lapsed on waking, acts on nothing, and steps down, even before it has
 *       asked the database.
 * </ul>
 */
final class ClusterRole {
  /** How often a sender waiting for the window looks again, notified or not (the job may be let go). */
  private static final long WINDOW_RECHECK_MILLIS = 50;

  final String instanceId;
  private final ClusterStore store;
  private volatile boolean dispatching;
  private volatile long fence;
  private volatile long validUntilNanos;
  private volatile long sendUntilNanos;
  private volatile boolean lost;
  /** Wakes the senders waiting for the send window: notified at each renewal and when dropped. */
  private final Object window = new Object();

  private ClusterRole(String instanceId, ClusterStore store) {
    this.instanceId = instanceId;
    this.store = store;
    this.dispatching = store == null;
  }

  /** The only instance on its database: always the dispatcher. */
  static ClusterRole alone(String instanceId) {
    return new ClusterRole(instanceId, null);
  }

  /** One of several instances on {@code store}'s database: a follower until it acquires the lease. */
  static ClusterRole shared(String instanceId, ClusterStore store) {
    return new ClusterRole(instanceId, store);
  }

  boolean shared() {
    return store != null;
  }

  boolean dispatching() {
    return dispatching;
  }

  long fence() {
    return fence;
  }

  /** The check each hand-over makes in its own transaction. */
  DispatchFence storeFence() {
    return store == null ? DispatchFence.NONE : store.fence(instanceId, () -> fence);
  }

  /** Whether this instance holds the lease by its own clock; no database round trip. */
  boolean holdsByOwnClock() {
    return store == null || (dispatching && System.nanoTime() - validUntilNanos < 0);
  }

  /** Whether this instance may POST a prompt now, by its own clock: within its send window. */
  boolean maySend() {
    return store == null || (dispatching && System.nanoTime() - sendUntilNanos < 0);
  }

  /**
   * Waits, if need be, until this instance may POST a prompt ({@link #maySend}): the next renewal
   * extends the send window. Gives up, returning false, when this instance stops dispatching, when
   * {@code stillWanted} turns false (the job was let go), or when the lease itself lapses by its own
   * clock or the thread is interrupted (the flag is set again): then the coordinator steps down at
   * its next turn. Whoever dispatches next sends what was not sent. At most as long as the lease.
   */
  boolean awaitSendWindow(BooleanSupplier stillWanted) {
    synchronized (window) {
      while (!maySend()) {
        if (!dispatching || !stillWanted.getAsBoolean()) {
          return false;
        }
        if (!holdsByOwnClock()) {
          lost();
          return false;
        }
        try {
          window.wait(WINDOW_RECHECK_MILLIS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          lost(); // the prompt stays unsent: stepping down lets the next dispatcher's recovery send it
          return false;
        }
      }
      return true;
    }
  }

  /**
   * Whether this instance holds the lease, asked of the database (before an interrupt or a
   * delete, which no write of ours precedes). Alone on its database: always, with no round trip.
   */
  boolean confirmed() {
    if (store == null) {
      return true;
    }
    if (!holdsByOwnClock()) {
      return false;
    }
    try {
      return store.holds(instanceId, fence);
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * A dispatch write found the lease lost, or the lease lapsed by this process's clock: the
   * coordinator steps down at its next turn.
   */
  void lost() {
    lost = true;
  }

  boolean takeLost() {
    boolean was = lost;
    lost = false;
    return was;
  }

  /**
   * This instance took the lease with {@code newFence}: it holds it until {@code untilNanos} and
   * may send until {@code sendUntil} unless renewed (both by {@link System#nanoTime}).
   */
  void acquired(long newFence, long untilNanos, long sendUntil) {
    fence = newFence;
    validUntilNanos = untilNanos;
    sendUntilNanos = sendUntil;
    lost = false;
    dispatching = true;
  }

  void renewed(long untilNanos, long sendUntil) {
    validUntilNanos = untilNanos;
    sendUntilNanos = sendUntil;
    synchronized (window) {
      window.notifyAll();
    }
  }

  long validUntilNanos() {
    return validUntilNanos;
  }

  void dropped() {
    dispatching = false;
    synchronized (window) {
      window.notifyAll();
    }
  }

  /** INSTANCE_ID's default: this host's name and a random suffix, unique per start. */
  static String defaultInstanceId() {
    return hostName() + "-" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 40);
  }

  static String hostName() {
    return Host.NAME;
  }

  /** Looked up once: a slow resolver must not slow every status read. */
  private static final class Host {
    static final String NAME = lookUp();
  }

  private static String lookUp() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      String env = System.getenv("HOSTNAME");
      return env == null || env.isBlank() ? "localhost" : env;
    }
  }

  /** The ComfyGate version this instance runs ("dev" when not built as a release). */
  static String version() {
    String v = ClusterRole.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
