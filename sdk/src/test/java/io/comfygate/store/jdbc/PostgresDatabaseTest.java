package io.comfygate.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.errors.StoreException;
import io.comfygate.store.Admission;
import io.comfygate.store.PostgresSchema;
import io.comfygate.store.StoredJob;
import io.comfygate.jobs.JobId;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteDataSource;

/** The database layer on PostgreSQL: URLs, passwords, a container's DataSource, migrations from several processes, busy. */
class PostgresDatabaseTest {
  @RegisterExtension final PostgresSchema store = new PostgresSchema();

  @Test
  void aPostgresqlUrlGetsTheSameSchemaVersionsAsSqlite() {
    Database db = store.db();

    assertThat(db.isPostgresql()).isTrue();
    assertThat(db.url()).isEqualTo(store.url());
    assertThat(Dialect.POSTGRESQL.migrations()).hasSameSizeAs(Dialect.SQLITE.migrations());
    assertThat(db.schemaVersion()).isEqualTo(Dialect.SQLITE.latestVersion());
    assertThat(tables(db)).containsExactlyInAnyOrder("jobs", "images", "api_keys", "job_webhooks", "webhook_events",
        "uploads", "idempotency_keys", "schema_version", "instances", "leases", "job_changes", "user_waiting");
  }

  @Test
  void theWaitingCountsOfVersion13StartFromTheJobsAlreadyStored() throws SQLException {
    String schema = store.schema() + "_v12";
    PostgresSchema.admin("CREATE SCHEMA " + schema);
    try {
      WaitingCountsUpgrade.check(store.url().replace("currentSchema=" + store.schema(), "currentSchema=" + schema),
          Dialect.POSTGRESQL);
    } finally {
      PostgresSchema.admin("DROP SCHEMA " + schema + " CASCADE");
    }
  }

  @Test
  void eachReadIsARepeatableReadOnlyTransactionOfItsOwnThatSeesEveryEarlierCommit() {
    Database db = store.db();
    for (int i = 0; i < 12; i++) { // more reads than the read pool has connections
      String[] seen = db.read("test.read", tx -> {
        try (Statement show = tx.createStatement();
            ResultSet rows = show.executeQuery("SELECT current_setting('transaction_isolation'),"
                + " current_setting('transaction_read_only'), pg_current_xact_id_if_assigned() IS NULL")) {
          rows.next();
          return new String[] {rows.getString(1), rows.getString(2), rows.getString(3)};
        }
      });
      assertThat(seen).containsExactly("repeatable read", "on", "t");
      StoredJob job = StoredJob.queued(JobId.generate(Clock.systemUTC()), "alice", "t", "{}", Instant.now());
      new JdbcJobStore(db).insert(job);
      assertThat(new JdbcJobStore(db).find(job.id())).as("a read after the commit sees it").isPresent();
    }
    assertThatThrownBy(() -> db.read("test.write", tx -> {
      try (Statement write = tx.createStatement()) {
        return write.executeUpdate("DELETE FROM jobs");
      }
    })).isInstanceOf(StoreException.class).hasMessageContaining("read-only");
  }

  @Test
  void aPasswordGoesBesideTheUrlNeverInIt() {
    assertThatThrownBy(() -> Database.builder(PostgresSchema.serverUrl() + "&password=pg-very-secret"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JOB_DB_PASSWORD")
        .hasMessageNotContaining("pg-very-secret");
    assertThatThrownBy(() -> Database.builder("jdbc:postgresql://cg:pg-very-secret@db/cg"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("pg-very-secret");
    assertThatThrownBy(() -> Database.builder("db/app.db").password("pg-very-secret"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jdbc:postgresql:");
    // Trust authentication accepts any password: this shows it reaches the driver without harm.
    try (Database db = Database.builder(store.url()).password("unused-under-trust").poolSize(2).build()) {
      assertThat(db.schemaVersion()).isEqualTo(Dialect.POSTGRESQL.latestVersion());
    }
  }

  @Test
  void aContainersDataSourceIsMigratedAndUsedButNotClosed() throws SQLException {
    PGSimpleDataSource container = new PGSimpleDataSource();
    container.setURL(store.url());
    String fresh = freshSchema();
    container.setCurrentSchema(fresh);
    try {
      Database db = Database.builder(container, "JNDI java:comp/env/jdbc/comfygate").build();
      StoredJob job = job("alice", Instant.parse("2026-01-01T00:00:00Z"));
      new JdbcJobStore(db).insert(job);
      assertThat(new JdbcJobStore(db).find(job.id())).contains(job);
      assertThat(db.url()).isEqualTo("JNDI java:comp/env/jdbc/comfygate");
      db.close();

      try (Connection connection = container.getConnection(); Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM jobs")) {
        rows.next();
        assertThat(rows.getInt(1)).as("the container's pool still serves, with the job in it").isEqualTo(1);
      }
    } finally {
      PostgresSchema.admin("DROP SCHEMA " + fresh + " CASCADE");
    }

    SQLiteDataSource sqlite = new SQLiteDataSource();
    sqlite.setUrl("jdbc:sqlite:" + store.dir().resolve("container.db"));
    assertThatThrownBy(() -> Database.builder(sqlite, "JNDI jdbc/sqlite").build())
        .isInstanceOf(StoreException.class).hasMessageContaining("must be PostgreSQL");
  }

  @Test
  void processesStartingTogetherOnAnEmptySchemaApplyEachMigrationOnce() throws Exception {
    String fresh = freshSchema();
    String url = PostgresSchema.serverUrl() + "&currentSchema=" + fresh;
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Integer>> versions = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        versions.add(pool.submit(() -> {
          go.await(10, TimeUnit.SECONDS);
          try (Database db = Database.builder(url).poolSize(2).build()) {
            return db.schemaVersion();
          }
        }));
      }
      go.countDown();
      for (Future<Integer> version : versions) {
        assertThat(version.get(60, TimeUnit.SECONDS)).isEqualTo(Dialect.POSTGRESQL.latestVersion());
      }
      try (Connection connection = DriverManager.getConnection(url); Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery("SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_version")) {
        rows.next();
        assertThat(rows.getInt(1)).isEqualTo(rows.getInt(2)).isEqualTo(Dialect.POSTGRESQL.migrations().size());
      }
    } finally {
      pool.shutdownNow();
      PostgresSchema.admin("DROP SCHEMA " + fresh + " CASCADE");
    }
  }

  @Test
  void aWriteWaitingLongerThanTheBusyTimeoutFailsAsBusy() throws SQLException {
    try (Database db = Database.builder(store.url()).busyTimeout(Duration.ofMillis(300)).poolSize(2).build();
        Connection other = DriverManager.getConnection(store.url())) {
      other.setAutoCommit(false);
      // Another process is admitting a job of alice's and holds her place in line.
      try (PreparedStatement hold = other.prepareStatement(
          "SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':' || ?, 0))")) {
        hold.setString(1, "admit:alice");
        hold.execute();
      }
      long started = System.nanoTime();
      assertThatThrownBy(() -> new JdbcJobStore(db).admit(Admission.of(job("alice", Instant.now()))))
          .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.busy()).isTrue());
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
      other.rollback();

      assertThat(new JdbcJobStore(db).admit(Admission.of(job("alice", Instant.now())))).isNotNull();
    }
  }

  private static StoredJob job(String user, Instant at) {
    return StoredJob.queued(JobId.generate(Clock.fixed(at, ZoneOffset.UTC)), user, "txt2img", "{}", at);
  }

  private static String freshSchema() throws SQLException {
    String name = "cg_test_" + UUID.randomUUID().toString().replace("-", "");
    PostgresSchema.admin("CREATE SCHEMA " + name);
    return name;
  }

  private static List<String> tables(Database db) {
    return db.read("test", c -> {
      List<String> names = new ArrayList<>();
      try (PreparedStatement s = c.prepareStatement(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()");
          ResultSet rows = s.executeQuery()) {
        while (rows.next()) {
          names.add(rows.getString(1));
        }
      }
      return names;
    });
  }
}
