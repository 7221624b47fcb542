package io.comfygate.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.store.JobUpdate;
import io.comfygate.store.StoredJob;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Version 13 on a database that already holds jobs: the per-user waiting counts it adds start from
 * the rows there (run by the SQLite and the PostgreSQL database tests).
 */
final class WaitingCountsUpgrade {
  private static final int BEFORE = 12;

  private WaitingCountsUpgrade() {}

  private static JobId queued(JdbcJobStore jobs, String user, Instant at) {
    JobId id = JobId.generate(Clock.fixed(at, ZoneOffset.UTC));
    jobs.insert(StoredJob.queued(id, user, "txt2img", "{}", at));
    return id;
  }

  static void check(String url, Dialect dialect) {
    List<String> all = dialect.migrations();
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    try (Database old = Database.builder(url).migrations(all.subList(0, BEFORE)).build()) {
      assertThat(old.schemaVersion()).isEqualTo(BEFORE);
      JdbcJobStore jobs = new JdbcJobStore(old);
      List<JobId> alice = List.of(queued(jobs, "alice", t), queued(jobs, "alice", t), queued(jobs, "alice", t));
      jobs.assignBackend(alice.get(0), null, "gpu-1"); // handed over: not waiting
      queued(jobs, "bob", t);
      JobId carol = queued(jobs, "carol", t);
      jobs.transition(carol, JobState.QUEUED, JobState.RUNNING, JobUpdate.none().withBackend("gpu-1"));
    }
    try (Database upgraded = Database.builder(url).migrations(all).build()) {
      assertThat(upgraded.schemaVersion()).isEqualTo(dialect.latestVersion());
      Map<String, Integer> counts = upgraded.read("test", c -> {
        Map<String, Integer> out = new LinkedHashMap<>();
        try (PreparedStatement select = c.prepareStatement("SELECT user_id, waiting FROM user_waiting ORDER BY user_id");
            ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            out.put(rows.getString(1), rows.getInt(2));
          }
        }
        return out;
      });
      assertThat(counts).isEqualTo(Map.of("alice", 2, "bob", 1));
    }
  }
}
