package io.comfygate.internal.http;

import io.comfygate.errors.ComfyIoException;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * Internal, not API. Streams a response body into a temp file beside the target and moves it into
 * place only when complete, so a reader never sees half a file and nothing is held in memory.
 */
public final class Downloads {
  private Downloads() {}

  /** Result of the exchange: either a complete temp file (2xx) or the error body. */
  private record Body(Path file, String error) {}

  /**
   * Downloads {@code request} to {@code target} within {@code deadline}.
   *
   * @return the number of bytes written
   */
  public static long toFile(HttpTransport transport, String call, HttpRequest request, Path target, Duration deadline) {
    Path dir = target.toAbsolutePath().getParent();
    Path temp;
    try {
      Files.createDirectories(dir);
      temp = Files.createTempFile(dir, "." + target.getFileName(), ".part");
    } catch (IOException e) {
      throw new ComfyIoException("cannot create a temp file next to " + target + " for " + call, e);
    }
    boolean moved = false;
    try {
      HttpResponse<Body> response = transport.send(call, request, info -> info.statusCode() / 100 == 2
          ? HttpResponse.BodySubscribers.mapping(
              HttpResponse.BodySubscribers.ofFile(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING),
              p -> new Body(p, null))
          : HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8),
              s -> new Body(null, s)), deadline);
      Body body = response.body();
      transport.requireSuccess(call, response.statusCode(), body.error());
      long size = Files.size(temp);
      move(temp, target);
      moved = true;
      return size;
    } catch (IOException e) {
      throw new ComfyIoException("cannot store " + call + " into " + target, e);
    } finally {
      if (!moved) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // Best effort: a leftover ".part" file is harmless and is named as such.
        }
      }
    }
  }

  private static void move(Path temp, Path target) throws IOException {
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
