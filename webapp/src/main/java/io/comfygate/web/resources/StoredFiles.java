package io.comfygate.web.resources;

import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.Response;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A stored image file as a response: served inline, cached privately (if at all), with its content
 * type fixed (never sniffed). The file is found under its folder by a name the server chose, never by a path
 * from the request.
 */
final class StoredFiles {
  private StoredFiles() {}

  /**
   * {@code name} under {@code folder}, as {@code contentType}, with {@code cacheControl}.
   *
   * @param what names the missing file in the 404 ("The file of image i01...")
   * @throws NotFoundException the file is not there (or the name leaves the folder)
   */
  static Response inline(Path folder, String name, String contentType, String cacheControl, String what) {
    Path root = folder.toAbsolutePath().normalize();
    Path file = root.resolve(name).normalize();
    if (!file.startsWith(root) || !Files.isRegularFile(file)) {
      throw new NotFoundException("The file of " + what + " is missing");
    }
    String fileName = file.getFileName().toString();
    return Response.ok(file.toFile(), contentType)
        .header("Content-Disposition", "inline; filename=\"" + fileName + "\"")
        .header("Cache-Control", cacheControl)
        .header("X-Content-Type-Options", "nosniff")
        .build();
  }
}
