/**
 * The job engine: {@link io.comfygate.engine.JobEngine} and the package-private parts it is made of.
 *
 * <h2>One job, from submit to its image</h2>
 *
 * <ol>
 *   <li><b>{@code Intake}</b> ({@code JobEngine.submit}): binds the parameters to the template and
 *       checks them, then asks the store to admit the job: {@link
 *       io.comfygate.store.JobStore#admit} checks the user's idempotency key and waiting limit and
 *       inserts the row in one transaction, which concurrent submits share (group commit in {@code
 *       store.jdbc.GroupCommit}). No engine lock is held for any of this. A refusal stores nothing.
 *   <li><b>{@code JobBoard}</b> ({@code pickUp}): the one owner of the engine's memory. Under its
 *       lock it puts the committed job in the fair waiting room, queues the {@code Enqueued} event,
 *       and promotes waiting jobs into free backend slots; after the lock it hands each promoted
 *       job to its backend's sender thread. Restart recovery ({@code Recovery}) uses the same
 *       pick-up for the jobs it finds queued in the store.
 *   <li><b>{@code HandOver}</b> (on the backend's {@code comfygate-engine-dispatch} thread): records
 *       the hand-over in the store ({@code assignBackend}) before sending, so a crash never sends a
 *       prompt twice; then sends input images and {@code POST /prompt} under a prompt id derived
 *       from the job's id.
 *   <li><b>{@code ProgressTracker}</b> and <b>{@code JobRunner}</b>: follow ComfyUI's events for the
 *       prompt (start, progress, previews) and its outcome; a timeout or cancel is carried out by
 *       {@code Interrupts}.
 *   <li><b>{@code Transitions}</b>: each change is committed to the store first, then recorded on
 *       the board and announced. On success the backend slot is freed at once (the next prompt
 *       goes to ComfyUI while we download), then {@code OutputCollector} fetches and writes the
 *       images, and {@code completeJob} commits the success and the image rows together.
 *   <li><b>{@code Listeners}</b>: deliver the events ({@code Enqueued}, {@code Started}, {@code
 *       Progress}, {@code Completed}, …) in order on the {@code comfygate-job-events} thread; the
 *       webhook outbox rows were already committed with each change by the store's hook.
 * </ol>
 *
 * <p>Locks: the board's lock orders in-memory decisions only; {@code ActiveJob.writes} orders one
 * job's store write and its in-memory record (taken before, never under, the board's lock); the
 * store has its own single writer.
 */
package io.comfygate.engine;
