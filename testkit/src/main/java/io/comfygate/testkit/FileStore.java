package io.comfygate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The fake's input, output and temp folders, in a temporary directory it owns and deletes on
 * {@link #close()}. Applies ComfyUI's path checks for /view and /upload/image. Thread-safe: writes
 * are serialised on this object.
 */
final class FileStore implements AutoCloseable {
  /** Outcome of a /view lookup: an HTTP status, and the file when the status is 200. */
  record Lookup(int status, Path file) {}

  /** Outcome of an upload: an HTTP status, and the JSON fields when the status is 200. */
  record Upload(int status, String name, String subfolder, String type) {}

  private final Path root;
  private final Map<String, Path> dirs;

  FileStore() {
    try {
      root = Files.createTempDirectory("comfygate-fake-");
      dirs = Map.of("input", Files.createDirectory(root.resolve("input")),
          "output", Files.createDirectory(root.resolve("output")),
          "temp", Files.createDirectory(root.resolve("temp")));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the fake's folders", e);
    }
  }

  /** A fresh folder for one Tomcat run, inside this store so close() removes whatever Tomcat leaves. */
  synchronized Path newServerDir() {
    try {
      return Files.createTempDirectory(root, "tomcat-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a folder for Tomcat", e);
    }
  }

  /** Top-level files of the input folder, sorted, as LoadImage's combo lists them. */
  List<String> inputFiles() {
    try (Stream<Path> s = Files.list(dirs.get("input"))) {
      return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** Whether LoadImage can read this name ({@code sub/x.png} and a trailing {@code [input]} allowed). */
  boolean inputExists(String annotated) {
    String name = annotated.endsWith(" [input]") ? annotated.substring(0, annotated.length() - 8) : annotated;
    Path dir = dirs.get("input");
    Path p = dir.resolve(name).normalize();
    return p.startsWith(dir) && Files.isRegularFile(p);
  }

  Path inputFile(String name) {
    return dirs.get("input").resolve(name).normalize();
  }

  /** The checks of server.py's /view route, in its order. */
  Lookup view(String filename, String type, String subfolder) {
    if (filename == null) {
      return new Lookup(404, null);
    }
    for (String t : List.of("output", "input", "temp")) {
      if (filename.endsWith(" [" + t + "]")) {
        filename = filename.substring(0, filename.length() - t.length() - 3);
        type = t;
      }
    }
    if (filename.isEmpty() || filename.startsWith("/") || filename.contains("..")) {
      return new Lookup(400, null);
    }
    Path dir = dirs.get(type == null ? "output" : type);
    if (dir == null) {
      return new Lookup(400, null);
    }
    if (subfolder != null) {
      Path sub = dir.resolve(subfolder).normalize();
      if (!sub.startsWith(dir)) {
        return new Lookup(403, null);
      }
      dir = sub;
    }
    String base = filename.substring(filename.lastIndexOf('/') + 1);
    Path file = dir.resolve(base);
    return Files.isRegularFile(file) ? new Lookup(200, file) : new Lookup(404, null);
  }

  /** server.py's image_upload: rename to {@code name (1).ext} unless identical or overwrite. */
  synchronized Upload upload(byte[] data, String filename, String type, String subfolder, boolean overwrite) {
    String t = type == null || type.isEmpty() ? "input" : type;
    Path dir = dirs.get(t);
    if (dir == null) {
      return new Upload(500, null, null, null);
    }
    if (filename == null || filename.isEmpty()) {
      return new Upload(400, null, null, null);
    }
    String sub = subfolder == null ? "" : subfolder;
    Path folder = dir.resolve(sub).normalize();
    Path target = folder.resolve(filename).normalize();
    if (!target.startsWith(dir)) {
      return new Upload(400, null, null, null);
    }
    try {
      Files.createDirectories(folder);
      String name = filename;
      int dot = filename.lastIndexOf('.');
      String stem = dot > 0 ? filename.substring(0, dot) : filename;
      String ext = dot > 0 ? filename.substring(dot) : "";
      boolean duplicate = false;
      for (int i = 1; !overwrite && Files.exists(target); i++) {
        if (sameContent(target, data)) {
          duplicate = true;
          break;
        }
        name = stem + " (" + i + ")" + ext;
        target = folder.resolve(name);
      }
      if (!duplicate) {
        Files.write(target, data);
      }
      return new Upload(200, name, sub, t);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reserves {@code count} new names {@code prefix_NNNNN_.png} in a folder and writes the images,
   * continuing after the highest counter already there, as SaveImage does.
   */
  synchronized List<String> save(String type, String prefix, List<byte[]> pngs) {
    Path dir = dirs.get(type);
    Pattern p = Pattern.compile(Pattern.quote(prefix) + "_(\\d{5,})_\\.png");
    int next = 1;
    try (Stream<Path> s = Files.list(dir)) {
      for (Path f : (Iterable<Path>) s::iterator) {
        Matcher m = p.matcher(f.getFileName().toString());
        if (m.matches()) {
          next = Math.max(next, Integer.parseInt(m.group(1)) + 1);
        }
      }
      List<String> names = new ArrayList<>();
      for (byte[] png : pngs) {
        String name = String.format("%s_%05d_.png", prefix, next++);
        Files.write(dir.resolve(name), png);
        names.add(name);
      }
      return names;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean sameContent(Path existing, byte[] data) throws IOException {
    try {
      MessageDigest a = MessageDigest.getInstance("SHA-256");
      MessageDigest b = MessageDigest.getInstance("SHA-256");
      return MessageDigest.isEqual(a.digest(Files.readAllBytes(existing)), b.digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Deletes every file the fake wrote. Idempotent. */
  @Override
  public synchronized void close() {
    TempDirs.delete(root);
  }
}
