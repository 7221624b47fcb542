package io.comfygate.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * How many lines each of the shared Tomcat's catalina logs (and any other given log file) had at a
 * moment, so that a test reads only the lines written since.
 */
record CatalinaLog(Map<Path, Integer> lines, List<Path> extra) {
  /** The mark now, of the catalina logs and of {@code extra} files (which may not exist yet). */
  static CatalinaLog mark(Path... extra) throws IOException {
    CatalinaLog empty = new CatalinaLog(Map.of(), List.of(extra));
    Map<Path, Integer> lines = new HashMap<>();
    for (Path log : empty.files()) {
      lines.put(log, Files.readAllLines(log, StandardCharsets.UTF_8).size());
    }
    return new CatalinaLog(lines, List.of(extra));
  }

  /** Every line written to the logs since the mark, file by file. */
  List<String> linesSince() throws IOException {
    List<String> since = new ArrayList<>();
    for (Path log : files()) {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      since.addAll(all.subList(Math.min(lines.getOrDefault(log, 0), all.size()), all.size()));
    }
    return since;
  }

  private List<Path> files() throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> logs = Files.list(Path.of(System.getProperty("tomcat.base"), "logs"))) {
      logs.filter(p -> p.getFileName().toString().startsWith("catalina")).sorted().forEach(files::add);
    }
    extra.stream().filter(Files::isRegularFile).forEach(files::add);
    return files;
  }
}
