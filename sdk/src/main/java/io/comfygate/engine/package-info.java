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
 * <h2>With several instances</h2>
 *
 * <p>On PostgreSQL several engines (ComfyGate instances) may share one database. Each accepts
 * submits, cancels and reads; one, the holder of the dispatcher lease, sends jobs to ComfyUI.
 * <b>{@code Coordinator}</b> (its own thread) heartbeats, takes or renews the lease, and follows
 * the database's job-change feed; <b>{@code ClusterRole}</b> says whether this instance may act on
 * the backends now. The path of a job submitted on instance B and dispatched by A:
 *
 * <ol>
 *   <li>B's {@code Intake} admits it as above; the store also writes the change to the feed in
 *       the same transaction ({@code store.jdbc.JobFeed}) and notifies. B's board takes it into its
 *       view (B's listeners get {@code Enqueued}) but promotes nothing: B does not dispatch.
 *   <li>A's {@code Coordinator} is woken, reads the change and hands it to <b>{@code
 *       FeedFollower}</b>, which picks the job up into A's board: from here step 2 above.
 *   <li>A's {@code HandOver}: the hand-over record commits only if A still holds the lease with its
 *       fence (checked in that transaction), and the prompt is sent only if the lease has not
 *       lapsed by A's own clock since.
 *   <li>Every later change A commits is read by B's {@code FeedFollower} in commit order and
 *       announced to B's listeners ({@code Started}, {@code Completed} with its images, …);
 *       progress comes as notifications ({@code ProgressPublisher}), previews stay on A.
 * </ol>
 *
 * <p>When A dies, B takes the lease once it expires and runs {@code Recovery} as after a restart.
 * When A loses the lease while alive (paused past it), it steps down: its board forgets every job
 * without a write and is rebuilt from the store ({@code Recovery.mirror}); it sends nothing more
 * and records no outcome. On SQLite the engine is alone and always dispatches, with none of this.
 *
 * <p>Locks: the board's lock orders in-memory decisions only; {@code ActiveJob.writes} orders one
 * job's store write and its in-memory record (taken before, never under, the board's lock); the
 * store has its own single writer.
 */
package io.comfygate.engine;
