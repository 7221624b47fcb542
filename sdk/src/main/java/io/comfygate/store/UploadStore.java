package io.comfygate.store;

import io.comfygate.uploads.Upload;
import io.comfygate.uploads.UploadId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Durable record of uploaded input images (their files live on disk, see {@link
 * io.comfygate.uploads.Uploads}). Thread-safe; every write commits before it returns; instants are
 * kept to the millisecond. Every method throws {@link io.comfygate.errors.StoreException} when the
 * database fails. Every implementation must pass {@code UploadStoreContract} (in the sdk test-jar).
 */
public interface UploadStore {

  /**
   * Records an upload.
   *
   * @throws io.comfygate.errors.StoreException if one with the same id exists
   */
  void insert(Upload upload);

  /** The upload with this id, whoever owns it. */
  Optional<Upload> find(UploadId id);

  /** Up to {@code limit} uploads recorded before {@code cutoff}, oldest first. */
  List<Upload> listCreatedBefore(Instant cutoff, int limit);

  /** Forgets an upload; returns whether it was recorded. */
  boolean delete(UploadId id);
}
