package io.comfygate.store.jdbc;

import static io.comfygate.store.jdbc.Binds.bindAll;
import static io.comfygate.store.jdbc.Binds.getInstant;

import io.comfygate.jobs.JobId;
import io.comfygate.store.ImageId;
import io.comfygate.store.ImageQuery;
import io.comfygate.store.ImageStore;
import io.comfygate.store.Include;
import io.comfygate.store.Page;
import io.comfygate.store.PageRequest;
import io.comfygate.store.StoredImage;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@link ImageStore} on a {@link Database}. Thread-safe; holds no state but the database, which the
 * caller owns and closes.
 */
public final class JdbcImageStore implements ImageStore {
  private static final String COLUMNS = """
      id, job_id, user_id, file, width, height, size_bytes, template, params, created_at,
      deleted_at""";

  private final Database db;

  public JdbcImageStore(Database db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  @Override
  public Optional<StoredImage> find(ImageId id) {
    return db.read("image.find", connection -> {
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT " + COLUMNS + " FROM images WHERE id = ?")) {
        select.setString(1, id.value());
        return mapAll(select).stream().findFirst();
      }
    });
  }

  @Override
  public List<StoredImage> listByJob(JobId jobId) {
    return db.read("image.listByJob", connection -> {
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT " + COLUMNS + " FROM images WHERE job_id = ? ORDER BY id")) {
        select.setString(1, jobId.value());
        return mapAll(select);
      }
    });
  }

  @Override
  public Page<StoredImage> gallery(String userId, Include include, PageRequest page) {
    Objects.requireNonNull(userId, "userId");
    return search("image.gallery", ImageQuery.all().withUser(userId).withInclude(include), page);
  }

  @Override
  public Page<StoredImage> search(ImageQuery query, PageRequest page) {
    return search("image.search", query, page);
  }

  private Page<StoredImage> search(String operation, ImageQuery query, PageRequest page) {
    SearchSql sql = SearchSql.of(query);
    return db.read(operation, connection -> {
      long total;
      try (PreparedStatement count = connection.prepareStatement(sql.count())) {
        bindAll(count, sql.binds());
        total = Binds.count(count);
      }
      List<Object> binds = new ArrayList<>(sql.binds());
      binds.add(page.size());
      binds.add(page.offset());
      try (PreparedStatement select = connection.prepareStatement(sql.page())) {
        bindAll(select, binds);
        return new Page<>(mapAll(select), page.page(), page.size(), total);
      }
    });
  }

  @Override
  public boolean softDelete(ImageId id, String ownerId, Instant at) {
    return update("image.softDelete", """
        UPDATE images SET deleted_at = ?
         WHERE id = ? AND user_id = ? AND deleted_at IS NULL""", at, id.value(), ownerId);
  }

  @Override
  public boolean restore(ImageId id, String ownerId) {
    return update("image.restore", """
        UPDATE images SET deleted_at = NULL
         WHERE id = ? AND user_id = ? AND deleted_at IS NOT NULL""", id.value(), ownerId);
  }

  @Override
  public boolean softDeleteAny(ImageId id, Instant at) {
    return update("image.softDeleteAny", """
        UPDATE images SET deleted_at = ?
         WHERE id = ? AND deleted_at IS NULL""", at, id.value());
  }

  @Override
  public boolean restoreAny(ImageId id) {
    return update("image.restoreAny", """
        UPDATE images SET deleted_at = NULL
         WHERE id = ? AND deleted_at IS NOT NULL""", id.value());
  }

  @Override
  public List<StoredImage> listTrash(Instant deletedBefore, StoredImage after, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1: " + limit);
    }
    long before = deletedBefore == null ? Long.MAX_VALUE : deletedBefore.toEpochMilli();
    return db.read("image.listTrash", connection -> {
      if (after == null) {
        try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + """
             FROM images
            WHERE deleted_at IS NOT NULL AND deleted_at < ?
            ORDER BY deleted_at, created_at, id
            LIMIT ?""")) {
          bindAll(select, List.of(before, limit));
          return mapAll(select);
        }
      }
      // Keyset paging: a row value comparison walks the (deleted_at, created_at, id) index, and
      // rows the caller could not purge are not returned again.
      try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + """
           FROM images
          WHERE deleted_at IS NOT NULL AND deleted_at < ?
            AND (deleted_at, created_at, id) > (?, ?, ?)
          ORDER BY deleted_at, created_at, id
          LIMIT ?""")) {
        Instant afterDeleted = Objects.requireNonNull(after.deletedAt(), "after.deletedAt");
        bindAll(select, List.of(
            before, afterDeleted, after.createdAt(), after.id().value(), limit));
        return mapAll(select);
      }
    });
  }

  @Override
  public boolean purge(ImageId id, Consumer<StoredImage> removeFile) {
    return db.inTransaction("image.purge", connection -> {
      StoredImage image;
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT " + COLUMNS + " FROM images WHERE id = ? AND deleted_at IS NOT NULL")) {
        select.setString(1, id.value());
        List<StoredImage> found = mapAll(select);
        if (found.isEmpty()) {
          return false;
        }
        image = found.get(0);
      }
      removeFile.accept(image);
      try (PreparedStatement delete = connection.prepareStatement(
          "DELETE FROM images WHERE id = ?")) {
        delete.setString(1, id.value());
        return delete.executeUpdate() == 1;
      }
    });
  }

  private boolean update(String operation, String sql, Object... binds) {
    return db.inTransaction(operation, connection -> {
      try (PreparedStatement update = connection.prepareStatement(sql)) {
        bindAll(update, List.of(binds));
        return update.executeUpdate() == 1;
      }
    });
  }

  private static List<StoredImage> mapAll(PreparedStatement select) throws SQLException {
    List<StoredImage> images = new ArrayList<>();
    try (ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        images.add(map(rows));
      }
    }
    return images;
  }

  private static StoredImage map(ResultSet rows) throws SQLException {
    return new StoredImage(
        ImageId.of(rows.getString("id")),
        JobId.of(rows.getString("job_id")),
        rows.getString("user_id"),
        rows.getString("file"),
        rows.getInt("width"),
        rows.getInt("height"),
        rows.getLong("size_bytes"),
        rows.getString("template"),
        rows.getString("params"),
        getInstant(rows, "created_at"),
        getInstant(rows, "deleted_at"));
  }

  /**
   * The gallery and admin listing SQL for one filter: fixed fragments joined with AND, every value
   * a bind. Separate statements per filter shape (rather than {@code ? IS NULL OR …}) let SQLite
   * pick the right index for each.
   */
  record SearchSql(String count, String page, List<Object> binds) {
    static SearchSql of(ImageQuery query) {
      List<String> conditions = new ArrayList<>();
      List<Object> binds = new ArrayList<>();
      if (query.userId() != null) {
        conditions.add("user_id = ?");
        binds.add(query.userId());
      }
      if (query.include() == Include.ACTIVE) {
        conditions.add("deleted_at IS NULL");
      } else if (query.include() == Include.DELETED) {
        conditions.add("deleted_at IS NOT NULL");
      }
      if (query.from() != null) {
        conditions.add("created_at >= ?");
        binds.add(query.from());
      }
      if (query.to() != null) {
        conditions.add("created_at < ?");
        binds.add(query.to());
      }
      String where = conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
      return new SearchSql(
          "SELECT COUNT(*) FROM images" + where,
          "SELECT " + COLUMNS + " FROM images" + where
              + " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
          List.copyOf(binds));
    }
  }
}
