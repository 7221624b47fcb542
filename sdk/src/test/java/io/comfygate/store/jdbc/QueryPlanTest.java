package io.comfygate.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.store.ImageQuery;
import io.comfygate.store.Include;
import io.comfygate.store.SqliteStoreFile;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks, with {@code EXPLAIN QUERY PLAN}, that the gallery, admin and trash queries are served by
 * an index rather than a scan of the whole images table, so they stay fast at a million rows.
 */
class QueryPlanTest {
  private static final Instant FROM = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2026-02-01T00:00:00Z");

  @RegisterExtension final SqliteStoreFile store = new SqliteStoreFile();

  static Stream<ImageQuery> queries() {
    List<ImageQuery> queries = new ArrayList<>();
    for (Include include : Include.values()) {
      ImageQuery base = ImageQuery.all().withInclude(include);
      queries.add(base.withUser("alice"));
      queries.add(base.withUser("alice").withRange(FROM, TO));
      queries.add(base);
      queries.add(base.withRange(FROM, TO));
      queries.add(base.withRange(FROM, null));
    }
    return queries.stream();
  }

  @ParameterizedTest
  @MethodSource("queries")
  void galleryAndAdminQueriesUseAnIndex(ImageQuery query) {
    JdbcImageStore.SearchSql sql = JdbcImageStore.SearchSql.of(query);
    List<Object> pageBinds = new ArrayList<>(sql.binds());
    pageBinds.add(20);
    pageBinds.add(0L);

    assertIndexed(plan(sql.page(), pageBinds));
    assertIndexed(plan(sql.count(), sql.binds()));
  }

  @Test
  void activeGalleryPagesNeedNoSort() {
    JdbcImageStore.SearchSql sql = JdbcImageStore.SearchSql.of(ImageQuery.all().withUser("alice"));
    List<Object> binds = List.of("alice", 20, 0L);

    // Newest first straight off the index: no temporary sort of the user's whole gallery.
    assertThat(plan(sql.page(), binds))
        .anySatisfy(line -> assertThat(line).contains("images_gallery"))
        .noneSatisfy(line -> assertThat(line).contains("TEMP B-TREE"));
  }

  @Test
  void trashWalkUsesTheDeletionIndexInOrder() {
    List<String> plan = plan("""
        SELECT id FROM images
         WHERE deleted_at IS NOT NULL AND deleted_at < ?
           AND (deleted_at, created_at, id) > (?, ?, ?)
         ORDER BY deleted_at, created_at, id
         LIMIT ?""", List.of(5L, 1L, 1L, "i", 10));

    assertIndexed(plan);
    assertThat(plan).noneSatisfy(line -> assertThat(line).contains("TEMP B-TREE"));
  }

  private static void assertIndexed(List<String> plan) {
    assertThat(plan)
        .as("query plan %s", plan)
        .anySatisfy(line -> assertThat(line).contains("INDEX"))
        .noneSatisfy(line -> assertThat(line).matches(".*SCAN images(?! USING).*"));
  }

  private List<String> plan(String sql, List<Object> binds) {
    return QueryPlans.of(store.db(), sql, binds);
  }
}
