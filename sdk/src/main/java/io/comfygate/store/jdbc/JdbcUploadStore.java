package io.comfygate.store.jdbc;

import io.comfygate.store.UploadStore;
import io.comfygate.uploads.Upload;
import io.comfygate.uploads.UploadId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link UploadStore} on a {@link Database}. An insert first puts itself in line behind the other
 * inserts of the same user ({@link Database#lockInLine}: SQLite's single writer, PostgreSQL's
 * transaction-scoped advisory lock), then counts and inserts. Thread-safe; the caller owns and
 * closes the database.
 */
public final class JdbcUploadStore implements UploadStore {
  private static final String COLUMNS = "id, user_id, content_type, width, height, size_bytes, file, created_at";

  private final Database db;

  public JdbcUploadStore(Database db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  @Override
  public Usage usage(String userId, Instant since) {
    return db.read("upload.quota", c -> usage(c, userId, since));
  }

  private static Usage usage(Connection c, String userId, Instant since) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(
        "SELECT COUNT(*), COALESCE(SUM(size_bytes), 0), MIN(created_at) FROM uploads WHERE user_id = ? AND created_at >= ?")) {
      select.setString(1, userId);
      select.setLong(2, since.toEpochMilli());
      try (ResultSet row = select.executeQuery()) {
        row.next();
        long count = row.getLong(1);
        long bytes = row.getLong(2);
        long oldest = row.getLong(3);
        return new Usage(count, bytes, row.wasNull() ? null : Instant.ofEpochMilli(oldest));
      }
    }
  }

  @Override
  public void insert(Upload u, Instant countSince, QuotaCheck check) {
    Objects.requireNonNull(check, "check");
    db.inTransaction("upload.insert", c -> {
      db.lockInLine(c, "upload:" + u.userId()); // parallel uploads of one user count one after the other
      check.check(usage(c, u.userId(), countSince));
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO uploads (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        insert.setString(1, u.id().value());
        insert.setString(2, u.userId());
        insert.setString(3, u.contentType());
        insert.setInt(4, u.width());
        insert.setInt(5, u.height());
        insert.setLong(6, u.bytes());
        insert.setString(7, u.file());
        insert.setLong(8, u.createdAt().toEpochMilli());
        return insert.executeUpdate();
      }
    });
  }

  @Override
  public Optional<Upload> find(UploadId id) {
    return db.read("upload.find", c -> {
      try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS + " FROM uploads WHERE id = ?")) {
        select.setString(1, id.value());
        return mapAll(select).stream().findFirst();
      }
    });
  }

  @Override
  public List<Upload> createdBefore(Instant cutoff, int limit) {
    return db.read("upload.expired", c -> {
      try (PreparedStatement select = c.prepareStatement(
          "SELECT " + COLUMNS + " FROM uploads WHERE created_at < ? ORDER BY created_at, id LIMIT ?")) {
        select.setLong(1, cutoff.toEpochMilli());
        select.setInt(2, limit);
        return mapAll(select);
      }
    });
  }

  @Override
  public boolean delete(UploadId id) {
    return db.inTransaction("upload.remove", c -> {
      try (PreparedStatement delete = c.prepareStatement("DELETE FROM uploads WHERE id = ?")) {
        delete.setString(1, id.value());
        return delete.executeUpdate() == 1;
      }
    });
  }

  private static List<Upload> mapAll(PreparedStatement select) throws SQLException {
    List<Upload> out = new ArrayList<>();
    try (ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        out.add(new Upload(UploadId.of(rows.getString("id")), rows.getString("user_id"), rows.getString("content_type"),
            rows.getInt("width"), rows.getInt("height"), rows.getLong("size_bytes"), rows.getString("file"),
            Instant.ofEpochMilli(rows.getLong("created_at"))));
      }
    }
    return out;
  }
}
