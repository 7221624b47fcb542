package io.comfygate.web.resources;

import io.comfygate.jobs.IdempotencyKey;
import io.comfygate.jobs.JobId;
import io.comfygate.store.ImageId;
import io.comfygate.store.PageRequest;
import io.comfygate.web.errors.BadParameterException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.UriInfo;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Query and path parameters, parsed here rather than by JAX-RS so that a bad value is a 400 naming
 * the parameter (JAX-RS would answer 404 for {@code page=x}).
 */
final class Params {
  static final int DEFAULT_PAGE_SIZE = 20;
  static final int MAX_PAGE_SIZE = 100;
  /** The dates a query may name: the four-digit years of ISO-8601. */
  private static final Instant EARLIEST = Instant.parse("0000-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");

  private Params() {}

  /** {@code page} from 1 (default 1), {@code size} 1..100 (default 20). */
  static PageRequest page(String page, String size) {
    int p = intIn("page", page, 1, 1, Integer.MAX_VALUE / MAX_PAGE_SIZE);
    int s = intIn("size", size, DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
    return new PageRequest(p, s);
  }

  private static int intIn(String name, String value, int fallback, int min, int max) {
    if (value == null || value.isEmpty()) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(value.strip());
      if (n < min || n > max) {
        throw new BadParameterException(name, "must be between " + min + " and " + max + " (got " + n + ")");
      }
      return n;
    } catch (NumberFormatException e) {
      throw new BadParameterException(name, "must be a whole number (got \"" + shorten(value) + "\")");
    }
  }

  /**
   * An ISO-8601 date ({@code 2026-11-26}, midnight UTC) or instant ({@code 2026-11-26T10:00:00Z});
   * null if absent.
   */
  static Instant instant(String name, String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    Instant instant;
    try {
      instant = value.length() == 10 ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new BadParameterException(name, "must be an ISO-8601 date like 2026-11-26 or an instant like "
          + "2026-11-26T10:00:00Z (got \"" + shorten(value) + "\")");
    }
    // Instant.parse takes years up to ±1,000,000,000, which the store's epoch milliseconds cannot hold.
    if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
      throw new BadParameterException(name, "must be between 0000-01-01 and 9999-12-31 (got \"" + shorten(value) + "\")");
    }
    return instant;
  }

  /** An idempotency key from the header {@code name}; null when the header is absent. */
  static IdempotencyKey idempotencyKey(String name, String value) {
    if (value == null) {
      return null;
    }
    try {
      return IdempotencyKey.of(value);
    } catch (IllegalArgumentException e) {
      throw new BadParameterException(name, e.getMessage());
    }
  }

  static JobId jobId(String id) {
    try {
      return JobId.of(id);
    } catch (IllegalArgumentException e) {
      throw new NotFoundException("No job " + shorten(id));
    }
  }

  static ImageId imageId(String id) {
    try {
      return ImageId.of(id);
    } catch (IllegalArgumentException e) {
      throw new NotFoundException("No image " + shorten(id));
    }
  }

  /** The API's base path, e.g. {@code /comfygate/api/}, for links in responses. */
  static String apiBase(UriInfo uri) {
    return uri.getBaseUri().getRawPath();
  }

  static String shorten(String value) {
    return value.length() <= 40 ? value : value.substring(0, 37) + "...";
  }
}
