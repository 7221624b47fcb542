package io.comfygate.store;

import io.comfygate.store.jdbc.Database;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * The database behind ComfyGate's stores: SQLite (the embedded default, one file) or PostgreSQL
 * (for several ComfyGate instances sharing one database), with its connection pools and schema
 * migrations. Open one per database, share it (with {@code JobEngine.Builder.database}, {@code
 * Webhooks.builder}, {@code Uploads}), and close it after them.
 *
 * <pre>{@code
 * try (Stores stores = Stores.open("data/comfygate.db");
 *      JobEngine engine = JobEngine.builder().database(stores).build()) {
 *   ApiKeys keys = new ApiKeys(stores.apiKeys(), Clock.systemUTC());
 *   ...
 * }
 * }</pre>
 *
 * <p>On SQLite, writes are serialised through one connection and reads use a small pool of their
 * own (WAL mode); on PostgreSQL one pool serves both. The password never goes into the URL: give it
 * to {@link Builder#password}. Thread-safe. {@link #close()} is idempotent; after it every operation
 * throws {@link io.comfygate.errors.StoreException}. A container's DataSource is not closed: the
 * container owns it.
 *
 * <p>Only the SDK implements this interface (and {@link Builder}): the engine, webhooks and
 * uploads accept the stores that {@link #open} and {@link #builder} return, no others.
 */
public interface Stores extends AutoCloseable {

  /**
   * Opens (creating if needed) the database at {@code location} with default settings and brings
   * its schema up to date.
   *
   * @param location a file path (parent directories are created), a {@code jdbc:sqlite:} URL or a
   *     {@code jdbc:postgresql:} URL (without a password: see {@link Builder#password})
   * @throws IllegalArgumentException if the location is blank, another JDBC kind, in-memory, or a
   *     URL carrying a password
   * @throws io.comfygate.errors.StoreException if the database cannot be opened or migrated, or its
   *     schema is newer than this code
   */
  static Stores open(String location) {
    return Database.open(location);
  }

  /** A builder for the database at {@code location}; see {@link #open(String)}. */
  static Builder builder(String location) {
    return Database.builder(location);
  }

  /**
   * A builder for a database on a container's pool (for example a {@link DataSource} found by
   * JNDI), which must be PostgreSQL. Its schema is migrated when built; the pool is not closed by
   * {@link #close()}, and its own settings (size, timeouts, credentials) apply.
   *
   * @param name how logs and errors name the database, e.g. the JNDI name; never the password
   */
  static Builder builder(DataSource dataSource, String name) {
    return Database.builder(dataSource, name);
  }

  /** The jobs in this database. Stores hold no state but the database: make them as needed. */
  JobStore jobs();

  /** The gallery's images in this database. */
  ImageStore images();

  /** The API keys in this database (give them to {@code new ApiKeys(store, clock)}). */
  ApiKeyStore apiKeys();

  /** The uploaded input images' records (for {@link io.comfygate.uploads.Uploads}). */
  UploadStore uploads();

  /** The webhook outbox (for {@link io.comfygate.webhooks.Webhooks#builder(WebhookStore)}). */
  WebhookStore webhooks();

  /**
   * The JDBC URL this database was opened with (never with a password), or for a container's pool
   * the name it was given.
   */
  String url();

  /** Whether this database is PostgreSQL (else SQLite). */
  boolean isPostgresql();

  /** The schema version the database is at. */
  int schemaVersion();

  /**
   * Closes the pools this database opened, waiting (bounded) for connections in use. Idempotent.
   * Committed data is safe whether or not this runs.
   */
  @Override
  void close();

  /** Settings for {@link Stores}. Setters reject bad values at once; {@link #build()} opens the database. */
  interface Builder {
    /**
     * The password for a {@code jdbc:postgresql:} URL (a secret: kept out of the URL, logs and
     * errors). Default none, for trust or peer authentication, or a {@code .pgpass} file.
     *
     * @throws IllegalArgumentException if empty, or the database is not a PostgreSQL URL
     */
    Builder password(String password);

    /**
     * Connections of the PostgreSQL pool for writes (and for listening to the other instances).
     * Default 10. Ignored for SQLite (one writer, see {@link #readPoolSize}) and for a container's
     * pool, which serves reads and writes.
     *
     * @throws IllegalArgumentException if under 2
     */
    Builder poolSize(int size);

    /**
     * How long a statement waits for another process's lock before failing (SQLite's busy
     * timeout, PostgreSQL's {@code lock_timeout}). Default 10 s.
     *
     * @throws IllegalArgumentException if not positive
     */
    Builder busyTimeout(Duration timeout);

    /**
     * How long an operation waits for a free connection before failing. Default 30 s.
     *
     * @throws IllegalArgumentException if under 250 ms (HikariCP's minimum)
     */
    Builder acquireTimeout(Duration timeout);

    /**
     * Connections for concurrent reads, on SQLite and in ComfyGate's own PostgreSQL pool (a second
     * pool next to {@link #poolSize}'s). Default 4. Ignored for a container's pool.
     *
     * @throws IllegalArgumentException if under 1
     */
    Builder readPoolSize(int size);

    /**
     * Opens the database and migrates its schema.
     *
     * @throws io.comfygate.errors.StoreException if it cannot be opened or migrated, or its schema
     *     is newer than this code knows
     */
    Stores build();
  }
}
