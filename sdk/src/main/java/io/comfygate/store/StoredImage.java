package io.comfygate.store;

import io.comfygate.jobs.JobId;
import java.time.Instant;
import java.util.Objects;

/**
 * An image as the store holds it: an output of a job, owned by the job's user.
 *
 * @param id the image id
 * @param jobId the job that made it
 * @param userId the owner (the job's user)
 * @param file path relative to the output directory
 * @param width pixels
 * @param height pixels
 * @param sizeBytes file size when recorded
 * @param template the job's template
 * @param paramsJson the job's parameters as JSON text
 * @param createdAt when it was recorded (the job's finish time)
 * @param deletedAt when it was moved to the trash, or {@code null} if it is not in the trash
 */
public record StoredImage(
    ImageId id,
    JobId jobId,
    String userId,
    String file,
    int width,
    int height,
    long sizeBytes,
    String template,
    String paramsJson,
    Instant createdAt,
    Instant deletedAt) {

  public StoredImage {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /** True if the image is in the trash. */
  public boolean isDeleted() {
    return deletedAt != null;
  }
}
