package io.comfygate.store;

/**
 * An output file of a finishing job, to be recorded by {@link JobStore#completeJob}. The owner,
 * template and parameters are taken from the job.
 *
 * @param file path relative to the output directory, with {@code /} separators
 * @param width pixels
 * @param height pixels
 * @param sizeBytes file size
 */
public record NewImage(String file, int width, int height, long sizeBytes) {
  /**
   * Validates the values.
   *
   * @throws IllegalArgumentException if the path is absolute, empty or steps outside the output
   *     directory, or a number is not positive
   */
  public NewImage {
    RelativeFiles.requireRelative(file);
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("width and height must be > 0: " + width + "x" + height);
    }
    if (sizeBytes < 0) {
      throw new IllegalArgumentException("sizeBytes must be >= 0: " + sizeBytes);
    }
  }
}
