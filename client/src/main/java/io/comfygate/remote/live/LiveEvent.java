package io.comfygate.remote.live;

import io.comfygate.remote.model.Job;
import java.time.Duration;
import java.util.List;

/**
 * What {@code /api/v1/live} tells, typed. Dispatch with {@code instanceof} patterns; {@link Unknown}
 * carries message types a newer server may add.
 */
public sealed interface LiveEvent {

  /**
   * The caller's queued and running jobs and their latest finished ones, sent on every (re)connect.
   * After a reconnect, the changes missed meanwhile follow as {@link JobChanged} events with
   * {@code reconciled} set.
   */
  record Snapshot(List<Job> jobs) implements LiveEvent {
    public Snapshot {
      jobs = List.copyOf(jobs);
    }
  }

  /**
   * A job changed: {@code event} is the server's ({@code enqueue}, {@code job_start},
   * {@code job_complete}, {@code job_error}, {@code job_timeout}, {@code job_cancel},
   * {@code queue_update}) or {@code reconciled} when the client found the change in a snapshot or by
   * asking for the job after a reconnect ({@code reconciled} true).
   */
  record JobChanged(String event, Job job, boolean reconciled) implements LiveEvent {}

  /** A running job advanced; {@code etaSeconds} may be null, {@code position} is 0 once it runs. */
  record Progress(String jobId, int percent, String node, Long etaSeconds, int position) implements LiveEvent {}

  /** A preview image of a running job (PNG or JPEG). */
  record Preview(String jobId, String mime, byte[] data) implements LiveEvent {}

  /** The socket closed or could not open; the client tries again after {@code reconnectIn}. */
  record Disconnected(String reason, Duration reconnectIn) implements LiveEvent {}

  /** A message type this client does not know, as received. */
  record Unknown(String type, String json) implements LiveEvent {}
}
