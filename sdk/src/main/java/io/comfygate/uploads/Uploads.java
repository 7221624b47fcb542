package io.comfygate.uploads;

import io.comfygate.errors.QuotaExceededException;
import io.comfygate.errors.UploadNotFoundException;
import io.comfygate.errors.UploadRejectedException;
import io.comfygate.errors.UploadRejectedException.Reason;
import io.comfygate.store.UploadStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Input images uploaded by users for templates with {@code image} parameters. An upload is streamed
 * to disk and refused as soon as it passes the size limit (never held whole in memory), then
 * accepted only if its bytes are a PNG, JPEG or WebP image whose header parses and whose declared
 * pixels are within the limit; only the image is kept (bytes appended after its end marker are
 * cut off). Each user may keep a number of uploads and of bytes ({@link UploadLimits}); an upload
 * stops counting once it is older than the retention, or removed. The file is named by a fresh
 * random id, never by anything from the request, so no request can choose a path. Only the owner
 * (or an administrator) can see or use an upload. Thread-safe.
 */
public final class Uploads {
  private static final Logger LOG = LoggerFactory.getLogger(Uploads.class);
  private static final int SWEEP_BATCH = 500;

  private final UploadStore store;
  private final Path dir;
  private final UploadLimits limits;
  private final ImageSniffer sniffer;
  private final Clock clock;

  /**
   * With the default limits ({@link UploadLimits#DEFAULTS}) but for the size of one file.
   *
   * @param maxBytes the largest upload accepted (UPLOAD_MAX_BYTES)
   */
  public Uploads(UploadStore store, Path dir, long maxBytes, Clock clock) {
    this(store, dir, UploadLimits.DEFAULTS.withMaxBytes(maxBytes), clock);
  }

  /**
   * @param store where uploads are recorded (and their quotas counted)
   * @param dir the folder files are kept in (created when needed)
   * @param limits per file and per user
   */
  public Uploads(UploadStore store, Path dir, UploadLimits limits, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.dir = Objects.requireNonNull(dir, "dir");
    this.limits = Objects.requireNonNull(limits, "limits");
    this.sniffer = new ImageSniffer(limits.maxBytes(), limits.maxPixels());
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The largest upload accepted, in bytes. */
  public long maxBytes() {
    return limits.maxBytes();
  }

  /** The limits this store applies. */
  public UploadLimits limits() {
    return limits;
  }

  /**
   * Stores an image for {@code userId}, reading {@code content} to its end (it is not closed).
   * A user already at a quota is refused before the body is read.
   *
   * @throws QuotaExceededException the user keeps UPLOAD_MAX_PER_USER uploads already; nothing is kept
   * @throws UploadRejectedException too large, over the user's bytes, too many pixels, not an
   *     accepted image type, or damaged; nothing is kept
   * @throws UncheckedIOException the folder cannot be written
   */
  public Upload store(String userId, InputStream content) {
    if (userId == null || userId.isBlank()) {
      throw new IllegalArgumentException("userId must not be blank");
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS); // as stored: the same answer now and later
    requireRoom(userId, now);
    Path incoming = null;
    try {
      Files.createDirectories(dir);
      incoming = Files.createTempFile(dir, ".incoming-", ".part");
      long received = copyAtMost(content, incoming);
      ImageSniffer.Sniffed image = sniffer.sniff(incoming);
      if (image.length() < received) {
        try (FileChannel file = FileChannel.open(incoming, StandardOpenOption.WRITE)) {
          file.truncate(image.length()); // what follows the image's end is not part of it
        }
      }
      long size = image.length();
      UploadId id = UploadId.generate(now);
      String file = id.value() + image.kind().extension;
      Files.move(incoming, dir.resolve(file), StandardCopyOption.ATOMIC_MOVE);
      incoming = dir.resolve(file);
      Upload upload = new Upload(id, userId, image.kind().contentType, image.width(), image.height(), size, file, now);
      insert(upload);
      incoming = null; // recorded: keep it
      LOG.atInfo().setMessage("upload_stored").addKeyValue("event", "upload").addKeyValue("upload_id", id.value())
          .addKeyValue("user_id", userId).addKeyValue("bytes", size).addKeyValue("content_type", upload.contentType())
          .addKeyValue("dropped_bytes", received - size).log();
      return upload;
    } catch (IOException e) {
      throw new UncheckedIOException("could not store an upload under " + dir + ": " + e.getMessage(), e);
    } finally {
      deleteQuietly(incoming);
    }
  }

  /**
   * Refuses now if {@code userId} keeps as many uploads or bytes as allowed, so a caller can say so
   * before receiving a body. {@link #store} checks again, with the image's size, as it records it.
   *
   * @throws QuotaExceededException the user keeps UPLOAD_MAX_PER_USER uploads already
   * @throws UploadRejectedException ({@code USER_BYTES_QUOTA}) the user's uploads fill UPLOAD_MAX_BYTES_PER_USER
   */
  public void requireRoom(String userId) {
    requireRoom(userId, clock.instant().truncatedTo(ChronoUnit.MILLIS));
  }

  private void requireRoom(String userId, Instant now) {
    checkQuota(store.usage(userId, now.minus(limits.retention())), userId, 0, now);
  }

  /**
   * Refuses an upload of {@code adding} bytes that would take the user past a quota. The store
   * counts in the same transaction as the insert, so parallel uploads cannot overshoot together.
   */
  private void checkQuota(UploadStore.Usage usage, String userId, long adding, Instant now) {
    long count = usage.count();
    long bytes = usage.bytes();
    Duration untilOldestGoes = usage.oldest() == null ? Duration.ZERO
        : Duration.between(now, usage.oldest().plus(limits.retention()));
    if (count >= limits.maxPerUser()) {
      throw new QuotaExceededException(userId, "You keep " + count + " uploads, the most allowed per user"
          + " (UPLOAD_MAX_PER_USER=" + limits.maxPerUser() + "); the oldest is removed in "
          + inWords(untilOldestGoes) + " (UPLOAD_RETENTION_HOURS)", limits.maxPerUser(),
          atLeastASecond(untilOldestGoes));
    }
    if (bytes + Math.max(adding, 1) > limits.maxBytesPerUser()) {
      throw new UploadRejectedException(Reason.USER_BYTES_QUOTA, "Your uploads kept take " + bytes + " bytes"
          + (adding > 0 ? "; this image of " + adding + " bytes would pass" : ", all")
          + " the " + human(limits.maxBytesPerUser()) + " allowed per user (" + limits.maxBytesPerUser()
          + " bytes, UPLOAD_MAX_BYTES_PER_USER); the oldest is removed in " + inWords(untilOldestGoes)
          + " (UPLOAD_RETENTION_HOURS)", limits.maxBytesPerUser());
    }
  }

  /** "3 h 20 min", "12 min", "40 s". */
  private static String inWords(Duration d) {
    long s = Math.max(1, d.toSeconds());
    if (s >= 3600) {
      return s / 3600 + " h" + (s % 3600 >= 60 ? " " + s % 3600 / 60 + " min" : "");
    }
    return s >= 60 ? s / 60 + " min" : s + " s";
  }

  private static Duration atLeastASecond(Duration d) {
    return d.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : d;
  }

  /** Copies at most the size limit; one byte more and it stops reading and refuses. */
  private long copyAtMost(InputStream in, Path target) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    long total = 0;
    try (OutputStream out = Files.newOutputStream(target)) {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        total += n;
        if (total > limits.maxBytes()) {
          throw tooLarge(limits.maxBytes());
        }
        out.write(buffer, 0, n);
      }
    }
    return total;
  }

  /** The refusal for a body over {@code limit} bytes, with a message naming the limit. */
  public static UploadRejectedException tooLarge(long limit) {
    return new UploadRejectedException(Reason.TOO_LARGE, "The image is larger than the upload limit of "
        + human(limit) + " (" + limit + " bytes, UPLOAD_MAX_BYTES)", limit);
  }

  private static String human(long bytes) {
    if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) {
      return bytes / (1024 * 1024) + " MiB";
    }
    if (bytes >= 1024 && bytes % 1024 == 0) {
      return bytes / 1024 + " KiB";
    }
    return bytes + " bytes";
  }

  /** An upload by id, whoever owns it. */
  public Optional<Upload> find(UploadId id) {
    return store.find(id);
  }

  /**
   * An upload the caller may see or use.
   *
   * @param id the id as received (need not be well formed)
   * @param userId the caller; {@code null} for an administrator (any owner)
   * @throws UploadNotFoundException no such upload, a malformed id, or another user's upload
   */
  public Upload get(String id, String userId) {
    if (!UploadId.isWellFormed(id)) {
      throw new UploadNotFoundException(shorten(id));
    }
    return find(UploadId.of(id)).filter(u -> userId == null || u.userId().equals(userId))
        .orElseThrow(() -> new UploadNotFoundException(id));
  }

  /** The upload's file on disk (inside the upload folder: the name is the id's). */
  public Path file(Upload upload) {
    return dir.resolve(upload.file());
  }

  /** Removes uploads stored before {@code cutoff}: the file first, then the row. Returns how many. */
  public int removeCreatedBefore(Instant cutoff) {
    int removed = 0;
    List<Upload> batch;
    do {
      batch = store.createdBefore(cutoff, SWEEP_BATCH);
      for (Upload upload : batch) {
        try {
          Files.deleteIfExists(file(upload));
        } catch (IOException e) {
          LOG.warn("could not remove expired upload file {}: {}", file(upload), e.getMessage());
          return removed; // the row stays, so the file is tried again at the next sweep
        }
        removed += store.delete(upload.id()) ? 1 : 0;
      }
    } while (batch.size() == SWEEP_BATCH);
    return removed;
  }

  private void insert(Upload u) {
    store.insert(u, u.createdAt().minus(limits.retention()),
        usage -> checkQuota(usage, u.userId(), u.bytes(), u.createdAt()));
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        LOG.warn("could not remove {}: {}", file, e.getMessage());
      }
    }
  }

  private static String shorten(String text) {
    if (text == null) {
      return "(none)";
    }
    return text.length() <= 40 ? text : text.substring(0, 37) + "...";
  }
}
