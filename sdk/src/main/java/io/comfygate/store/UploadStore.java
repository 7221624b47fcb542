package io.comfygate.store;

import io.comfygate.uploads.Upload;
import io.comfygate.uploads.UploadId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Durable record of uploaded input images (the files themselves are {@link io.comfygate.uploads.Uploads}'
 * business). Its one rule: a user's uploads are counted and a new one recorded in one transaction,
 * and two such transactions for one user run one after the other, also from different processes on
 * one database, so that no two uploads can both pass a quota that has room for one. Thread-safe;
 * every write commits before it returns; instants are kept to the millisecond. Every method throws
 * {@link io.comfygate.errors.StoreException} when the database fails. Every implementation must pass
 * {@code UploadStoreContract} (in the sdk test-jar).
 */
public interface UploadStore {

  /**
   * What one user's uploads take.
   *
   * @param count how many
   * @param bytes their sizes added up
   * @param oldest when the oldest was stored, or {@code null} if there is none
   */
  record Usage(long count, long bytes, Instant oldest) {}

  /** Decides whether an upload may be added to a user's {@link Usage}; refuses by throwing. */
  @FunctionalInterface
  interface QuotaCheck {
    /** Returns normally to let the upload in; any {@link RuntimeException} refuses it. */
    void check(Usage usage);
  }

  /** What {@code userId}'s uploads stored at or after {@code since} take now. */
  Usage usage(String userId, Instant since);

  /**
   * Records {@code upload} if {@code check} accepts the usage of its user's uploads stored at or
   * after {@code countSince} (not counting this one), read in the same transaction as the insert,
   * after every earlier insert of this user has committed or rolled back.
   *
   * @throws RuntimeException thrown by {@code check}, unchanged: nothing is recorded
   * @throws io.comfygate.errors.StoreException if one with the same id exists
   */
  void insert(Upload upload, Instant countSince, QuotaCheck check);

  /** The upload with this id, whoever owns it. */
  Optional<Upload> find(UploadId id);

  /** Up to {@code limit} uploads stored before {@code cutoff}, oldest first (then by id). */
  List<Upload> createdBefore(Instant cutoff, int limit);

  /** Removes the record of an upload; false if there was none. */
  boolean delete(UploadId id);
}
