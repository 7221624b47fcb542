package io.comfygate.store.jdbc;

import static io.comfygate.store.jdbc.Binds.getInstant;
import static io.comfygate.store.jdbc.Binds.setInstant;
import static io.comfygate.store.jdbc.Binds.setText;

import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.store.AdmitResult;
import io.comfygate.store.Admission;
import io.comfygate.store.IdempotencyRecord;
import io.comfygate.store.ImageId;
import io.comfygate.store.JobStore;
import io.comfygate.store.JobUpdate;
import io.comfygate.store.NewImage;
import io.comfygate.store.Page;
import io.comfygate.store.PageRequest;
import io.comfygate.store.StoredJob;
import io.comfygate.store.WaitingLimit;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link JobStore} on a {@link Database}. Thread-safe; holds no state but the database, which the
 * caller owns and closes.
 */
public final class JdbcJobStore implements JobStore {
  private static final String COLUMNS = """
      id, user_id, template, params, state, backend, prompt_id, created_at, started_at,
      finished_at, error""";

  /** Ids per statement of {@link #findAll}: well under SQLite's limit of bound parameters. */
  private static final int FIND_ALL_CHUNK = 200;

  private final Database db;
  private final JobChangeHook hook;
  /** The job-change feed of several instances, or {@code null} for one instance. */
  private final JobFeed feed;
  private final DispatchFence fence;

  public JdbcJobStore(Database db) {
    this(db, JobChangeHook.NONE);
  }

  /** A store that runs {@code hook} inside the transaction of every state change (see {@link JobChangeHook}). */
  public JdbcJobStore(Database db, JobChangeHook hook) {
    this(db, hook, null, DispatchFence.NONE);
  }

  /**
   * A store of one of several instances on one PostgreSQL database: each change is also appended
   * to {@code feed} in its transaction, and each hand-over ({@link #assignBackend}) commits only if
   * {@code fence} holds in the same transaction, else throws {@link LeaseLostException}.
   *
   * @param feed the job-change feed, or {@code null} for one instance alone
   */
  public JdbcJobStore(Database db, JobChangeHook hook, JobFeed feed, DispatchFence fence) {
    this.db = Objects.requireNonNull(db, "db");
    this.hook = Objects.requireNonNull(hook, "hook");
    this.feed = feed;
    this.fence = Objects.requireNonNull(fence, "fence");
  }

  /**
   * Runs a write that appends to the feed (when there is one), and once it committed, wakes the
   * instances that follow the feed.
   */
  private <R> R written(boolean shared, String operation, SqlWork<R> work) {
    R result = shared ? db.inSharedTransaction(operation, work) : db.inTransaction(operation, work);
    if (feed != null) {
      feed.committed();
    }
    return result;
  }

  private void changed(Connection tx, JobId id, JobState state, Instant at) throws SQLException {
    hook.changed(tx, id, state, at);
    if (feed != null) {
      feed.append(tx, id, state.wireName(), null);
    }
  }

  private static final String INSERT_COLUMNS = """
      INSERT INTO jobs (id, user_id, template, params, state, backend, prompt_id, created_at,
                        started_at, finished_at, error)""";

  private static int insertJob(Connection connection, StoredJob job) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(
        INSERT_COLUMNS + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      bindRow(insert, job);
      return insert.executeUpdate();
    }
  }

  /**
   * Inserts the job only if fewer than {@code maxWaiting} of its user's jobs wait by the count the
   * database keeps (V13): the common case of an admission in one statement. 0 if it did not insert.
   */
  private static int insertJobBelow(Connection connection, StoredJob job, int maxWaiting) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(INSERT_COLUMNS + """

        SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
         WHERE COALESCE((SELECT waiting FROM user_waiting WHERE user_id = ?), 0) < ?""")) {
      bindRow(insert, job);
      insert.setString(12, job.userId());
      insert.setInt(13, maxWaiting);
      return insert.executeUpdate();
    }
  }

  private static void bindRow(PreparedStatement insert, StoredJob job) throws SQLException {
    insert.setString(1, job.id().value());
    insert.setString(2, job.userId());
    insert.setString(3, job.template());
    insert.setString(4, job.paramsJson());
    insert.setString(5, job.state().wireName());
    setText(insert, 6, job.backend());
    insert.setString(7, job.promptId());
    setInstant(insert, 8, job.createdAt());
    setInstant(insert, 9, job.startedAt());
    setInstant(insert, 10, job.finishedAt());
    setText(insert, 11, job.error());
  }

  @Override
  public void insert(StoredJob job) {
    written(true, "job.insert", connection -> {
      insertJob(connection, job);
      changed(connection, job.id(), job.state(), job.createdAt());
      return null;
    });
  }

  @Override
  public AdmitResult admit(Admission admission) {
    // Shared with concurrent admissions (group commit) on SQLite, where BEGIN IMMEDIATE holds the
    // write lock from the checks to the insert, so no other writer, of this process or another, can
    // take the key or a waiting place in between. On PostgreSQL, admissions of one user queue on an
    // advisory lock for the same span (keys are per user too); the primary keys back this up.
    return written(true, "job.admit", connection -> {
      StoredJob job = admission.job();
      db.dialect().lockInLine(connection, "admit:" + job.userId());
      IdempotencyRecord key = admission.key();
      if (key != null) {
        Optional<IdempotencyRecord> earlier = selectKey(connection, key.userId(), key.key());
        if (earlier.isPresent() && !earlier.get().createdAt().isBefore(admission.keyNotBefore())) {
          return new AdmitResult.KeyTaken(earlier.get());
        }
        if (earlier.isPresent()) {
          deleteKey(connection, key);
        }
      }
      WaitingLimit limit = admission.limit();
      if (!limit.limited()) {
        insertJob(connection, job);
      } else if (insertJobBelow(connection, job, limit.maxWaiting()) == 0) {
        if (!mayWait(connection, job.userId(), limit)) {
          return new AdmitResult.OverLimit(limit.maxWaiting());
        }
        insertJob(connection, job);
      }
      if (key != null) {
        insertKey(connection, key);
      }
      changed(connection, job.id(), job.state(), job.createdAt());
      return AdmitResult.ADMITTED;
    });
  }

  /**
   * The rule of {@link WaitingLimit}, on the rows as this transaction sees them. Asked only once
   * the count the database keeps is at the limit ({@link #insertJobBelow} found it so): the jobs
   * being handed over, or a job that can start at once, may still let the new one in.
   */
  private static boolean mayWait(Connection connection, String userId, WaitingLimit limit) throws SQLException {
    int waits = 0;
    int handedOver = 0;
    try (PreparedStatement select = connection.prepareStatement("""
        SELECT id
          FROM jobs
         WHERE user_id = ? AND state = ? AND backend IS NULL
         LIMIT ?""")) {
      select.setString(1, userId);
      select.setString(2, JobState.QUEUED.wireName());
      select.setInt(3, limit.rowsToRead());
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          if (limit.handedOver().test(JobId.of(rows.getString("id")))) {
            handedOver++;
          } else {
            waits++;
          }
        }
      }
    }
    if (waits < limit.maxWaiting()) {
      return true;
    }
    if (waits > 0 || !limit.slotFree()) {
      return false;
    }
    // None waits: a job that starts at once needs no waiting place.
    try (PreparedStatement count = connection.prepareStatement("""
        SELECT COUNT(*)
          FROM jobs
         WHERE user_id = ? AND (state = ? OR (state = ? AND backend IS NOT NULL))""")) {
      count.setString(1, userId);
      count.setString(2, JobState.RUNNING.wireName());
      count.setString(3, JobState.QUEUED.wireName());
      return Binds.count(count) + handedOver < limit.maxConcurrent();
    }
  }

  private static void deleteKey(Connection connection, IdempotencyRecord key) throws SQLException {
    try (PreparedStatement expired = connection.prepareStatement(
        "DELETE FROM idempotency_keys WHERE user_id = ? AND idem_key = ?")) {
      expired.setString(1, key.userId());
      expired.setString(2, key.key());
      expired.executeUpdate();
    }
  }

  private static void insertKey(Connection connection, IdempotencyRecord key) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement("""
        INSERT INTO idempotency_keys (user_id, idem_key, request_hash, job_id, created_at)
        VALUES (?, ?, ?, ?, ?)""")) {
      insert.setString(1, key.userId());
      insert.setString(2, key.key());
      insert.setString(3, key.requestHash());
      insert.setString(4, key.jobId().value());
      setInstant(insert, 5, key.createdAt());
      insert.executeUpdate();
    }
  }

  @Override
  public Optional<IdempotencyRecord> findKey(String userId, String key, Instant notBefore) {
    return db.read("job.findKey", connection -> selectKey(connection, userId, key))
        .filter(found -> !found.createdAt().isBefore(notBefore));
  }

  @Override
  public int purgeKeys(Instant cutoff) {
    return db.inTransaction("job.purgeKeys", connection -> {
      try (PreparedStatement delete = connection.prepareStatement(
          "DELETE FROM idempotency_keys WHERE created_at < ?")) {
        setInstant(delete, 1, cutoff);
        return delete.executeUpdate();
      }
    });
  }

  private static Optional<IdempotencyRecord> selectKey(Connection connection, String userId, String key)
      throws SQLException {
    try (PreparedStatement select = connection.prepareStatement("""
        SELECT user_id, idem_key, request_hash, job_id, created_at
          FROM idempotency_keys
         WHERE user_id = ? AND idem_key = ?""")) {
      select.setString(1, userId);
      select.setString(2, key);
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        return Optional.of(new IdempotencyRecord(rows.getString("user_id"), rows.getString("idem_key"),
            rows.getString("request_hash"), JobId.of(rows.getString("job_id")), getInstant(rows, "created_at")));
      }
    }
  }

  @Override
  public Optional<StoredJob> find(JobId id) {
    return db.read("job.find", connection -> {
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT " + COLUMNS + " FROM jobs WHERE id = ?")) {
        select.setString(1, id.value());
        List<StoredJob> jobs = mapAll(select);
        return jobs.stream().findFirst();
      }
    });
  }

  @Override
  public Map<JobId, StoredJob> findAll(Collection<JobId> ids) {
    List<JobId> all = List.copyOf(new LinkedHashSet<>(ids));
    Map<JobId, StoredJob> out = new HashMap<>();
    if (all.isEmpty()) {
      return out;
    }
    return db.read("job.findAll", connection -> {
      for (int from = 0; from < all.size(); from += FIND_ALL_CHUNK) {
        List<JobId> chunk = all.subList(from, Math.min(all.size(), from + FIND_ALL_CHUNK));
        try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + " FROM jobs WHERE id IN ("
            + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ")")) {
          for (int i = 0; i < chunk.size(); i++) {
            select.setString(i + 1, chunk.get(i).value());
          }
          for (StoredJob job : mapAll(select)) {
            out.put(job.id(), job);
          }
        }
      }
      return out;
    });
  }

  @Override
  public Page<StoredJob> listByUser(String userId, PageRequest page) {
    return db.read("job.listByUser", connection -> {
      long total;
      try (PreparedStatement count = connection.prepareStatement(
          "SELECT COUNT(*) FROM jobs WHERE user_id = ?")) {
        count.setString(1, userId);
        total = Binds.count(count);
      }
      try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + """
           FROM jobs
          WHERE user_id = ?
          ORDER BY created_at DESC, id DESC
          LIMIT ? OFFSET ?""")) {
        select.setString(1, userId);
        select.setInt(2, page.size());
        select.setLong(3, page.offset());
        return new Page<>(mapAll(select), page.page(), page.size(), total);
      }
    });
  }

  @Override
  public List<StoredJob> listActive() {
    return db.read("job.listActive", connection -> {
      try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + """
           FROM jobs
          WHERE state IN (?, ?)
          ORDER BY created_at, id""")) {
        select.setString(1, JobState.QUEUED.wireName());
        select.setString(2, JobState.RUNNING.wireName());
        return mapAll(select);
      }
    });
  }

  @Override
  public boolean transition(JobId id, JobState from, JobState to, JobUpdate update) {
    if (from.isTerminal() || from == to) {
      throw new IllegalArgumentException("no transition from " + from + " to " + to);
    }
    return written(false, "job.transition", connection -> {
      try (PreparedStatement change = connection.prepareStatement("""
          UPDATE jobs
             SET state = ?,
                 backend = COALESCE(?, backend),
                 started_at = COALESCE(?, started_at),
                 finished_at = COALESCE(?, finished_at),
                 error = COALESCE(?, error)
           WHERE id = ? AND state = ?""")) {
        change.setString(1, to.wireName());
        setText(change, 2, update.backend());
        setInstant(change, 3, update.startedAt());
        setInstant(change, 4, update.finishedAt());
        setText(change, 5, update.error());
        change.setString(6, id.value());
        change.setString(7, from.wireName());
        if (change.executeUpdate() != 1) {
          return false;
        }
      }
      changed(connection, id, to, firstNonNull(update.finishedAt(), update.startedAt()));
      return true;
    });
  }

  @Override
  public boolean assignBackend(JobId id, String expected, String backend) {
    return written(false, "job.assignBackend", connection -> {
      if (!fence.holds(connection)) {
        throw new LeaseLostException("job.assignBackend", feed == null ? "this instance" : feed.origin());
      }
      try (PreparedStatement change = connection.prepareStatement("""
          UPDATE jobs
             SET backend = ?
           WHERE id = ? AND state = ? AND backend IS NOT DISTINCT FROM ?""")) {
        setText(change, 1, backend);
        change.setString(2, id.value());
        change.setString(3, JobState.QUEUED.wireName());
        setText(change, 4, expected);
        if (change.executeUpdate() != 1) {
          return false;
        }
      }
      if (feed != null) {
        feed.append(connection, id, backend == null ? JobFeed.RETURNED : JobFeed.HANDED_OVER, backend);
      }
      return true;
    });
  }

  @Override
  public boolean cancelWaiting(JobId id, Instant at) {
    return written(false, "job.cancelWaiting", connection -> {
      try (PreparedStatement change = connection.prepareStatement("""
          UPDATE jobs
             SET state = ?, finished_at = ?, error = ?
           WHERE id = ? AND state = ? AND backend IS NULL""")) {
        change.setString(1, JobState.CANCELLED.wireName());
        setInstant(change, 2, at);
        change.setString(3, "cancelled");
        change.setString(4, id.value());
        change.setString(5, JobState.QUEUED.wireName());
        if (change.executeUpdate() != 1) {
          return false;
        }
      }
      changed(connection, id, JobState.CANCELLED, at);
      return true;
    });
  }

  @Override
  public boolean completeJob(JobId id, Instant finishedAt, List<NewImage> images) {
    Objects.requireNonNull(finishedAt, "finishedAt");
    List<NewImage> outputs = List.copyOf(images);
    // Ids sorted up front so that, within one job, id order is the order the images were given.
    List<ImageId> imageIds = new ArrayList<>();
    for (int i = 0; i < outputs.size(); i++) {
      imageIds.add(ImageId.generate(finishedAt));
    }
    imageIds.sort((a, b) -> a.value().compareTo(b.value()));
    return written(false, "job.complete", connection -> {
      try (PreparedStatement finish = connection.prepareStatement("""
          UPDATE jobs
             SET state = ?, finished_at = ?
           WHERE id = ? AND state = ?""")) {
        finish.setString(1, JobState.SUCCEEDED.wireName());
        setInstant(finish, 2, finishedAt);
        finish.setString(3, id.value());
        finish.setString(4, JobState.RUNNING.wireName());
        if (finish.executeUpdate() != 1) {
          return false;
        }
      }
      if (!outputs.isEmpty()) {
        insertImages(connection, id, finishedAt, outputs, imageIds);
      }
      changed(connection, id, JobState.SUCCEEDED, finishedAt);
      return true;
    });
  }

  private static Instant firstNonNull(Instant a, Instant b) {
    return a != null ? a : b != null ? b : Instant.now();
  }

  private static void insertImages(Connection connection, JobId id, Instant finishedAt, List<NewImage> outputs,
      List<ImageId> imageIds) throws SQLException {
    // Owner, template and params come from the job row itself, so they cannot disagree.
    try (PreparedStatement insert = connection.prepareStatement("""
        INSERT INTO images (id, job_id, user_id, file, width, height, size_bytes, template,
                            params, created_at, deleted_at)
        SELECT ?, id, user_id, ?, ?, ?, ?, template, params, ?, NULL
          FROM jobs
         WHERE id = ?""")) {
      for (int i = 0; i < outputs.size(); i++) {
        NewImage image = outputs.get(i);
        insert.setString(1, imageIds.get(i).value());
        insert.setString(2, image.file());
        insert.setInt(3, image.width());
        insert.setInt(4, image.height());
        insert.setLong(5, image.sizeBytes());
        setInstant(insert, 6, finishedAt);
        insert.setString(7, id.value());
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  @Override
  public List<Duration> recentRunTimes(String template, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1: " + limit);
    }
    return db.read("job.recentRunTimes", connection -> {
      try (PreparedStatement select = connection.prepareStatement("""
          SELECT finished_at - started_at AS run_millis
            FROM jobs
           WHERE template = ? AND state = ?
             AND started_at IS NOT NULL AND finished_at IS NOT NULL
           ORDER BY finished_at DESC
           LIMIT ?""")) {
        select.setString(1, template);
        select.setString(2, JobState.SUCCEEDED.wireName());
        select.setInt(3, limit);
        List<Duration> times = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            times.add(Duration.ofMillis(rows.getLong("run_millis")));
          }
        }
        return times;
      }
    });
  }

  private static List<StoredJob> mapAll(PreparedStatement select) throws SQLException {
    List<StoredJob> jobs = new ArrayList<>();
    try (ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        jobs.add(map(rows));
      }
    }
    return jobs;
  }

  /** The job of a row with the {@code jobs} table's columns (also the webhook payload's source). */
  static StoredJob map(ResultSet rows) throws SQLException {
    return new StoredJob(
        JobId.of(rows.getString("id")),
        rows.getString("user_id"),
        rows.getString("template"),
        rows.getString("params"),
        JobState.fromWireName(rows.getString("state")),
        rows.getString("backend"),
        rows.getString("prompt_id"),
        getInstant(rows, "created_at"),
        getInstant(rows, "started_at"),
        getInstant(rows, "finished_at"),
        rows.getString("error"));
  }
}
