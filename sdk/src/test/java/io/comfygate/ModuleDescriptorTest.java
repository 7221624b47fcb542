package io.comfygate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.engine.JobEngine;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.reflect.InvocationTargetException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK's module descriptor says what we mean its API to be, and the SDK works as a named module:
 * loaded in a module layer of its own (with its dependencies' jars, away from the test class path),
 * its public API runs and its internal packages are closed to callers.
 */
class ModuleDescriptorTest {
  static final String MODULE = "io.comfygate.sdk";
  /** The API: what a user of the SDK calls or receives. Everything else is the SDK's own. */
  static final Set<String> API = Set.of(
      "io.comfygate.auth",
      "io.comfygate.client",
      "io.comfygate.config",
      "io.comfygate.engine",
      "io.comfygate.errors",
      "io.comfygate.events",
      "io.comfygate.health",
      "io.comfygate.jobs",
      "io.comfygate.json",
      "io.comfygate.llm",
      "io.comfygate.queue",
      "io.comfygate.store",
      "io.comfygate.templates",
      "io.comfygate.uploads",
      "io.comfygate.webhooks");

  @Test
  void exportsTheApiPackagesOnlyAndNoneToChosenFriends() throws IOException {
    ModuleDescriptor descriptor = descriptor();

    assertThat(descriptor.name()).isEqualTo(MODULE);
    assertThat(descriptor.isOpen()).as("an open module would let reflection into every package").isFalse();
    assertThat(descriptor.opens()).isEmpty();
    assertThat(descriptor.exports()).allSatisfy(e -> assertThat(e.isQualified()).as(e.toString()).isFalse());
    assertThat(exported(descriptor)).containsExactlyInAnyOrderElementsOf(API);
    assertThat(exported(descriptor)).noneMatch(p -> p.contains(".internal") || p.endsWith(".jdbc"));
  }

  @Test
  void requiresWhatTheSdkUsesWithPostgresqlOptional() throws IOException {
    Map<String, Set<ModuleDescriptor.Requires.Modifier>> requires = descriptor().requires().stream()
        .collect(Collectors.toMap(ModuleDescriptor.Requires::name, ModuleDescriptor.Requires::modifiers));

    assertThat(requires).containsKeys("com.fasterxml.jackson.databind", "org.slf4j", "java.sql", "java.net.http",
        "com.zaxxer.hikari", "org.xerial.sqlitejdbc", "org.postgresql.jdbc");
    assertThat(requires.get("org.postgresql.jdbc")).contains(ModuleDescriptor.Requires.Modifier.STATIC);
    assertThat(requires.get("org.xerial.sqlitejdbc")).doesNotContain(ModuleDescriptor.Requires.Modifier.STATIC);
    // JobEngine.submit takes a JsonNode: a user reads Jackson through the SDK.
    assertThat(requires.get("com.fasterxml.jackson.databind")).contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE);
  }

  @Test
  void runsAsANamedModuleInALayerOfItsOwn(@TempDir Path dir) throws Exception {
    ModuleLayer layer = layer(Set.of(MODULE));
    ClassLoader loader = layer.findLoader(MODULE);

    Class<?> stores = loader.loadClass("io.comfygate.store.Stores");
    assertThat(stores.getModule().getName()).isEqualTo(MODULE);
    assertThat(stores).isNotSameAs(io.comfygate.store.Stores.class);
    Object opened = inLayer(layer, () -> stores.getMethod("open", String.class).invoke(null, dir.resolve("module.db").toString()));
    try {
      int version = (int) stores.getMethod("schemaVersion").invoke(opened);
      assertThat(version).as("schema migrated by the SDK's own resources, read inside the module").isPositive();
      Object jobs = stores.getMethod("jobs").invoke(opened);
      assertThat(jobs.getClass().getModule()).isSameAs(stores.getModule());
    } finally {
      stores.getMethod("close").invoke(opened);
    }

    Class<?> json = loader.loadClass("io.comfygate.internal.json.Json");
    assertThat(json.getModule().isExported("io.comfygate.internal.json")).isFalse();
    assertThatThrownBy(() -> json.getMethod("newMapper").invoke(null))
        .as("a public method of a package the module does not export").isInstanceOf(IllegalAccessException.class);
    Class<?> mappers = loader.loadClass("io.comfygate.json.JsonMappers");
    assertThat(mappers.getMethod("newMapper").invoke(null).getClass().getName())
        .isEqualTo("com.fasterxml.jackson.databind.ObjectMapper");
  }

  /**
   * The SDK resolved with {@code roots} from its classes and the test class path's jars, in a layer
   * whose parent is the platform loader: nothing may come from the test class path, where the SDK
   * also is.
   */
  static ModuleLayer layer(Set<String> roots) {
    Configuration configuration = Configuration.resolve(sdkAndDependencies(), List.of(ModuleLayer.boot().configuration()),
        ModuleFinder.of(), roots);
    return ModuleLayer.boot().defineModulesWithOneLoader(configuration, ClassLoader.getPlatformClassLoader());
  }

  /**
   * Runs {@code call} with the layer's loader as the thread's context loader, as an application on
   * the module path has (HikariCP loads the JDBC driver by name through it), and unwraps what a
   * reflective call threw.
   */
  static <T> T inLayer(ModuleLayer layer, Callable<T> call) throws Exception {
    Thread thread = Thread.currentThread();
    ClassLoader before = thread.getContextClassLoader();
    thread.setContextClassLoader(layer.findLoader(MODULE));
    try {
      return call.call();
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    } finally {
      thread.setContextClassLoader(before);
    }
  }

  static ModuleDescriptor descriptor() throws IOException {
    try (InputStream in = Files.newInputStream(sdkClasses().resolve("module-info.class"))) {
      return ModuleDescriptor.read(in);
    }
  }

  static Set<String> exported(ModuleDescriptor descriptor) {
    return descriptor.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toCollection(TreeSet::new));
  }

  /** Where the SDK's main classes are: target/classes in a build, the jar when tests run against it. */
  static Path sdkClasses() {
    try {
      return Path.of(JobEngine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("the SDK's class location is not a path", e);
    }
  }

  /**
   * The SDK's classes and every jar of the test class path that is a module (named, or automatic
   * with a valid derived name); resolution then takes only the ones the SDK requires.
   */
  private static ModuleFinder sdkAndDependencies() {
    Map<String, ModuleReference> modules = new HashMap<>();
    ModuleFinder.of(sdkClasses()).findAll().forEach(m -> modules.put(m.descriptor().name(), m));
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      Path path = Path.of(entry);
      if (!entry.endsWith(".jar") || !Files.isRegularFile(path)) {
        continue;
      }
      try {
        ModuleFinder.of(path).findAll().forEach(m -> modules.putIfAbsent(m.descriptor().name(), m));
      } catch (FindException notAModule) {
        // e.g. a jar whose file name gives no valid automatic module name; the SDK needs none such
      }
    }
    assertThat(modules).as("the SDK and its dependencies on the test class path")
        .containsKeys(MODULE, "org.xerial.sqlitejdbc", "com.zaxxer.hikari");
    return new ModuleFinder() {
      @Override
      public Optional<ModuleReference> find(String name) {
        return Optional.ofNullable(modules.get(name));
      }

      @Override
      public Set<ModuleReference> findAll() {
        return Set.copyOf(modules.values());
      }
    };
  }
}
