package io.comfygate.store;

import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.webhooks.Delivery;
import io.comfygate.webhooks.DeliveryState;
import io.comfygate.webhooks.WebhookTarget;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The webhook outbox: which jobs send their events where, one row per event written in the very
 * transaction of the job's state change, and each event's delivery.
 *
 * <p><b>Claims.</b> Several deliverers (one per ComfyGate instance) may send from one database.
 * A deliverer {@linkplain #claimDue claims} the events it is about to send: only the oldest pending
 * event of a job, and never one of a job that has another event claimed, so each job's events go
 * out one at a time, in order, whichever instance sends them. It records the attempt only while it
 * still holds the claim ({@link #attempted} answers false otherwise). A claim lasts a lease; a
 * claim whose lease ran out (its instance died or stalled) is taken over by the next deliverer
 * that looks. Delivery stays at least once: an instance that stalls past its lease may send an
 * event that another then sends again, with the same event id.
 *
 * <p>Thread-safe; every write commits before it returns (except those on a caller's
 * transaction); instants are kept to the millisecond. Every method throws {@link
 * io.comfygate.errors.StoreException} when the database fails. Every implementation must pass
 * {@code WebhookStoreContract} (in the sdk test-jar).
 */
public interface WebhookStore {

  /** Renders an event's body from the job as the change left it; pure, no I/O. */
  @FunctionalInterface
  interface Payloads {
    /**
     * @param type the event's type, {@code job.<state>}
     * @param images the job's images that are not deleted, by id
     */
    String render(String eventId, String type, Instant occurredAt, StoredJob job, List<ImageId> images);
  }

  // ------------------------------------------------- inside a job's transaction (JobChangeHook)

  /** Inside the job's insert: its events go to {@code target}. */
  void subscribe(Connection tx, JobId id, WebhookTarget target) throws SQLException;

  /**
   * Inside a job's state change: writes the event of this change, pending and due at {@code at},
   * if the job is subscribed; does nothing otherwise.
   *
   * @return whether it wrote an event
   */
  boolean record(Connection tx, JobId id, JobState state, Instant at, Payloads payloads) throws SQLException;

  // ------------------------------------------------------------------------------ deliverers

  /**
   * Claims for {@code owner}, until {@code now + lease}, up to {@code limit} events that are due at
   * {@code now}: each the oldest pending event of its job, of a job with no event claimed by anyone
   * (a claim whose lease has run out counts as none), earliest due first. Two deliverers claiming
   * at once never get the same event.
   */
  List<ClaimedEvent> claimDue(String owner, Instant now, Duration lease, int limit);

  /**
   * Records an attempt's outcome and ends the claim, if {@code owner} still holds the claim on the
   * pending event {@code seq}.
   *
   * @param state the new state (pending again for a retry)
   * @param status the HTTP status, or null when there was no answer
   * @param next the next attempt (pending), else ignored
   * @return false, changing nothing, if the claim was taken over or the event is no longer pending
   */
  boolean attempted(long seq, String owner, DeliveryState state, int attempts, Integer status, String error,
      Instant at, Instant next);

  /** Gives up {@code owner}'s claim on {@code seq} without an attempt (it is sent later); false if not held. */
  boolean release(long seq, String owner);

  /** Gives up every claim {@code owner} holds (left by an earlier run under the same id); returns how many. */
  int releaseAll(String owner);

  /**
   * The earliest time at or after which some pending event may be claimable: its next attempt,
   * or, while another deliverer holds it, the end of that claim. Empty if nothing is pending.
   */
  Optional<Instant> nextDue(Instant now);

  /** The signing secret of a key that is not revoked. */
  Optional<String> signingSecret(String keyId);

  /** The default receiver of a key, if it has one. */
  Optional<URI> defaultUrl(String keyId);

  // ------------------------------------------------------------------------------------ admin

  /**
   * One page of events, newest first (in the order they were recorded; a redelivery keeps its
   * place), with how many match the filters across all pages, both from one snapshot.
   *
   * @param state only these, or {@code null} for all
   * @param jobId only this job's, or {@code null}
   */
  Page<Delivery> page(DeliveryState state, String jobId, PageRequest page);

  /** One event and its delivery. */
  Optional<Delivery> find(String eventId);

  /**
   * Makes a delivered or failed event pending again, due at {@code now}, with a fresh attempt budget
   * and retry window (from {@code now}) and no outcome yet. It keeps the time it happened.
   *
   * @return false if there is no such event or it is pending already
   */
  boolean redeliver(String eventId, Instant now);
}
