package io.comfygate.engine;

import io.comfygate.store.jdbc.ClusterStore;
import io.comfygate.store.jdbc.DispatchFence;

/**
 * Whether this instance may act on the ComfyUI backends now. Alone on its database (SQLite) it
 * always may, with no database round trip. Sharing a PostgreSQL database, it may only while it
 * holds the dispatcher lease: {@link Coordinator} records each acquisition and renewal here, and
 * the parts that are about to make ComfyUI act ask first ({@link #mayDispatch}, {@link
 * #confirmed}). The lease counts as held locally until the renewal's start plus the lease minus a
 * margin, on this process's monotonic clock: a process paused past that (a GC pause, SIGSTOP)
 * finds it lapsed on waking and sends nothing, even before it has asked the database.
 */
final class ClusterRole {
  final String instanceId;
  private final ClusterStore store;
  private volatile boolean dispatching;
  private volatile long fence;
  private volatile long validUntilNanos;
  private volatile boolean lost;

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
  boolean mayDispatch() {
    return store == null || (dispatching && System.nanoTime() - validUntilNanos < 0);
  }

  /**
   * Whether this instance holds the lease, asked of the database (before an interrupt or a
   * delete, which no write of ours precedes). Alone on its database: always, with no round trip.
   */
  boolean confirmed() {
    if (store == null) {
      return true;
    }
    if (!mayDispatch()) {
      return false;
    }
    try {
      return store.holds(instanceId, fence);
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** A dispatch found the lease lost or lapsed: the coordinator steps down at its next turn. */
  void lost() {
    lost = true;
  }

  boolean takeLost() {
    boolean was = lost;
    lost = false;
    return was;
  }

  void acquired(long newFence, long untilNanos) {
    fence = newFence;
    validUntilNanos = untilNanos;
    lost = false;
    dispatching = true;
  }

  void renewed(long untilNanos) {
    validUntilNanos = untilNanos;
  }

  long validUntilNanos() {
    return validUntilNanos;
  }

  void dropped() {
    dispatching = false;
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
