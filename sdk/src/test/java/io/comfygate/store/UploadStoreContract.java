package io.comfygate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.errors.StoreException;
import io.comfygate.uploads.Upload;
import io.comfygate.uploads.UploadId;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link UploadStore} must have. An implementation's test extends this class
 * and supplies a fresh, empty store for each test.
 */
public abstract class UploadStoreContract {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /** The store under test: empty at the start of each test. */
  protected abstract UploadStore uploadStore();

  private static int next;

  /** A well-formed id that no other upload of the test has. */
  private static UploadId newId() {
    return UploadId.of(String.format("u01m9%022d", next++));
  }

  private static Upload upload(String user, long second) {
    UploadId id = newId();
    return new Upload(id, user, "image/png", 64, 48, 1234, id.value() + ".png", T0.plusSeconds(second));
  }

  @Test
  void anInsertedUploadIsFoundWithEveryField() {
    Upload u = upload("alice", 0);
    uploadStore().insert(u);

    assertThat(uploadStore().find(u.id())).contains(u);
    assertThat(uploadStore().find(newId())).isEmpty();
  }

  @Test
  void insertingAnExistingIdFailsAndKeepsTheFirst() {
    Upload first = upload("alice", 0);
    uploadStore().insert(first);
    Upload clash = new Upload(first.id(), "mallory", "image/jpeg", 1, 1, 1, "x.jpg", T0);

    assertThatThrownBy(() -> uploadStore().insert(clash)).isInstanceOf(StoreException.class);
    assertThat(uploadStore().find(first.id())).contains(first);
  }

  @Test
  void uploadsBeforeTheCutoffAreListedOldestFirstUpToTheLimit() {
    Upload old = upload("alice", 1);
    Upload older = upload("bob", 0);
    Upload recent = upload("alice", 10);
    uploadStore().insert(old);
    uploadStore().insert(older);
    uploadStore().insert(recent);

    assertThat(uploadStore().listCreatedBefore(T0.plusSeconds(5), 10)).containsExactly(older, old);
    assertThat(uploadStore().listCreatedBefore(T0.plusSeconds(5), 1)).containsExactly(older);
    assertThat(uploadStore().listCreatedBefore(T0, 10)).isEmpty();
  }

  @Test
  void deleteForgetsOnlyThatUpload() {
    Upload gone = upload("alice", 0);
    Upload kept = upload("alice", 1);
    uploadStore().insert(gone);
    uploadStore().insert(kept);

    assertThat(uploadStore().delete(gone.id())).isTrue();
    assertThat(uploadStore().delete(gone.id())).as("a second time").isFalse();
    assertThat(uploadStore().find(gone.id())).isEmpty();
    assertThat(uploadStore().find(kept.id())).contains(kept);
  }
}
