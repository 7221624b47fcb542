package io.comfygate.engine;

import io.comfygate.jobs.JobId;
import io.comfygate.store.jdbc.ClusterStore;
import io.comfygate.store.jdbc.JobFeed;
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
 * <p>Taking the lease, it runs the same recovery as a restart (prompts already on ComfyUI are
 * adopted, those never sent are sent, none twice) and dispatches from then on. Losing it (a renewal
 * refused, or not renewed in time by this process's own clock, as after a long pause), it stops at
 * once: its slots are dropped, the prompts it followed are left to the new dispatcher, and its view
 * is rebuilt from the store; no job is failed. A clean stop releases the lease, so another instance
 * takes over at once.
 */
final class Coordinator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobEngine.class); // engine logs keep one name
  private static final Duration POLL = Duration.ofMillis(250);
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
  private final String host;
  private final String version;
  private volatile boolean stopping;
  private Thread thread;
  private JobFeed.Listener listener;
  private JobFeed.Cursor cursor;
  private long nextBeatNanos;
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
      renew(started);
    } else {
      tryToAcquire(started);
    }
  }

  private void renew(long started) {
    if (role.takeLost()) {
      stepDown("a dispatch found the lease lost or lapsed");
      return;
    }
    try {
      if (store.renew(role.instanceId, role.fence(), lease)) {
        role.renewed(started + lease.toNanos() - marginNanos);
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
      fence = store.acquire(role.instanceId, lease);
    } catch (RuntimeException e) {
      LOG.warn("could not ask for the dispatcher lease: {}", e.getMessage());
      return;
    }
    if (fence.isEmpty()) {
      tryAgainAtExpiry();
      return;
    }
    if (stopping) {
      return;
    }
    readFeed(); // what happened before this instance took over is applied first
    role.acquired(fence.getAsLong(), started + lease.toNanos() - marginNanos);
    board.abandonAll();
    board.dispatching(true);
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
        .addKeyValue("instance", role.instanceId).addKeyValue("fence", fence.getAsLong())
        .addKeyValue("took_ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).log();
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
      if (listener != null) {
        listener.close();
      }
    }
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(Math.max(1, d.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
