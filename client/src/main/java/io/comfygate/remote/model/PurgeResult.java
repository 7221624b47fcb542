package io.comfygate.remote.model;

import java.util.List;

/** What emptying the trash removed, and the images whose file could not be removed (they stay). */
public record PurgeResult(int purged, long bytesFreed, List<Failure> failures) {
  public PurgeResult {
    failures = failures == null ? List.of() : List.copyOf(failures);
  }

  /** An image that stays in the trash, and why. */
  public record Failure(String imageId, String reason) {}
}
