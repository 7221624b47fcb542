package io.comfygate.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.store.SqliteStoreFile;
import io.comfygate.webhooks.DeliveryState;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks, with {@code EXPLAIN QUERY PLAN}, that the admin's paged list of webhook events reads each
 * filter's page newest first off an index (no sort of the matching events) and counts from an
 * index, both on a fresh database and once SQLite has statistics of a large outbox where nearly
 * every event is delivered (the case a state filter must not turn into a sort of the whole table).
 */
class WebhookListQueryPlanTest {
  private static final int EVENTS = 20_000;

  @RegisterExtension final SqliteStoreFile store = new SqliteStoreFile();

  static Stream<JdbcWebhookStore.ListSql> filtered() {
    List<JdbcWebhookStore.ListSql> shapes = new ArrayList<>();
    for (DeliveryState state : DeliveryState.values()) {
      shapes.add(JdbcWebhookStore.ListSql.of(state, null));
      shapes.add(JdbcWebhookStore.ListSql.of(state, "j-7"));
    }
    shapes.add(JdbcWebhookStore.ListSql.of(null, "j-7"));
    return shapes.stream();
  }

  @ParameterizedTest
  @MethodSource("filtered")
  void eachFilterReadsAndCountsOffAnIndexWithoutSorting(JdbcWebhookStore.ListSql sql) {
    for (boolean analysed : List.of(false, true)) {
      if (analysed) {
        fillAndAnalyse();
      }
      List<String> page = plan(sql.page(), sql, true);
      List<String> count = plan(sql.count(), sql, false);
      assertThat(page).as("page plan %s (statistics: %s)", page, analysed)
          .anySatisfy(line -> assertThat(line).contains("INDEX"))
          .noneSatisfy(line -> assertThat(line).matches(".*SCAN webhook_events(?! USING).*"))
          .noneSatisfy(line -> assertThat(line).contains("TEMP B-TREE"));
      assertThat(count).as("count plan %s (statistics: %s)", count, analysed)
          .anySatisfy(line -> assertThat(line).contains("INDEX"))
          .noneSatisfy(line -> assertThat(line).matches(".*SCAN webhook_events(?! USING).*"));
    }
  }

  @Test
  void theUnfilteredListWalksTheTableNewestFirstWithoutSorting() {
    fillAndAnalyse();
    JdbcWebhookStore.ListSql sql = JdbcWebhookStore.ListSql.of(null, null);
    List<String> page = plan(sql.page(), sql, true);

    // seq is the rowid: the page is read backwards off the table itself and stops after offset + size
    assertThat(page).as("page plan %s", page).noneSatisfy(line -> assertThat(line).contains("TEMP B-TREE"));
    assertThat(plan(sql.count(), sql, false)).anySatisfy(line -> assertThat(line).contains("COVERING INDEX"));
  }

  private List<String> plan(String statement, JdbcWebhookStore.ListSql sql, boolean paged) {
    List<Object> binds = new ArrayList<>(sql.binds());
    if (paged) {
      binds.add(20);
      binds.add(0L);
    }
    return QueryPlans.of(store.db(), statement, binds);
  }

  /**
   * {@value #EVENTS} events of 5000 jobs (four each), 98% delivered, 1% failed, 1% pending, then
   * {@code ANALYZE}.
   */
  private void fillAndAnalyse() {
    store.db().inTransaction("test.fill", c -> {
      try (PreparedStatement insert = c.prepareStatement("""
          INSERT INTO webhook_events (event_id, job_id, type, url, key_id, payload, state, attempts,
                                      next_attempt_at, created_at)
          VALUES (?, ?, 'job.running', 'https://hooks.example.com/in', 'k', '{}', ?, 1, ?, ?)""")) {
        for (int i = 0; i < EVENTS; i++) {
          insert.setString(1, "e-" + i);
          insert.setString(2, "j-" + i / 4);
          insert.setString(3, i % 100 == 0 ? "failed" : i % 100 == 1 ? "pending" : "delivered");
          insert.setLong(4, 1_000_000L + i);
          insert.setLong(5, 1_000_000L + i);
          insert.addBatch();
        }
        insert.executeBatch();
      }
      try (Statement analyse = c.createStatement()) {
        analyse.execute("ANALYZE");
      }
      return null;
    });
  }
}
