package io.comfygate.store;

import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Durable record of jobs. The engine writes every state change here before announcing it, so that
 * after a restart queued jobs resume ({@link #listActive()}) and running ones can be reconciled
 * with their backend.
 *
 * <p>Implementations are thread-safe. Every method commits before it returns: a write that returned
 * normally survives a crash of the process. Instants are kept to the millisecond. Every method
 * throws {@link io.comfygate.errors.StoreException} when the database fails or cannot be reached
 * within its timeout.
 *
 * <p>Every implementation must pass {@code JobStoreContract} (in the sdk test-jar).
 */
public interface JobStore {

  /**
   * Records a new job, unless the store refuses it: in one transaction, checks the user's
   * idempotency key (if the admission has one) and the per-user waiting limit, then inserts the job
   * and the key. These checks are atomic against other submits of this process and of other
   * processes on the same database: of concurrent admissions with one user and key, exactly one
   * stores its job, and no interleaving of admissions takes a user past the limit. An expired record
   * of the key (older than {@link Admission#keyNotBefore()}, not yet purged) is replaced.
   *
   * <p>Implementations may commit several concurrent admissions in one transaction (group commit);
   * each is still all or nothing, and each caller returns only once its own admission is committed.
   *
   * @return {@link AdmitResult.Admitted} if the job (and key) are stored; otherwise why not, and
   *     nothing was stored
   * @throws io.comfygate.errors.StoreException if a job with the same id exists
   */
  AdmitResult admit(Admission admission);

  /**
   * Records a new job, with no key and no limit.
   *
   * @throws io.comfygate.errors.StoreException if a job with the same id exists
   */
  default void insert(StoredJob job) {
    admit(Admission.of(job));
  }

  /** The job with this id, if any. */
  Optional<StoredJob> find(JobId id);

  /**
   * The jobs with these ids that exist, read together (one read for a batch, where {@link #find}
   * would be one each), by id.
   */
  default Map<JobId, StoredJob> findAll(Collection<JobId> ids) {
    Map<JobId, StoredJob> out = new HashMap<>();
    for (JobId id : ids) {
      find(id).ifPresent(job -> out.put(id, job));
    }
    return out;
  }

  /** One user's jobs, newest first (by creation time, then id), with the user's total. */
  Page<StoredJob> listByUser(String userId, PageRequest page);

  /**
   * Every queued and running job, oldest first: the dispatch order, and what a restart must resume
   * or reconcile.
   */
  List<StoredJob> listActive();

  /**
   * Moves a job from {@code from} to {@code to} only if it is still in {@code from}, setting the
   * non-null fields of {@code update} in the same write. This compare-and-set makes racing changes
   * safe: of a cancel and a start of the same queued job, exactly one returns true.
   *
   * @return true if this call changed the job; false if it does not exist or is no longer in
   *     {@code from}
   * @throws IllegalArgumentException if {@code from} is terminal or equals {@code to}
   */
  boolean transition(JobId id, JobState from, JobState to, JobUpdate update);

  /**
   * Hands a queued job to a backend, or takes it back, while it stays queued: the job is recorded
   * as dispatched before it is sent, so a restart finds it on that backend and never sends it
   * twice. A compare-and-set on the current backend.
   *
   * @param expected the backend the job has now ({@code null}: not dispatched)
   * @param backend the new backend ({@code null}: back to waiting)
   * @return true if the job was queued with {@code expected} as its backend and now has {@code backend}
   */
  boolean assignBackend(JobId id, String expected, String backend);

  /**
   * Cancels a job that waits, not handed to any backend: a compare-and-set on both, so a cancel
   * never ends a job another process is handing over at the same moment. Its end is recorded as
   * {@code cancelled} at {@code at}, with the error "cancelled".
   *
   * @return true if the job was waiting and is now cancelled
   */
  default boolean cancelWaiting(JobId id, Instant at) {
    Optional<StoredJob> now = find(id);
    if (now.isEmpty() || now.get().state() != JobState.QUEUED || now.get().backend() != null) {
      return false;
    }
    return transition(id, JobState.QUEUED, JobState.CANCELLED, JobUpdate.none().withFinishedAt(at).withError("cancelled"));
  }

  /**
   * Ends a running job as succeeded and records its output images in one transaction: either the
   * state and all images are stored, or nothing is. The images belong to the job's user and carry
   * the job's template and parameters; their creation time is {@code finishedAt}.
   *
   * @return true if the job was running and is now succeeded; false (and no image recorded) if it
   *     does not exist or is not running, for example because a cancel won the race
   */
  boolean completeJob(JobId id, Instant finishedAt, List<NewImage> images);

  /**
   * Run times (finish minus start) of the most recent succeeded jobs of a template, most recent
   * first, for the ETA's moving average.
   *
   * @param limit at most this many, 1 or more
   */
  List<Duration> recentRunTimes(String template, int limit);

  /**
   * Records a new job together with the idempotency key it was submitted under (an {@link #admit}
   * with no waiting limit), in one
   * transaction, unless the same user's key already names a job recorded at or after {@code
   * notBefore}. An older record of the key (expired, not yet purged) is replaced. Atomic also
   * against other processes on the same database: of concurrent calls with one user and key,
   * exactly one stores its job.
   *
   * @param key the key's record; its user and job id must be the job's
   * @param notBefore records older than this have expired
   * @return empty if the job and the key were stored; otherwise the key's live record, and nothing
   *     was stored
   * @throws IllegalArgumentException if {@code key} names another user or job than {@code job}
   */
  default Optional<IdempotencyRecord> insertWithKey(StoredJob job, IdempotencyRecord key, Instant notBefore) {
    AdmitResult result = admit(new Admission(job, Objects.requireNonNull(key, "key"), notBefore, WaitingLimit.NONE));
    return result instanceof AdmitResult.KeyTaken taken ? Optional.of(taken.earlier()) : Optional.empty();
  }

  /** The user's record of this idempotency key, if it was recorded at or after {@code notBefore}. */
  Optional<IdempotencyRecord> findKey(String userId, String key, Instant notBefore);

  /**
   * Forgets idempotency keys recorded before {@code cutoff} (their jobs stay).
   *
   * @return how many were removed
   */
  int purgeKeys(Instant cutoff);
}
