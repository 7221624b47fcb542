package io.comfygate.store.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code EXPLAIN QUERY PLAN} says about a statement, for tests that check a query is served by
 * an index (here and in the packages whose SQL is private to them).
 */
public final class QueryPlans {
  private QueryPlans() {}

  /** The plan's lines ({@code detail} column) for {@code sql} with these binds (see {@link Binds#bindAll}). */
  public static List<String> of(Database db, String sql, List<?> binds) {
    return db.read("test.plan", connection -> {
      List<String> lines = new ArrayList<>();
      try (PreparedStatement explain = connection.prepareStatement("EXPLAIN QUERY PLAN " + sql)) {
        Binds.bindAll(explain, binds);
        try (ResultSet rows = explain.executeQuery()) {
          while (rows.next()) {
            lines.add(rows.getString("detail"));
          }
        }
      }
      return lines;
    });
  }
}
