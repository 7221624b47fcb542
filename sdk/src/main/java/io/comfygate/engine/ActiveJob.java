package io.comfygate.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.comfygate.client.PromptHandle;
import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.store.StoredJob;
import java.time.Instant;

/**
 * What the engine knows of a job between submit and its end, beyond the stored row: its bound
 * workflow, where it runs, progress, the latest preview, and how we want it to end if we
 * interrupt it.
 *
 * <p>Changed only by {@link JobBoard}: the scheduling fields under the board's lock ({@code
 * …Locked} methods assert it), the progress fields without it (only the job's event thread writes
 * them). Every field can be read without the lock.
 *
 * <p>{@link #writes} orders this job's own state changes (the store's write, then the memory's):
 * {@link Transitions} and {@link Interrupts} hold it across both, so a start, an end and a cancel
 * of one job never interleave. It is never taken while the board's lock is held.
 */
final class ActiveJob {
  /** Why we interrupted a job, so its Interrupted/Vanished outcome maps to the right end state. */
  enum Ending { CANCEL, TIMEOUT }

  final Object writes = new Object();
  /** The job's parameters, parsed once. */
  final JsonNode params;
  private final Object lock; // the board's
  private volatile StoredJob stored;
  /** The bound workflow; not kept while the job waits (bound again from its stored parameters). */
  private volatile ObjectNode workflow;
  private volatile Backend backend;
  private volatile PromptHandle handle;
  private volatile Ending wanted;
  private long timeoutRequestedNanos;
  /** Its backend slot and user place were given back (ComfyUI is done with it). */
  private boolean slotReleased;
  private volatile int percent;
  private volatile String node;
  private volatile byte[] preview;
  private volatile String previewType;

  ActiveJob(Object boardLock, StoredJob stored, ObjectNode workflow, JsonNode params) {
    this.lock = boardLock;
    this.stored = stored;
    this.workflow = workflow;
    this.params = params;
  }

  /** Its bound workflow, or {@code null} while it waits (see {@link JobBoard#pickUp}). */
  ObjectNode workflow() {
    return workflow;
  }

  /** The workflow bound for sending; set by the hand-over (through the board), no lock needed. */
  void bound(ObjectNode w) {
    workflow = w;
  }

  StoredJob stored() {
    return stored;
  }

  JobId id() {
    return stored.id();
  }

  JobState state() {
    return stored.state();
  }

  Backend backend() {
    return backend;
  }

  PromptHandle handle() {
    return handle;
  }

  Ending wanted() {
    return wanted;
  }

  int percent() {
    return percent;
  }

  String node() {
    return node;
  }

  byte[] preview() {
    return preview;
  }

  String previewType() {
    return previewType;
  }

  long timeoutRequestedNanosLocked() {
    assert Thread.holdsLock(lock);
    return timeoutRequestedNanos;
  }

  boolean slotReleasedLocked() {
    assert Thread.holdsLock(lock);
    return slotReleased;
  }

  void releaseSlotLocked() {
    assert Thread.holdsLock(lock);
    slotReleased = true;
  }

  void assignLocked(Backend target) {
    assert Thread.holdsLock(lock);
    backend = target;
  }

  void attachLocked(PromptHandle h) {
    assert Thread.holdsLock(lock);
    handle = h;
  }

  void wantLocked(Ending ending, long nanos) {
    assert Thread.holdsLock(lock);
    wanted = ending;
    timeoutRequestedNanos = nanos;
  }

  /** Mirrors a committed change of the row's backend ({@code null}: back in our queue). */
  void recordBackendLocked(String backendName) {
    assert Thread.holdsLock(lock);
    StoredJob s = stored;
    stored = new StoredJob(s.id(), s.userId(), s.template(), s.paramsJson(), s.state(), backendName, s.promptId(),
        s.createdAt(), s.startedAt(), s.finishedAt(), s.error());
  }

  /** Mirrors a committed change of the row's state; {@code null} arguments keep what the row has. */
  void recordStateLocked(JobState state, Instant startedAt, Instant finishedAt, String error) {
    assert Thread.holdsLock(lock);
    StoredJob s = stored;
    stored = new StoredJob(s.id(), s.userId(), s.template(), s.paramsJson(), state, s.backend(), s.promptId(),
        s.createdAt(), startedAt != null ? startedAt : s.startedAt(), finishedAt != null ? finishedAt : s.finishedAt(),
        error != null ? error : s.error());
  }

  /** Progress as ComfyUI reports it; only the job's event thread calls this (through the board). */
  void progressed(int newPercent, String newNode) {
    percent = newPercent;
    node = newNode;
  }

  void previewed(byte[] bytes, String type) {
    preview = bytes;
    previewType = type;
  }

  /** The label of a node of its workflow for messages: "KSampler #3", or "#3" if the type is unknown. */
  String nodeLabel(String nodeId) {
    ObjectNode w = workflow;
    String type = w == null ? "" : w.path(nodeId).path("class_type").asText("");
    return type.isEmpty() ? "#" + nodeId : type + " #" + nodeId;
  }
}
