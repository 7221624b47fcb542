package io.comfygate.jobs;

import io.comfygate.internal.ids.SortableIds;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Identifies one job. The value is {@code "j"} followed by 26 lowercase base32 characters: 10 of
 * creation time (milliseconds) then 16 random, so ids sort by creation time as plain strings.
 *
 * <p>Immutable and thread-safe.
 *
 * @param value the textual id; must match the format above
 */
public record JobId(String value) implements Comparable<JobId> {
  private static final Pattern FORMAT = SortableIds.pattern('j');

  /**
   * Validates the value.
   *
   * @throws IllegalArgumentException if {@code value} is not a well-formed job id
   */
  public JobId {
    if (value == null || !FORMAT.matcher(value).matches()) {
      throw new IllegalArgumentException("not a job id: " + value);
    }
  }

  /** A new id ordered by the clock's current time. */
  public static JobId generate(Clock clock) {
    return new JobId(SortableIds.next('j', clock.instant()));
  }

  /**
   * Parses an id received from outside (a URL, a database row).
   *
   * @throws IllegalArgumentException if the text is not a well-formed job id
   */
  public static JobId of(String value) {
    return new JobId(value);
  }

  /**
   * The {@code prompt_id} this job is given on its ComfyUI backend: a name-based (version 3) UUID
   * of the job id. Being derived rather than stored by chance, it lets the job be found again on
   * the backend ({@code /history/{prompt_id}}) after a lost message or a restart.
   */
  public String promptId() {
    return UUID.nameUUIDFromBytes(("comfygate-job:" + value).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  @Override
  public int compareTo(JobId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
