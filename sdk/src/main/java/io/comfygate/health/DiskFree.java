package io.comfygate.health;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Compares the usable space on a directory's volume with the configured minimum, and proves this
 * process can create, write and delete a file there: with several instances on one shared folder
 * (NFS, SMB, a cloud file share), a mount that went read-only or stale on one machine shows on that
 * instance's check.
 */
final class DiskFree {
  private static final long MB = 1024 * 1024;

  private final Path dir;
  private final long minFreeMb;

  DiskFree(Path dir, long minFreeMb) {
    if (minFreeMb < 0) {
      throw new IllegalArgumentException("HEALTHZ_DISK_MIN_FREE_MB must be >= 0: " + minFreeMb);
    }
    this.dir = dir.toAbsolutePath().normalize();
    this.minFreeMb = minFreeMb;
  }

  CheckOutcome check() throws IOException {
    // OUTPUT_DIR may not exist before the first image: its parent's volume is where it will be.
    Path existing = dir;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return CheckOutcome.down("no existing directory on the path to " + dir);
    }
    long freeMb = Files.getFileStore(existing).getUsableSpace() / MB;
    if (freeMb < minFreeMb) {
      return CheckOutcome.down("free disk " + freeMb + " MB on " + dir + " is below HEALTHZ_DISK_MIN_FREE_MB=" + minFreeMb);
    }
    String notWritable = writeProbe(existing);
    if (notWritable != null) {
      return CheckOutcome.down(existing + " is not writable from this process: " + notWritable);
    }
    return CheckOutcome.up("free disk " + freeMb + " MB on " + dir + " (minimum " + minFreeMb + " MB), writable");
  }

  /** Null when a probe file could be created, written and deleted in {@code dir}, else why not. */
  private static String writeProbe(Path dir) {
    Path probe = dir.resolve(".comfygate-probe-" + UUID.randomUUID() + ".tmp"); // unique across instances
    try {
      Files.write(probe, new byte[] {1}, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
          StandardOpenOption.SYNC);
      return null;
    } catch (IOException | SecurityException e) {
      return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    } finally {
      try {
        Files.deleteIfExists(probe);
      } catch (IOException ignored) {
        // nothing was created, or the next probe's name differs anyway
      }
    }
  }
}
