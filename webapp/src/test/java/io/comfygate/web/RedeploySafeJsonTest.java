package io.comfygate.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every ObjectMapper that runs in the WAR (its own code and the SDK's) comes from the SDK's
 * {@code JsonMappers.newMapper()} (or the SDK's internal {@code Json.newMapper()} it calls): a plain {@code new ObjectMapper()} recycles its buffers in thread-locals
 * of the container's request threads, which keep an undeployed WAR's class loader (RedeployLeakIT
 * shows it through Tomcat's findleaks, but only when memory is plentiful and only in a full build).
 */
class RedeploySafeJsonTest {
  private static final List<Path> SOURCES = List.of(Path.of("src/main/java"), Path.of("../sdk/src/main/java"));
  private static final String THE_ONE_PLACE = "internal/json/Json.java";

  @Test
  void noMapperOfTheWarRecyclesBuffersInThreadLocals() throws IOException {
    List<String> offenders = new java.util.ArrayList<>();
    for (Path root : SOURCES) {
      assertThat(root).as("source folder (the test runs in the webapp module)").isDirectory();
      try (Stream<Path> files = Files.walk(root)) {
        for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
          String text = Files.readString(file);
          if (!file.toString().replace('\\', '/').endsWith(THE_ONE_PLACE)
              && (text.contains("new ObjectMapper(") || text.contains("new JsonFactory("))) {
            offenders.add(root.relativize(file).toString());
          }
        }
      }
    }
    assertThat(offenders).as("classes that make an ObjectMapper without JsonMappers.newMapper()").isEmpty();
  }
}
