package io.comfygate.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.comfygate.errors.StoreException;
import io.comfygate.internal.concurrent.NeutralLoader;
import io.comfygate.store.ApiKeyStore;
import io.comfygate.store.ImageStore;
import io.comfygate.store.JobStore;
import io.comfygate.store.Stores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.sqlite.SQLiteJDBCLoader;

/**
 * The SDK's {@link Stores}: the database behind the stores, SQLite (the embedded default, one file)
 * or PostgreSQL (for several ComfyGate instances sharing one database), with its connection pools,
 * schema migrations and transaction helpers. Create one per database, share it, and close it on
 * shutdown.
 *
 * <p><b>SQLite.</b> Writes go through a pool of exactly one connection, and each write transaction
 * starts with {@code BEGIN IMMEDIATE}. The single connection serialises this process's writers in
 * the pool's queue (bounded by {@link Builder#acquireTimeout}), so they never meet SQLite's lock.
 * Taking the write lock at {@code BEGIN} (rather than deferred, at the first write) means that
 * another process holding the lock, such as an operator's {@code sqlite3} shell, makes us wait up to
 * the busy timeout instead of failing with {@code SQLITE_BUSY} halfway through a transaction. With
 * deferred transactions on a larger pool, about a third of concurrent writes failed in our
 * measurements, and {@code busy_timeout} did not help (see stack notes, pitfall 13). Reads use a
 * separate small pool; in WAL mode readers never block the writer nor each other, and see the last
 * commit. Pragmas, set on every connection: {@code journal_mode=WAL}, {@code synchronous=NORMAL} (in
 * WAL mode a committed transaction survives a process crash; only an OS crash or power loss can lose
 * the last ones), {@code foreign_keys=ON}, {@code busy_timeout}.
 *
 * <p><b>PostgreSQL</b> ({@code jdbc:postgresql:} URL, or a container's {@link DataSource} found by
 * JNDI). One pool serves reads and writes; writers run side by side under READ COMMITTED, and where
 * two must not both pass a check they queue on an advisory lock (see {@link Dialect}). Reads run in
 * a REPEATABLE READ, READ ONLY transaction, so a page and its total agree. The busy timeout becomes
 * the session's {@code lock_timeout} on our own pool (a container's pool keeps its own settings).
 * The password never goes into the URL: give it to {@link Builder#password}.
 *
 * <p>Thread-safe. {@link #close()} is idempotent; after it every operation throws {@link
 * StoreException}. A container's DataSource is not closed: the container owns it.
 */
public final class Database implements Stores {
  private static final String URL_PREFIX = "jdbc:sqlite:";
  private static final String POSTGRESQL_PREFIX = "jdbc:postgresql:";
  private static final long IDLE_IN_TRANSACTION_MILLIS = 5_000;
  static final int WAL_CHECKPOINT_PAGES = 16_000;

  private final String url;
  private final Dialect dialect;
  private final DataSource writePool;
  private final DataSource readPool;
  /** The pools this database made and closes; empty for a container's DataSource. */
  private final List<HikariDataSource> owned = new ArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  // Catches a nested inTransaction on the same thread, which would otherwise wait on the single
  // write connection that the thread itself holds until the acquire timeout. Instance field, and
  // always removed in finally, so nothing outlives the Database.
  private final ThreadLocal<Boolean> inWrite = new ThreadLocal<>();
  /** Whether the read pool's connections start read transactions by themselves (our own PostgreSQL pool). */
  private final boolean readsPreset;
  /** SQLite's group commit; null on PostgreSQL, whose writers commit side by side. */
  private final GroupCommit groupCommit;
  /** A container's DataSource, or null when this database opens its own connections from {@link #url}. */
  private final DataSource containerDataSource;
  /** For the connections opened outside the pools ({@link #openSession}); null without one. */
  private final String password;

  private Database(Builder builder) {
    this.url = builder.url;
    this.containerDataSource = builder.dataSource;
    this.password = builder.password;
    this.dialect = builder.dialect();
    Migrator migrator = builder.migrator != null ? builder.migrator : new Migrator(dialect.migrations());
    try {
      if (builder.dataSource != null) {
        requirePostgresql(builder.dataSource, url);
        this.writePool = builder.dataSource;
        this.readPool = builder.dataSource;
        this.readsPreset = false;
        migrator.migrate(this);
        this.groupCommit = null;
      } else if (dialect == Dialect.POSTGRESQL) {
        this.writePool = own(new HikariDataSource(postgresConfig(builder, poolName("comfygate-db"), builder.poolSize)));
        // Read connections begin each transaction as a repeatable, read-only one by themselves
        // (set once per connection): a read costs no round trip to say so.
        HikariConfig reads = postgresConfig(builder, poolName("comfygate-db-read"), builder.readPoolSize);
        reads.setReadOnly(true);
        reads.setTransactionIsolation("TRANSACTION_REPEATABLE_READ");
        reads.setAutoCommit(false);
        // HikariCP's own statements (the settings below, the liveness check) end their transaction,
        // so a read never starts inside one begun before it, with an old snapshot.
        reads.setIsolateInternalQueries(true);
        migrator.migrate(this);
        this.readPool = own(new HikariDataSource(reads));
        this.readsPreset = true;
        this.groupCommit = null;
      } else {
        loadNativeLibrary();
        this.writePool = own(new HikariDataSource(sqliteConfig(builder, poolName("comfygate-db-write"), 1, false)));
        migrator.migrate(this);
        this.readPool = own(new HikariDataSource(sqliteConfig(builder, poolName("comfygate-db-read"),
            builder.readPoolSize, true)));
        this.readsPreset = false;
        this.groupCommit = new GroupCommit(this, builder.acquireTimeout);
      }
    } catch (RuntimeException e) {
      owned.forEach(HikariDataSource::close);
      throw e instanceof StoreException ? e : new StoreException("db.open", url + ": " + e, e);
    }
  }

  private static void requirePostgresql(DataSource dataSource, String name) {
    String product;
    try (Connection connection = dataSource.getConnection()) {
      product = connection.getMetaData().getDatabaseProductName();
    } catch (SQLException e) {
      throw new StoreException("db.open", name + ": cannot connect: " + e.getMessage(), e);
    }
    if (!"PostgreSQL".equals(product)) {
      throw new StoreException("db.open", name + " is " + product
          + "; a container's DataSource must be PostgreSQL (for SQLite set JOB_DB_PATH to a file)");
    }
  }

  /**
   * A pool name of this database alone: {@link #close()} waits for the threads of its own pools by
   * name, and must not wait for those of another database open in the same JVM (a second instance
   * in a test, or a second web application in one container).
   */
  private String poolName(String kind) {
    return kind + "-" + Integer.toHexString(System.identityHashCode(this));
  }

  private HikariDataSource own(HikariDataSource pool) {
    owned.add(pool);
    return pool;
  }

  /** See {@link Stores#open(String)}. */
  public static Database open(String location) {
    return builder(location).build();
  }

  /** See {@link Stores#builder(String)}. */
  public static Builder builder(String location) {
    return new Builder(location);
  }

  /** See {@link Stores#builder(DataSource, String)}. */
  public static Builder builder(DataSource dataSource, String name) {
    return new Builder(dataSource, name);
  }

  /**
   * The database behind {@code stores}, for the SDK's parts that take a {@link Stores}.
   *
   * @throws IllegalArgumentException if {@code stores} was not opened by {@link Stores#open} or
   *     {@link Stores#builder} (only the SDK implements {@link Stores})
   */
  public static Database of(Stores stores) {
    if (stores instanceof Database database) {
      return database;
    }
    throw new IllegalArgumentException("stores must be opened by Stores.open or Stores.builder, not a "
        + (stores == null ? "null" : stores.getClass().getName()));
  }

  @Override
  public JobStore jobs() {
    return new JdbcJobStore(this);
  }

  @Override
  public ImageStore images() {
    return new JdbcImageStore(this);
  }

  @Override
  public ApiKeyStore apiKeys() {
    return new JdbcApiKeyStore(this);
  }

  @Override
  public io.comfygate.store.UploadStore uploads() {
    return new JdbcUploadStore(this);
  }

  @Override
  public io.comfygate.store.WebhookStore webhooks() {
    return new JdbcWebhookStore(this);
  }

  /**
   * Runs {@code work} in a write transaction: commits when it returns, rolls back when it throws.
   * Must not be nested on one thread. Reads inside the work see the transaction's own writes.
   *
   * @param operation names the operation in a {@link StoreException}, e.g. {@code "job.insert"}
   * @throws StoreException wrapping any {@link SQLException}, including a timeout waiting for the
   *     write connection
   * @throws IllegalStateException if called inside another {@code inTransaction} on this thread
   * @throws RuntimeException thrown by {@code work}, unchanged, after the rollback
   */
  public <R> R inTransaction(String operation, SqlWork<R> work) {
    if (inWrite.get() != null) {
      throw new IllegalStateException(
          operation + ": nested inTransaction would deadlock on the single write connection");
    }
    inWrite.set(Boolean.TRUE);
    try (Connection connection = writePool.getConnection()) {
      dialect.begin(connection);
      R result;
      try {
        result = work.run(connection);
        dialect.commit(connection);
      } catch (SQLException | RuntimeException | Error e) {
        rollbackQuietly(connection, e);
        throw e;
      }
      dialect.end(connection);
      return result;
    } catch (SQLException e) {
      throw new StoreException(operation, e.getMessage(), e);
    } finally {
      inWrite.remove();
    }
  }

  /**
   * Runs {@code work} in a write transaction that it may share with writes of other threads
   * arriving at the same time (group commit: one commit for many on SQLite's single writer; on
   * PostgreSQL, whose writers commit side by side, it is an {@link #inTransaction} of its own). If
   * the work throws, only its own changes are rolled back, and the others commit: the shared
   * transaction is rolled back and run again with each work in a savepoint of its own, so a work
   * may run twice and must have no effect outside the transaction. A caller that finds the writer
   * idle commits at once, alone: it never waits for company. The work may run on another caller's
   * thread, so it must not rely on thread-local state; it must not call back into this database.
   *
   * @param operation names the operation in a {@link StoreException}
   * @throws StoreException wrapping any {@link SQLException} of the work, or of BEGIN or COMMIT
   *     (then nothing of the batch is stored), or after the acquire timeout
   * @throws IllegalStateException if called inside {@code inTransaction} on this thread
   * @throws RuntimeException thrown by {@code work}, unchanged, after its rollback
   */
  public <R> R inSharedTransaction(String operation, SqlWork<R> work) {
    if (inWrite.get() != null) {
      throw new IllegalStateException(
          operation + ": nested inSharedTransaction would deadlock on the single write connection");
    }
    return groupCommit == null ? inTransaction(operation, work) : groupCommit.run(operation, work);
  }

  /**
   * Runs read-only {@code work} on a read connection inside one read transaction, so a page and
   * its total come from the same snapshot. Writing through this connection fails.
   *
   * @param operation names the operation in a {@link StoreException}
   * @throws StoreException wrapping any {@link SQLException}
   */
  public <R> R read(String operation, SqlWork<R> work) {
    try (Connection connection = readPool.getConnection()) {
      R result;
      try {
        if (!readsPreset) {
          dialect.beginRead(connection);
        }
        result = work.run(connection);
      } catch (SQLException | RuntimeException | Error e) {
        try {
          connection.rollback();
          endRead(connection);
        } catch (SQLException rollbackFailure) {
          e.addSuppressed(rollbackFailure);
        }
        throw e;
      }
      // Ends the snapshot at once so that it does not hold back WAL checkpoints (or, on PostgreSQL,
      // vacuum).
      connection.rollback();
      endRead(connection);
      return result;
    } catch (SQLException e) {
      throw new StoreException(operation, e.getMessage(), e);
    }
  }

  private void endRead(Connection connection) throws SQLException {
    if (!readsPreset) {
      dialect.end(connection);
    }
  }

  /**
   * The writer pool as a plain DataSource, for health probes and tooling that need a real write.
   * On SQLite it has a single connection: hold it briefly. Store code uses {@link #inTransaction}
   * instead.
   */
  public DataSource writeDataSource() {
    return writePool;
  }

  @Override
  public String url() {
    return url;
  }

  /**
   * Inside a write transaction on {@code connection}: waits until no other transaction of this
   * database, in this process or another, holds {@code what}, and holds it until this one ends.
   * Writers that count rows and then insert one (a quota, a limit) call it first with the same name,
   * so that two of them cannot both pass the count. On SQLite it returns at once: {@code BEGIN
   * IMMEDIATE} already holds the only write lock. On PostgreSQL it is a transaction-scoped advisory
   * lock, waited for up to the busy timeout.
   *
   * @param what names what is counted, e.g. {@code "upload:" + userId}
   */
  public void lockInLine(Connection connection, String what) throws SQLException {
    dialect.lockInLine(connection, what);
  }

  /**
   * A PostgreSQL connection of its own, outside the pools, in autocommit, for a session whose
   * life must be this process's (a session-level advisory lock that the server drops as soon as
   * the process is gone): the pool would keep it, hand it on or replace it. Opened from the URL
   * with TCP keepalive and with {@code timeout} for connecting and for every round trip; a
   * container's DataSource gives a connection of its pool, with the same round-trip timeout
   * (whoever holds a session lock on it must unlock it before closing it). The caller closes it.
   *
   * @param name the session's {@code application_name}, as {@code pg_stat_activity} shows it
   */
  Connection openSession(String name, Duration timeout) throws SQLException {
    Connection connection;
    if (containerDataSource != null) {
      connection = containerDataSource.getConnection();
    } else {
      Properties props = new Properties();
      if (password != null) {
        props.setProperty("password", password);
      }
      String seconds = String.valueOf(Math.max(1, timeout.toSeconds()));
      props.setProperty("connectTimeout", seconds);
      props.setProperty("socketTimeout", seconds);
      props.setProperty("tcpKeepAlive", "true");
      props.setProperty("ApplicationName", name);
      // Named, not found through DriverManager: in a WAR the driver is in the web app's class loader.
      connection = new org.postgresql.Driver().connect(url, props);
      if (connection == null) {
        throw new SQLException("the PostgreSQL driver does not accept " + url);
      }
    }
    try {
      connection.setAutoCommit(true);
      connection.setNetworkTimeout(Runnable::run, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
      connection.setClientInfo("ApplicationName", name);
      return connection;
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  @Override
  public boolean isPostgresql() {
    return dialect == Dialect.POSTGRESQL;
  }

  Dialect dialect() {
    return dialect;
  }

  @Override
  public int schemaVersion() {
    return read("db.schemaVersion", Migrator::currentVersion);
  }

  /**
   * Closes both pools. Idempotent; waits for connections in use up to HikariCP's bounded shutdown,
   * then (bounded) for the pools' own threads to have ended: HikariCP's executors report terminated
   * while their last thread is still exiting, and a web container checking right after undeploy
   * would report that thread as left running. Committed data is safe whether or not this runs (see
   * the class comment on synchronous).
   */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    try {
      // Readers first, then the writer (SQLite): the last connection to close checkpoints the WAL.
      for (int i = owned.size() - 1; i >= 0; i--) {
        owned.get(i).close();
      }
    } finally {
      awaitPoolThreadsEnded(Duration.ofSeconds(5));
    }
  }

  private void awaitPoolThreadsEnded(Duration timeout) {
    List<String> prefixes = owned.stream().map(pool -> pool.getPoolName() + ":").toList();
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread == Thread.currentThread()
          || prefixes.stream().noneMatch(thread.getName()::startsWith)) {
        continue;
      }
      long left = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        return;
      }
      try {
        thread.join(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Loads SQLite's native library (once per class loader) without this thread's context class
   * loader: while loading it, the driver runs {@code uname -o}, and the JDK starts the thread that
   * waits for that process ("process reaper", kept 60 s when idle and reused for later processes)
   * from the calling thread, with its context class loader. In a WAR that thread kept the
   * undeployed application loaded for a minute, and each redeploy passed it on to the next.
   */
  private static void loadNativeLibrary() {
    NeutralLoader.call(() -> {
      try {
        return SQLiteJDBCLoader.initialize();
      } catch (Exception e) {
        throw new StoreException("db.open", "cannot load SQLite's native library: " + e, e);
      }
    });
  }

  private void rollbackQuietly(Connection connection, Throwable failure) {
    try {
      dialect.rollback(connection);
      dialect.end(connection);
    } catch (SQLException e) {
      // The transaction may already be gone (SQLite rolls back itself on some errors); the
      // original failure is what the caller needs, this one rides along.
      failure.addSuppressed(e);
    }
  }

  private static HikariConfig postgresConfig(Builder builder, String name, int size) {
    HikariConfig config = new HikariConfig();
    config.setPoolName(name);
    config.setJdbcUrl(builder.url);
    // Named, not found through DriverManager: in a WAR the driver is in the web app's class loader.
    config.setDriverClassName("org.postgresql.Driver");
    if (builder.password != null) {
      config.setPassword(builder.password); // HikariCP never logs it
    }
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(builder.acquireTimeout.toMillis());
    // A write waiting on another's row or advisory lock fails after the busy timeout, as on SQLite.
    // A session left idle inside a transaction (its process paused or cut off while holding a
    // lock, which would stall the other instances) is ended by the server after a few seconds: our
    // transactions never wait on anything but the database.
    config.setConnectionInitSql("SELECT set_config('lock_timeout', '" + builder.busyTimeout.toMillis() + "', false),"
        + " set_config('idle_in_transaction_session_timeout', '" + IDLE_IN_TRANSACTION_MILLIS + "', false)");
    return config;
  }

  private static HikariConfig sqliteConfig(
      Builder builder, String name, int size, boolean readOnly) {
    HikariConfig config = new HikariConfig();
    config.setPoolName(name);
    config.setJdbcUrl(builder.url);
    // Named, not found through DriverManager: in a WAR the driver is in the web app's class loader,
    // which DriverManager does not search.
    config.setDriverClassName("org.sqlite.JDBC");
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(builder.acquireTimeout.toMillis());
    // Read connections use one JDBC transaction per read() for a consistent snapshot; the write
    // connection keeps autocommit on because inTransaction issues BEGIN IMMEDIATE itself.
    config.setAutoCommit(!readOnly);
    config.addDataSourceProperty("journal_mode", "WAL");
    config.addDataSourceProperty("synchronous", "NORMAL");
    config.addDataSourceProperty("foreign_keys", "true");
    config.addDataSourceProperty("busy_timeout", String.valueOf(builder.busyTimeout.toMillis()));
    if (!readOnly) {
      // The writer checkpoints the WAL into the database file when it passes this many pages
      // (default 1 000). The pages of the per-user indexes are written again and again; a longer
      // WAL copies each of them once per checkpoint instead of every few dozen commits, and the
      // store's insert rate stayed level as the file grew instead of falling by a third (BENCHMARKS
      // 6.8). The WAL file keeps its largest size, up to about 64 MB.
      config.setConnectionInitSql("PRAGMA wal_autocheckpoint = " + WAL_CHECKPOINT_PAGES);
    }
    if (readOnly) {
      // A write through a read connection fails at once instead of starting a second writer.
      config.setConnectionInitSql("PRAGMA query_only = ON");
    }
    return config;
  }

  /**
   * Settings for {@link Database}. Setters reject bad values at once; {@link #build()} opens the
   * database.
   */
  public static final class Builder implements Stores.Builder {
    private static final Pattern PASSWORD_IN_URL =
        Pattern.compile("[?&]password=|//[^/@]*:[^/@]*@", Pattern.CASE_INSENSITIVE);
    private final String url;
    private final DataSource dataSource;
    private Duration busyTimeout = Duration.ofSeconds(10);
    private Duration acquireTimeout = Duration.ofSeconds(30);
    private int readPoolSize = 4;
    private int poolSize = 10;
    private String password;
    private Migrator migrator;

    private Builder(String location) {
      this.url = toUrl(location);
      this.dataSource = null;
    }

    private Builder(DataSource dataSource, String name) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank: " + name);
      }
      this.url = name;
    }

    @Override
    public Builder password(String password) {
      if (password == null || password.isEmpty()) {
        throw new IllegalArgumentException("password must not be empty");
      }
      if (dataSource != null || !url.startsWith(POSTGRESQL_PREFIX)) {
        throw new IllegalArgumentException("a password applies to a jdbc:postgresql: URL only: " + url);
      }
      this.password = password;
      return this;
    }

    @Override
    public Builder poolSize(int size) {
      if (size < 2) {
        throw new IllegalArgumentException("poolSize must be >= 2: " + size);
      }
      this.poolSize = size;
      return this;
    }

    @Override
    public Builder busyTimeout(Duration timeout) {
      this.busyTimeout = positive("busyTimeout", timeout);
      return this;
    }

    @Override
    public Builder acquireTimeout(Duration timeout) {
      positive("acquireTimeout", timeout);
      if (timeout.toMillis() < 250) {
        throw new IllegalArgumentException("acquireTimeout must be >= 250ms: " + timeout);
      }
      this.acquireTimeout = timeout;
      return this;
    }

    @Override
    public Builder readPoolSize(int size) {
      if (size < 1) {
        throw new IllegalArgumentException("readPoolSize must be >= 1: " + size);
      }
      this.readPoolSize = size;
      return this;
    }

    // Tests substitute their own migration scripts (classpath resource paths, in version order).
    Builder migrations(List<String> resources) {
      this.migrator = new Migrator(resources);
      return this;
    }

    @Override
    public Database build() {
      return new Database(this);
    }

    private static Duration positive(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be > 0: " + value);
      }
      return value;
    }

    /** PostgreSQL for its URLs and for a container's pool (checked when it is first used). */
    private Dialect dialect() {
      return dataSource != null || url.startsWith(POSTGRESQL_PREFIX) ? Dialect.POSTGRESQL : Dialect.SQLITE;
    }

    private static String toUrl(String location) {
      if (location == null || location.isBlank()) {
        throw new IllegalArgumentException("database location must not be blank: " + location);
      }
      if (location.startsWith(POSTGRESQL_PREFIX)) {
        if (PASSWORD_IN_URL.matcher(location).find()) {
          // Not echoed: the URL holds a secret.
          throw new IllegalArgumentException("the jdbc:postgresql: URL must not carry a password;"
              + " give it separately (JOB_DB_PASSWORD)");
        }
        return location;
      }
      if (location.startsWith("jdbc:")) {
        if (!location.startsWith(URL_PREFIX)) {
          throw new IllegalArgumentException(
              "only jdbc:sqlite: and jdbc:postgresql: URLs are supported: " + location);
        }
        if (location.contains(":memory:") || location.contains("mode=memory")) {
          // Each pooled connection would see its own empty database.
          throw new IllegalArgumentException(
              "in-memory SQLite cannot be shared by the pools; use a file: " + location);
        }
        return location;
      }
      Path path = Path.of(location).toAbsolutePath();
      try {
        Files.createDirectories(path.getParent());
      } catch (IOException e) {
        throw new StoreException("db.open", "cannot create directory for " + path, e);
      }
      return URL_PREFIX + path;
    }
  }
}
