package io.comfygate.store;

import io.comfygate.jobs.JobId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Durable record of output images: the gallery, the trash, and admin queries. Images are created by
 * {@link JobStore#completeJob}; this interface reads, soft-deletes, restores and purges them.
 *
 * <p>Implementations are thread-safe; every write commits before it returns. Listings are newest
 * first by creation time, then by id. Every method throws {@link
 * io.comfygate.errors.StoreException} when the database fails or cannot be reached in time.
 *
 * <p>Every implementation must pass {@code ImageStoreContract} (in the sdk test-jar).
 */
public interface ImageStore {

  /** The image with this id, in the trash or not. */
  Optional<StoredImage> find(ImageId id);

  /** The images a job produced, in the order they were recorded. */
  List<StoredImage> listByJob(JobId jobId);

  /**
   * One user's own images, newest first, with the total. {@link Include#DELETED} is the user's
   * trash.
   */
  Page<StoredImage> gallery(String userId, Include include, PageRequest page);

  /** Admin listing across users, newest first, with the total. */
  Page<StoredImage> search(ImageQuery query, PageRequest page);

  /**
   * Moves the owner's image to the trash.
   *
   * @return true if it changed; false if there is no such image of this owner or it is already in
   *     the trash
   */
  boolean softDelete(ImageId id, String ownerId, Instant at);

  /**
   * Takes the owner's image out of the trash.
   *
   * @return true if it changed; false if there is no such image of this owner or it is not in the
   *     trash
   */
  boolean restore(ImageId id, String ownerId);

  /** {@link #softDelete} for an admin: any owner. */
  boolean softDeleteAny(ImageId id, Instant at);

  /** {@link #restore} for an admin: any owner. */
  boolean restoreAny(ImageId id);

  /**
   * Trashed images deleted before {@code deletedBefore}, in a stable order (deletion time, creation
   * time, id), starting after {@code after} (exclusive; {@code null} for the start). Callers walk
   * the trash in batches by passing the last image of the previous batch.
   *
   * @param deletedBefore exclusive bound on deletion time, or {@code null} for the whole trash
   * @param limit batch size, 1 or more
   */
  List<StoredImage> listTrash(Instant deletedBefore, StoredImage after, int limit);

  /**
   * Removes a trashed image's row for good, first running {@code removeFile} while holding the
   * store's write lock, so that a restore cannot slip in between the file going and the row going.
   * If {@code removeFile} throws, the row stays and the exception propagates unchanged.
   *
   * @return true if the row was removed; false (and {@code removeFile} not called) if the image does
   *     not exist or is no longer in the trash
   */
  boolean purge(ImageId id, Consumer<StoredImage> removeFile);
}
