package io.comfygate.engine;

import io.comfygate.store.JobStore;
import io.comfygate.uploads.Uploads;
import java.time.Clock;
import java.time.Duration;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forgets what has expired, on the engine's timer: idempotency keys older than
 * IDEMPOTENCY_RETENTION_HOURS, uploads older than UPLOAD_RETENTION_HOURS. A failed round is logged
 * and the next one tries again (thrown out of a scheduled task, it would cancel every later round).
 */
final class Housekeeping {
  private static final Logger LOG = LoggerFactory.getLogger(JobEngine.class); // engine logs keep one name

  private final JobStore jobs;
  private final Uploads uploads;
  private final Clock clock;
  private final Duration idempotencyRetention;
  private final Duration uploadRetention;

  /** @param uploads the upload store, or {@code null} when the engine has none */
  Housekeeping(JobStore jobs, Uploads uploads, Clock clock, Duration idempotencyRetention, Duration uploadRetention) {
    this.jobs = jobs;
    this.uploads = uploads;
    this.clock = clock;
    this.idempotencyRetention = idempotencyRetention;
    this.uploadRetention = uploadRetention;
  }

  void purgeIdempotencyKeys() {
    forget("idempotency_purge", "purged", "purging expired idempotency keys",
        () -> jobs.purgeKeys(clock.instant().minus(idempotencyRetention)));
  }

  void sweepUploads() {
    forget("upload_sweep", "removed", "upload sweep",
        () -> uploads.removeCreatedBefore(clock.instant().minus(uploadRetention)));
  }

  private static void forget(String event, String countName, String what, IntSupplier round) {
    try {
      int count = round.getAsInt();
      if (count > 0) {
        LOG.atInfo().setMessage(event).addKeyValue("event", event).addKeyValue(countName, count).log();
      }
    } catch (RuntimeException e) {
      LOG.warn("{} failed; next attempt at the next interval", what, e);
    }
  }
}
