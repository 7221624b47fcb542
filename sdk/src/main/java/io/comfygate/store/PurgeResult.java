package io.comfygate.store;

import java.util.List;

/**
 * What a purge of the trash did.
 *
 * @param purged images whose file and row were removed
 * @param bytesFreed bytes of the files removed (0 for files that were already missing)
 * @param failures images kept because their file could not be removed
 */
public record PurgeResult(int purged, long bytesFreed, List<Failure> failures) {
  public PurgeResult {
    failures = List.copyOf(failures);
  }

  /**
   * An image whose file could not be removed; its row is kept so that a later purge retries.
   *
   * @param imageId the image
   * @param file its stored relative path
   * @param reason why, for the operator
   */
  public record Failure(ImageId imageId, String file, String reason) {}
}
