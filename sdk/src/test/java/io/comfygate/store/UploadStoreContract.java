package io.comfygate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.errors.QuotaExceededException;
import io.comfygate.errors.StoreException;
import io.comfygate.store.jdbc.Database;
import io.comfygate.uploads.Upload;
import io.comfygate.uploads.UploadId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The record of uploads on a real database (a SQLite file or a PostgreSQL schema): find, the
 * oldest-first walk of the retention sweep, removal, a user's usage, and the quota check inside
 * the insert's transaction, which holds when two instances (two stores on two {@link Database}s of
 * the same data) insert for one user at once.
 */
public abstract class UploadStoreContract {
  private static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");
  private static final UploadStore.QuotaCheck ANY = usage -> {};

  /** The database under test: fresh for each test. */
  protected abstract StoreContractSupport.Stores store();

  /** The store under test on {@code db}. */
  protected abstract UploadStore uploadStore(Database db);

  private static Upload upload(String user, Instant at, long bytes) {
    UploadId id = UploadId.generate(at);
    return new Upload(id, user, "image/png", 4, 3, bytes, id.value() + ".png", at);
  }

  @Test
  void anUploadIsFoundAsInsertedAndRemoved() {
    UploadStore store = uploadStore(store().db());
    Upload upload = upload("alice", T0, 123);

    store.insert(upload, T0.minus(Duration.ofDays(1)), ANY);

    assertThat(store.find(upload.id())).contains(upload);
    assertThat(store.find(UploadId.generate(T0))).isEmpty();
    assertThatThrownBy(() -> store.insert(upload, T0, ANY)).as("the same id twice").isInstanceOf(StoreException.class);
    assertThat(store.delete(upload.id())).isTrue();
    assertThat(store.delete(upload.id())).isFalse();
    assertThat(store.find(upload.id())).isEmpty();
  }

  @Test
  void theSweepWalksUploadsStoredBeforeTheCutoffOldestFirst() {
    UploadStore store = uploadStore(store().db());
    List<Upload> stored = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Upload u = upload(i % 2 == 0 ? "alice" : "bob", T0.plusSeconds(10L * (4 - i)), 10); // newest first
      store.insert(u, T0, ANY);
      stored.add(u);
    }

    assertThat(store.createdBefore(T0.plusSeconds(30), 100)).containsExactly(stored.get(4), stored.get(3), stored.get(2));
    assertThat(store.createdBefore(T0.plusSeconds(30), 2)).containsExactly(stored.get(4), stored.get(3));
    assertThat(store.createdBefore(T0, 100)).isEmpty();
  }

  @Test
  void usageCountsOneUsersUploadsSinceATime() {
    UploadStore store = uploadStore(store().db());
    store.insert(upload("alice", T0, 100), T0, ANY);
    store.insert(upload("alice", T0.plusSeconds(60), 250), T0, ANY);
    store.insert(upload("bob", T0.plusSeconds(30), 999), T0, ANY);

    assertThat(store.usage("alice", T0)).isEqualTo(new UploadStore.Usage(2, 350, T0));
    assertThat(store.usage("alice", T0.plusMillis(1))).isEqualTo(new UploadStore.Usage(1, 250, T0.plusSeconds(60)));
    assertThat(store.usage("carol", T0)).isEqualTo(new UploadStore.Usage(0, 0, null));
  }

  @Test
  void aRefusingCheckSeesTheUsageAndKeepsNothing() {
    UploadStore store = uploadStore(store().db());
    store.insert(upload("alice", T0, 100), T0, ANY);
    Upload refused = upload("alice", T0.plusSeconds(1), 50);
    List<UploadStore.Usage> seen = new ArrayList<>();
    QuotaExceededException full = new QuotaExceededException("alice", "full", 1, Duration.ofSeconds(5));

    assertThatThrownBy(() -> store.insert(refused, T0, usage -> {
      seen.add(usage);
      throw full;
    })).isSameAs(full);

    assertThat(seen).containsExactly(new UploadStore.Usage(1, 100, T0));
    assertThat(store.find(refused.id())).isEmpty();
  }

  @Test
  void twoInstancesUploadingForOneUserAtOnceNeverPassTheQuota() throws Exception {
    int quota = 5;
    try (Database second = store().open()) {
      List<UploadStore> instances = List.of(uploadStore(store().db()), uploadStore(second));
      AtomicLong mostSeen = new AtomicLong();
      UploadStore.QuotaCheck check = usage -> {
        mostSeen.accumulateAndGet(usage.count(), Math::max);
        if (usage.count() >= quota) {
          throw new QuotaExceededException("alice", "full", quota, Duration.ofSeconds(1));
        }
      };
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> stored = new ArrayList<>();
        for (UploadStore instance : instances) {
          stored.add(pool.submit(() -> {
            start.await();
            int mine = 0;
            for (int i = 0; i < 3 * quota; i++) {
              try {
                instance.insert(upload("alice", Instant.now(), 10), T0, check);
                mine++;
              } catch (QuotaExceededException e) {
                // full: keep trying, as a client hammering two instances would
              }
            }
            return mine;
          }));
        }
        start.countDown();
        int total = 0;
        for (Future<Integer> f : stored) {
          total += f.get(60, TimeUnit.SECONDS);
        }
        assertThat(total).isEqualTo(quota);
        assertThat(mostSeen.get()).as("the most uploads a check ever saw").isEqualTo(quota);
        assertThat(instances.get(1).usage("alice", T0).count()).isEqualTo(quota);
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
