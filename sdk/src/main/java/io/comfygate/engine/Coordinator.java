package io.comfygate.engine;

import io.comfygate.jobs.JobId;
import io.comfygate.store.jdbc.ClusterStore;
import io.comfygate.store.jdbc.JobFeed;
import io.comfygate.store.jdbc.LivenessLock;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This instance's part among several on one PostgreSQL database, on one thread of its own ({@code
 * comfygate-engine-cluster}): it heartbeats every CLUSTER_HEARTBEAT_SECONDS; it takes the
 * dispatcher lease when it is free or expired and renews it while it holds it (CLUSTER_LEASE_SECONDS,
 * on the database's clock); and it follows the job-change feed, woken by NOTIFY and polling in
 * case one was missed.
 *
 * <p>Holding the lease, it also holds the dispatcher's liveness lock ({@link LivenessLock}) on a
 * connection of its own, which PostgreSQL drops when this process dies. A follower tries, every
 * {@value #POLL_MILLIS} ms, to take the lease from a holder whose lock is free and whose last
 * renewal is older than the send window W ({@link ClusterStore#steal}): so a dead dispatcher is
 * replaced within about W, not the whole lease. W is twice the heartbeat, at least 1 s, at most the
 * lease (2 s by default); the holder sends prompts only within W of the start of its last renewal,
 * less a quarter of W, by its own clock ({@link ClusterRole}), so it has stopped sending before
 * anyone may take the lease from it. A holder that is alive but slow keeps its lock and the lease.
 *
 * <p>Taking the lease, it runs the same recovery as a restart (prompts already on ComfyUI are
 * adopted, those never sent are sent, none twice) and dispatches from then on. Losing it (a renewal
 * refused by the database, a dispatch write's fence check failing, or the lease not renewed in
 * time by this process's own clock, as after a long pause), it stops at once: its slots are
 * dropped, the prompts it followed are left to the new dispatcher, and its view is rebuilt from the
 * store; no job is failed. A send window that lapsed only holds sending back until the next
 * renewal. A clean stop releases the lease, so another instance takes over at once.
 */
final class Coordinator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobEngine.class); // engine logs keep one name
  private static final long POLL_MILLIS = 250;
  private static final Duration POLL = Duration.ofMillis(POLL_MILLIS);
  /** The send window's least length (see the class comment). */
  private static final Duration MIN_SEND_WINDOW = Duration.ofSeconds(1);
  private static final Duration RETRY_PAUSE = Duration.ofMillis(200);
  private static final Duration FEED_RETENTION = Duration.ofHours(1);
  private static final Duration INSTANCE_RETENTION = Duration.ofDays(7);
  private static final Duration TRIM_INTERVAL = Duration.ofMinutes(10);
  private static final int BATCH = 500;
  /** After the lease's expiry by the database's clock, how long to wait before trying to take it. */
  private static final Duration EXPIRY_SLACK = Duration.ofMillis(20);

  private final ClusterRole role;
  private final ClusterStore store;
  private final JobFeed feed;
  private final JobBoard board;
  private final Recovery recovery;
  private final FeedFollower follower;
  private final Interrupts interrupts;
  private final Duration heartbeat;
  private final Duration lease;
  private final long marginNanos;
  /** W: see the class comment. */
  private final Duration sendWindow;
  private final long sendMarginNanos;
  private final LivenessLock alive;
  private final String host;
  private final String version;
  private volatile boolean stopping;
  private Thread thread;
  private JobFeed.Listener listener;
  private JobFeed.Cursor cursor;
  private long nextBeatNanos;
  private long nextStealNanos;
  private long nextTrimNanos;
  /** Whether a follower's view has been built from the store since it last stepped down or started. */
  private boolean mirrored;

  Coordinator(ClusterRole role, ClusterStore store, JobFeed feed, JobBoard board, Recovery recovery,
      FeedFollower follower, Interrupts interrupts, Duration heartbeat, Duration lease, String host, String version) {
    this.role = role;
    this.store = store;
    this.feed = feed;
    this.board = board;
    this.recovery = recovery;
    this.follower = follower;
    this.interrupts = interrupts;
    this.heartbeat = heartbeat;
    this.lease = lease;
    // Stop acting a little before the database would let another instance take over.
    this.marginNanos = Math.max(lease.toNanos() / 5, TimeUnit.MILLISECONDS.toNanos(200));
    this.sendWindow = min(max(heartbeat.multipliedBy(2), MIN_SEND_WINDOW), lease);
    // What it covers: a sender's check of the window and its POST reaching ComfyUI, and the two
    // clocks' rates; past it a follower may be taking over.
    this.sendMarginNanos = sendWindow.toNanos() / 4;
    this.alive = store.livenessLock(role.instanceId, max(heartbeat, MIN_SEND_WINDOW));
    this.host = host;
    this.version = version;
  }

  /**
   * Joins the cluster: takes the current view from the store, takes the lease if it is free (so
   * an instance alone on its database dispatches from its start), and starts following.
   */
  void start() {
    board.dispatching(false);
    listener = openListener();
    cursor = feed.head(); // before anything is read: no later change is missed
    beat();
    mirrorIfNeeded();
    thread = new Thread(this::run, "comfygate-engine-cluster");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    while (!stopping) {
      try {
        turn();
      } catch (RuntimeException e) {
        LOG.warn("cluster coordination round failed; retrying", e);
        pause(RETRY_PAUSE);
      }
    }
  }

  /** Waits for a notification (or the poll interval), heartbeats when due, then follows the feed. */
  private void turn() {
    long wait = Math.max(1, Math.min(POLL.toNanos(), nextBeatNanos - System.nanoTime()));
    List<JobFeed.Notice> notices = awaitNotices(Duration.ofNanos(wait));
    boolean leaseFreed = notices.stream().anyMatch(n -> n.type().equals(JobFeed.LEASE_RELEASED));
    if (System.nanoTime() - nextBeatNanos >= 0 || (leaseFreed && !role.dispatching())) {
      beat();
    } else if (role.dispatching() && role.takeLost()) {
      stepDown("a dispatch found the lease lost or lapsed");
    } else if (!role.dispatching() && System.nanoTime() - nextStealNanos >= 0) {
      tryToSteal(System.nanoTime());
    }
    mirrorIfNeeded();
    readFeed();
    for (JobFeed.Notice notice : notices) {
      if (notice.type().equals(JobFeed.PROGRESS) && !notice.origin().equals(role.instanceId)) {
        follower.progress(notice.body());
      }
    }
    trimWhenDue();
  }

  private List<JobFeed.Notice> awaitNotices(Duration wait) {
    if (listener == null) {
      listener = openListener();
      if (listener == null) {
        pause(wait);
        return List.of();
      }
    }
    try {
      return listener.await(wait);
    } catch (SQLException e) {
      LOG.warn("lost the notification connection ({}); polling until it is back", e.getMessage());
      listener.close();
      listener = null;
      return List.of();
    }
  }

  private JobFeed.Listener openListener() {
    try {
      return feed.listen();
    } catch (RuntimeException e) {
      LOG.warn("cannot listen for job changes ({}); polling", e.getMessage());
      return null;
    }
  }

  /** The heartbeat; the lease's renewal, or an attempt to take it. */
  private void beat() {
    long started = System.nanoTime();
    nextBeatNanos = started + heartbeat.toNanos();
    try {
      store.heartbeat(role.instanceId, host, version);
    } catch (RuntimeException e) {
      LOG.warn("heartbeat failed: {}", e.getMessage());
    }
    if (role.dispatching()) {
      renew();
    } else {
      tryToAcquire(System.nanoTime());
    }
  }

  private void renew() {
    if (role.takeLost()) {
      stepDown("a dispatch found the lease lost or lapsed");
      return;
    }
    long started = System.nanoTime(); // not before the heartbeat's write: the window counts from here
    try {
      if (store.renew(role.instanceId, role.fence(), lease, sendWindow)) {
        role.renewed(leaseUntil(started), sendUntil(started));
        holdLivenessLock();
        return;
      }
      stepDown("the lease was taken or ran out before it was renewed");
    } catch (RuntimeException e) {
      if (System.nanoTime() - role.validUntilNanos() >= 0) {
        stepDown("the lease could not be renewed in time: " + e.getMessage());
      } else {
        LOG.warn("lease renewal failed, retrying while it lasts: {}", e.getMessage());
      }
    }
  }

  private void tryToAcquire(long started) {
    OptionalLong fence;
    try {
      fence = store.acquire(role.instanceId, lease, sendWindow);
    } catch (RuntimeException e) {
      LOG.warn("could not ask for the dispatcher lease: {}", e.getMessage());
      return;
    }
    if (fence.isEmpty()) {
      tryAgainAtExpiry();
      tryToSteal(System.nanoTime());
      return;
    }
    takeOver(fence.getAsLong(), started, null);
  }

  /** Takes the lease from a holder that is gone, if it is (see {@link ClusterStore#steal}). */
  private void tryToSteal(long started) {
    nextStealNanos = started + POLL.toNanos();
    Optional<ClusterStore.Steal> stolen;
    try {
      stolen = store.steal(role.instanceId, lease, sendWindow);
    } catch (RuntimeException e) {
      LOG.debug("could not try to take over from a dead dispatcher: {}", e.getMessage());
      return;
    }
    stolen.ifPresent(s -> takeOver(s.fence(), started, s.from()));
  }

  /**
   * Starts dispatching with the lease just taken at {@code started} (from {@code from}, a holder
   * that was gone; null when it was free or expired): the feed read up to now, the view rebuilt,
   * and the recovery.
   */
  private void takeOver(long fence, long started, String from) {
    if (stopping) {
      return;
    }
    readFeed(); // what happened before this instance took over is applied first
    role.acquired(fence, leaseUntil(started), sendUntil(started));
    board.abandonAll();
    board.dispatching(true);
    holdLivenessLock();
    try {
      recovery.recover();
      for (JobId id : feed.pendingCancelRequests()) {
        interrupts.cancelRequested(id);
      }
    } catch (RuntimeException e) {
      LOG.warn("recovery after taking the dispatcher lease failed; stepping down", e);
      stepDown("recovery failed: " + e.getMessage());
      return;
    }
    LOG.atInfo().setMessage("dispatcher_acquired").addKeyValue("event", "dispatcher_acquired")
        .addKeyValue("instance", role.instanceId).addKeyValue("fence", fence)
        .addKeyValue("taken_from", from == null ? "" : from)
        .addKeyValue("took_ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).log();
  }

  /** Until when a lease taken or renewed at {@code started} counts as held by this process's clock. */
  private long leaseUntil(long started) {
    return started + lease.toNanos() - marginNanos;
  }

  /** Until when this process may send prompts under a lease taken or renewed at {@code started}. */
  private long sendUntil(long started) {
    return started + sendWindow.toNanos() - sendMarginNanos;
  }

  /**
   * Takes or checks the liveness lock (one round trip); it may be held by an old holder that has
   * not stepped down yet, or its connection may have broken: tried again at the next renewal.
   */
  private void holdLivenessLock() {
    try {
      boolean had = alive.held();
      if (!alive.hold() && had) {
        LOG.warn("lost the dispatcher's liveness lock; taking it again at the next renewal");
      }
    } catch (SQLException | RuntimeException e) {
      LOG.warn("could not take the dispatcher's liveness lock ({}); trying again at the next renewal", e.getMessage());
    }
  }

  /**
   * When the holder's lease runs out before the next heartbeat, the next attempt is made right
   * then (the holder may be dead): a take-over comes within the lease, not the lease and a heartbeat.
   */
  private void tryAgainAtExpiry() {
    try {
      Duration remaining = store.lease().remaining();
      long at = System.nanoTime() + remaining.toNanos() + EXPIRY_SLACK.toNanos();
      if (at - nextBeatNanos < 0) {
        nextBeatNanos = at;
      }
    } catch (RuntimeException e) {
      // the next heartbeat tries again
    }
  }

  /** Stops dispatching at once and rebuilds the view from the store; lets the lease go if it is still ours. */
  private void stepDown(String reason) {
    board.dispatching(false);
    role.dropped();
    board.abandonAll();
    long fence = role.fence();
    try {
      store.release(role.instanceId, fence);
    } catch (RuntimeException e) {
      // it runs out by itself
    }
    alive.close();
    LOG.atWarn().setMessage("dispatcher_lost").addKeyValue("event", "dispatcher_lost")
        .addKeyValue("instance", role.instanceId).addKeyValue("fence", fence).addKeyValue("reason", reason).log();
    mirrored = false;
    mirrorIfNeeded();
  }

  /** Builds a follower's view from the store (again, if it failed before: the database was away). */
  private void mirrorIfNeeded() {
    if (!role.dispatching() && !mirrored) {
      recovery.mirror();
      mirrored = true;
    }
  }

  private void readFeed() {
    while (true) {
      JobFeed.Batch batch = feed.after(cursor, BATCH);
      follower.apply(batch.changes());
      cursor = batch.next();
      if (!batch.full()) {
        return;
      }
    }
  }

  private void trimWhenDue() {
    long now = System.nanoTime();
    if (!role.dispatching() || now - nextTrimNanos < 0) {
      return;
    }
    nextTrimNanos = now + TRIM_INTERVAL.toNanos();
    try {
      feed.trim(FEED_RETENTION);
      store.forgetInstancesOlderThan(INSTANCE_RETENTION);
    } catch (RuntimeException e) {
      LOG.warn("trimming the job-change feed failed; next attempt in {}", TRIM_INTERVAL, e);
    }
  }

  /** The instances and the lease, as the database has them now. */
  ClusterStatus status() {
    ClusterStore.LeaseRow leaseRow = store.lease();
    Optional<String> dispatcher = leaseRow.live() ? Optional.of(leaseRow.holder()) : Optional.empty();
    List<ClusterStatus.Instance> out = new ArrayList<>();
    for (ClusterStore.InstanceRow row : store.instances()) {
      ClusterStatus.Role r = dispatcher.filter(row.id()::equals).isPresent()
          ? ClusterStatus.Role.DISPATCHER : ClusterStatus.Role.FOLLOWER;
      out.add(new ClusterStatus.Instance(row.id(), row.host(), row.version(), r, row.startedAt(), row.heartbeatAt(),
          row.stoppedAt()));
    }
    return new ClusterStatus(role.instanceId, true, dispatcher, leaseRow.expiresAt(), out);
  }

  /** Stops the thread (the first step of closing the engine): no more renewals nor acquisitions. */
  void stop() {
    stopping = true;
    Thread t = thread;
    if (t != null) {
      try {
        t.join(Duration.ofSeconds(5).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * The last step of closing, once nothing is sent any more: releases the lease if this instance
   * holds it (another takes over at once), wakes the others, records the clean stop.
   */
  @Override
  public void close() {
    stop();
    try {
      if (role.dispatching()) {
        role.dropped();
        if (store.release(role.instanceId, role.fence())) {
          feed.publish(JobFeed.LEASE_RELEASED, null);
          LOG.atInfo().setMessage("dispatcher_released").addKeyValue("event", "dispatcher_released")
              .addKeyValue("instance", role.instanceId).log();
        }
      }
      store.stopped(role.instanceId);
    } catch (RuntimeException e) {
      LOG.warn("could not release the dispatcher lease on close; it runs out by itself", e);
    } finally {
      alive.close();
      if (listener != null) {
        listener.close();
      }
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(Math.max(1, d.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
