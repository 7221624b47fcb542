package io.comfygate.health;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Compares the usable space on a directory's volume with the configured minimum. */
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
    return CheckOutcome.up("free disk " + freeMb + " MB on " + dir + " (minimum " + minFreeMb + " MB)");
  }
}
