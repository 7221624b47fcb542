package io.comfygate.bench.load;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a load run left behind, checked after the fact:
 * <ul>
 *   <li>from the store: at no instant did a user have more jobs accepted but not yet started than
 *       MAX_PER_USER_QUEUE waiting plus MAX_PER_USER_CONCURRENT handed to ComfyUI;
 *   <li>from ComfyUI's own history: at no instant did a user have more prompts executing than
 *       MAX_PER_USER_CONCURRENT;
 *   <li>every job ended;
 *   <li>fairness: completed jobs per user (min, median, max, Jain's index) and each user's median
 *       wait.
 * </ul>
 *
 * @param violations each broken rule, with the user and the instant
 */
public record Audit(int jobs, Map<String, Integer> byState, List<String> violations, String fairness) {

  private record Row(String user, String state, String promptId, long created, Long started, Long finished) {}

  static Audit of(String jdbcUrl, Map<String, long[]> ran, int maxQueue, int maxConcurrent) throws SQLException {
    List<Row> rows = read(jdbcUrl);
    List<String> violations = new ArrayList<>();
    Map<String, Integer> byState = new TreeMap<>();
    Map<String, List<Row>> byUser = new TreeMap<>();
    for (Row r : rows) {
      byState.merge(r.state(), 1, Integer::sum);
      byUser.computeIfAbsent(r.user(), u -> new ArrayList<>()).add(r);
      if (r.finished() == null) {
        violations.add("job of " + r.user() + " never ended (state " + r.state() + ")");
      }
    }
    byUser.forEach((user, jobs) -> {
      List<long[]> notStarted = new ArrayList<>();
      List<long[]> executing = new ArrayList<>();
      for (Row r : jobs) {
        Long until = r.started() != null ? r.started() : r.finished();
        notStarted.add(new long[] {r.created(), until != null ? until : Long.MAX_VALUE});
        long[] run = ran.get(r.promptId());
        if (run != null) {
          executing.add(run);
        }
      }
      int most = mostAtOnce(notStarted);
      if (most > maxQueue + maxConcurrent) {
        violations.add(user + " had " + most + " jobs accepted and not started at once (limit "
            + maxQueue + " waiting + " + maxConcurrent + " on ComfyUI)");
      }
      int mostRunning = mostAtOnce(executing);
      if (mostRunning > maxConcurrent) {
        violations.add(user + " had " + mostRunning + " prompts executing at once on ComfyUI (limit " + maxConcurrent + ")");
      }
    });
    return new Audit(rows.size(), byState, violations, fairness(byUser));
  }

  /** The largest number of half-open intervals [from, to) that overlap at one instant. */
  static int mostAtOnce(List<long[]> intervals) {
    List<long[]> edges = new ArrayList<>();
    for (long[] i : intervals) {
      edges.add(new long[] {i[0], +1});
      edges.add(new long[] {i[1], -1});
    }
    // At the same instant an end comes before a start: [a, b) and [b, c) do not overlap.
    edges.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
    int now = 0;
    int most = 0;
    for (long[] e : edges) {
      now += (int) e[1];
      most = Math.max(most, now);
    }
    return most;
  }

  private static String fairness(Map<String, List<Row>> byUser) {
    List<Integer> done = new ArrayList<>();
    List<Long> medianWaits = new ArrayList<>();
    for (List<Row> jobs : byUser.values()) {
      done.add((int) jobs.stream().filter(r -> r.state().equals("succeeded")).count());
      List<Long> waits = jobs.stream().filter(r -> r.started() != null).map(r -> r.started() - r.created()).sorted().toList();
      if (!waits.isEmpty()) {
        medianWaits.add(waits.get(waits.size() / 2));
      }
    }
    if (done.isEmpty()) {
      return "fairness: no jobs";
    }
    done.sort(null);
    medianWaits.sort(null);
    double sum = 0;
    double squares = 0;
    for (int d : done) {
      sum += d;
      squares += (double) d * d;
    }
    double jain = squares == 0 ? 1 : sum * sum / (done.size() * squares);
    return String.format("fairness: completed jobs per user min %d / median %d / max %d, Jain's index %.3f;"
            + " users' median wait min %d ms / median %d ms / max %d ms",
        done.get(0), done.get(done.size() / 2), done.get(done.size() - 1), jain,
        medianWaits.isEmpty() ? 0 : medianWaits.get(0), medianWaits.isEmpty() ? 0 : medianWaits.get(medianWaits.size() / 2),
        medianWaits.isEmpty() ? 0 : medianWaits.get(medianWaits.size() - 1));
  }

  private static List<Row> read(String jdbcUrl) throws SQLException {
    List<Row> rows = new ArrayList<>();
    // The driver directly: the WAR's undeploy deregisters drivers from DriverManager.
    java.sql.Driver driver = jdbcUrl.startsWith("jdbc:postgresql:") ? new org.postgresql.Driver() : new org.sqlite.JDBC();
    try (Connection c = driver.connect(jdbcUrl, new java.util.Properties());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT user_id, state, prompt_id, created_at, started_at, finished_at FROM jobs")) {
      while (rs.next()) {
        rows.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
            (Long) rs.getObject(5, Long.class), (Long) rs.getObject(6, Long.class)));
      }
    }
    return rows;
  }
}
