package io.comfygate.engine;

/**
 * Something that happened to a job, delivered to {@link JobListener}s after it was committed to
 * the store. For one job, events arrive in order: {@link Enqueued}, then {@link Started}, any
 * number of {@link Progress}, then exactly one of {@link Completed}, {@link Failed},
 * {@link TimedOut} or {@link Cancelled} (a job cancelled or failed before it started has no
 * {@link Started}). {@link #name()} is the event's name in logs.
 */
public sealed interface JobEvent {
  /** The job as it is right after the event. */
  Job job();

  /** The name used in logs: enqueue, job_start, job_progress, job_complete, … */
  String name();

  record Enqueued(Job job) implements JobEvent {
    @Override
    public String name() {
      return "enqueue";
    }
  }

  record Started(Job job) implements JobEvent {
    @Override
    public String name() {
      return "job_start";
    }
  }

  /**
   * Progress or a new preview. {@code preview} is the latest preview image (PNG or JPEG bytes,
   * see {@code previewType}), or {@code null} if this update carries none.
   */
  record Progress(Job job, byte[] preview, String previewType) implements JobEvent {
    @Override
    public String name() {
      return "job_progress";
    }
  }

  record Completed(Job job) implements JobEvent {
    @Override
    public String name() {
      return "job_complete";
    }
  }

  record Failed(Job job) implements JobEvent {
    @Override
    public String name() {
      return "job_error";
    }
  }

  record TimedOut(Job job) implements JobEvent {
    @Override
    public String name() {
      return "job_timeout";
    }
  }

  record Cancelled(Job job) implements JobEvent {
    @Override
    public String name() {
      return "job_cancel";
    }
  }
}
