package io.comfygate.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.engine.JobEngine;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The WAR, the examples, the remote client and the benchmarks use only the SDK's exported API. On
 * the class path (where they run) nothing enforces the module's boundary, so this reads what the
 * SDK exports from its own module descriptor and fails on any source file that names one of its
 * other packages ({@code io.comfygate.internal.*}, {@code io.comfygate.store.jdbc}), in an import, a
 * qualified name or a Javadoc link.
 */
class SdkApiOnlyTest {
  /** Main and test sources of the modules that build on the SDK (the test runs in webapp/). */
  private static final List<Path> SOURCES =
      List.of(Path.of("src"), Path.of("../examples/src"), Path.of("../client/src"), Path.of("../bench/src"));
  private static final String THIS_FILE = SdkApiOnlyTest.class.getSimpleName() + ".java";
  private static final Pattern QUALIFIED = Pattern.compile("io\\.comfygate(?:\\.[a-z_][a-z0-9_]*)+");

  private static Set<String> sdkPackages;
  private static Set<String> hidden;

  @BeforeAll
  static void readTheSdkModule() {
    ModuleDescriptor sdk = sdkModule();
    sdkPackages = sdk.packages();
    Set<String> exported = sdk.exports().stream().filter(e -> !e.isQualified())
        .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
    hidden = sdkPackages.stream().filter(p -> !exported.contains(p)).collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void theSdkModuleHidesItsInternals() {
    assertThat(hidden).as("packages the SDK does not export").contains("io.comfygate.internal.json", "io.comfygate.store.jdbc");
    assertThat(hidden).doesNotContain("io.comfygate.engine", "io.comfygate.store");
  }

  @Test
  void sourcesThatBuildOnTheSdkNameOnlyItsExportedPackages() throws IOException {
    List<String> offenders = new ArrayList<>();
    int files = 0;
    for (Path root : SOURCES) {
      assertThat(root).as("source folder (the test runs in the webapp module)").isDirectory();
      try (Stream<Path> walk = Files.walk(root)) {
        // This file names hidden packages on purpose, as samples (findsAHiddenPackageHoweverItIsNamed).
        for (Path file : walk.filter(f -> f.toString().endsWith(".java") && !f.endsWith(THIS_FILE)).toList()) {
          files++;
          String text = Files.readString(file);
          hiddenPackagesNamedIn(text).forEach(p -> offenders.add(file + ": " + p));
        }
      }
    }
    assertThat(files).as("Java files scanned").isGreaterThan(100);
    assertThat(offenders).as("sources naming a package the SDK does not export").isEmpty();
  }

  @Test
  void findsAHiddenPackageHoweverItIsNamed() {
    assertThat(hiddenPackagesNamedIn("import io.comfygate.store.jdbc.Database;")).containsExactly("io.comfygate.store.jdbc");
    assertThat(hiddenPackagesNamedIn("x = io.comfygate.internal.json.Json.MAPPER;")).containsExactly("io.comfygate.internal.json");
    assertThat(hiddenPackagesNamedIn("import static io.comfygate.internal.json.Json.text;")).containsExactly("io.comfygate.internal.json");
    assertThat(hiddenPackagesNamedIn("import io.comfygate.store.Stores; import io.comfygate.web.api.JobView;")).isEmpty();
  }

  /** The SDK packages named in {@code text} that the module does not export. */
  private static Set<String> hiddenPackagesNamedIn(String text) {
    Set<String> named = new TreeSet<>();
    Matcher m = QUALIFIED.matcher(text);
    while (m.find()) {
      longestSdkPackage(m.group()).filter(hidden::contains).ifPresent(named::add);
    }
    return named;
  }

  /** {@code io.comfygate.store.jdbc.x} is in {@code io.comfygate.store.jdbc}, not {@code io.comfygate.store}. */
  private static Optional<String> longestSdkPackage(String name) {
    for (String candidate = name; candidate.contains("."); candidate = candidate.substring(0, candidate.lastIndexOf('.'))) {
      if (sdkPackages.contains(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** The SDK's descriptor, from its classes folder in a build or its jar. */
  private static ModuleDescriptor sdkModule() {
    Path location;
    try {
      location = Path.of(JobEngine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("the SDK's class location is not a path", e);
    }
    Set<ModuleReference> found = ModuleFinder.of(location).findAll();
    assertThat(found).as("the SDK at %s as a module", location).hasSize(1);
    ModuleDescriptor descriptor = found.iterator().next().descriptor();
    assertThat(descriptor.isAutomatic()).as("the SDK has a module-info (%s)", location).isFalse();
    return descriptor;
  }
}
