package io.comfygate.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Empties the trash for good: for each trashed image, removes its file under the output directory
 * and then its row. A file already missing is not an error (the row goes). A file that cannot be
 * removed, or whose stored path would lead outside the output directory, keeps its row and is
 * reported in {@link PurgeResult#failures()}; the purge goes on with the other images.
 *
 * <p>Thread-safe; two purges at once are safe (each image is claimed under the store's write lock)
 * but pointless. A restore that wins the race against a purge keeps both file and row.
 */
public final class TrashPurger {
  private static final Logger log = LoggerFactory.getLogger(TrashPurger.class);
  private static final int BATCH = 200;

  private final ImageStore images;
  private final Path outputDir;

  /**
   * @param images the store holding the trash
   * @param outputDir the directory image paths are relative to
   */
  public TrashPurger(ImageStore images, Path outputDir) {
    this.images = Objects.requireNonNull(images, "images");
    this.outputDir = outputDir.toAbsolutePath().normalize();
  }

  /**
   * Purges the whole trash.
   *
   * @throws io.comfygate.errors.StoreException if the store fails; images purged before that stay
   *     purged
   */
  public PurgeResult purgeAll() {
    return purge(null);
  }

  /**
   * Purges images moved to the trash before {@code cutoff} (exclusive).
   *
   * @throws io.comfygate.errors.StoreException if the store fails; images purged before that stay
   *     purged
   */
  public PurgeResult purgeDeletedBefore(Instant cutoff) {
    return purge(Objects.requireNonNull(cutoff, "cutoff"));
  }

  private PurgeResult purge(Instant cutoff) {
    int purged = 0;
    AtomicLong bytes = new AtomicLong();
    List<PurgeResult.Failure> failures = new ArrayList<>();
    StoredImage after = null;
    List<StoredImage> batch;
    do {
      batch = images.listTrash(cutoff, after, BATCH);
      for (StoredImage image : batch) {
        try {
          if (images.purge(image.id(), claimed -> bytes.addAndGet(removeFile(claimed)))) {
            purged++;
          }
        } catch (FileKept e) {
          log.warn("trash purge kept image {} ({}): {}", image.id(), image.file(), e.getMessage());
          failures.add(new PurgeResult.Failure(image.id(), image.file(), e.getMessage()));
        }
      }
      if (!batch.isEmpty()) {
        after = batch.get(batch.size() - 1);
      }
    } while (batch.size() == BATCH);
    return new PurgeResult(purged, bytes.get(), failures);
  }

  /** Deletes the image's file; returns its size, or 0 if it was already gone. */
  private long removeFile(StoredImage image) {
    Path file;
    try {
      file = RelativeFiles.resolveInside(outputDir, image.file());
    } catch (IllegalArgumentException e) {
      throw new FileKept(e.getMessage(), e);
    }
    try {
      long size = Files.size(file);
      Files.delete(file);
      return size;
    } catch (NoSuchFileException e) {
      return 0;
    } catch (IOException e) {
      throw new FileKept("cannot delete " + file + ": " + e, e);
    }
  }

  /** Thrown out of the store's purge callback to keep the row and report the image. */
  private static final class FileKept extends RuntimeException {
    private static final long serialVersionUID = 1L;

    FileKept(String reason, Throwable cause) {
      super(reason, cause);
    }
  }
}
