package io.comfygate.engine;

import io.comfygate.testkit.FakeComfyUi;
import io.comfygate.testkit.FakeComfyUiExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What an engine test stands on: a {@link FakeComfyUi}, a temporary folder, and the engines the
 * test builds against them, closed after each test.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EngineFixture ENGINE = new EngineFixture(FakeComfyUi.builder().steps(4));
 * ...
 * JobEngine engine = ENGINE.start(b -> b.quota(new QuotaPolicy(3, 1)));
 * }</pre>
 *
 * <p>The fake follows {@link FakeComfyUiExtension}: as a static field one fake serves the class and
 * is freshened before each test; as an instance field each test gets its own. The folder and the
 * engines are always per test. After each test (after the test's own {@code @AfterEach}) the
 * engines and anything handed to {@link #own} are closed, newest first, and the folder is deleted.
 * Not for concurrent test execution within a class.
 */
final class EngineFixture implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
  private final FakeComfyUiExtension comfy;
  private final Deque<AutoCloseable> owned = new ArrayDeque<>();
  private Path dir;

  /** A fake with its builder's defaults. */
  EngineFixture() {
    this(FakeComfyUi.builder());
  }

  EngineFixture(FakeComfyUi.Builder fake) {
    this.comfy = new FakeComfyUiExtension(fake);
  }

  /** The running fake. */
  FakeComfyUi comfy() {
    return comfy.get();
  }

  /** The test's folder: the engine's SQLite file is {@code db/app.db} in it, its outputs {@code outputs/}. */
  Path dir() {
    if (dir == null) {
      throw new IllegalStateException("no engine folder: use the fixture inside a test");
    }
    return dir;
  }

  /** {@link EngineTests#builder} against the fake, in this test's folder. */
  JobEngine.Builder builder() {
    return EngineTests.builder(List.of(comfy().baseUrl()), dir());
  }

  /** An engine with the test defaults of {@link EngineTests#builder}, closed after the test. */
  JobEngine start() {
    return start(b -> { });
  }

  /** An engine from {@link #builder()} after {@code customizer} changed it, closed after the test. */
  JobEngine start(Consumer<JobEngine.Builder> customizer) {
    JobEngine.Builder b = builder();
    customizer.accept(b);
    return own(b.build());
  }

  /** Closes {@code resource} after the test, before what was owned earlier (engines included). */
  <T extends AutoCloseable> T own(T resource) {
    owned.push(resource);
    return resource;
  }

  /**
   * Closes the engines and owned resources now, newest first (each once, as after the test); for a
   * test that must see them closed before its own clean-up.
   */
  void closeAll() throws Exception {
    Exception failure = null;
    while (!owned.isEmpty()) {
      try {
        owned.pop().close();
      } catch (Exception e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    comfy.beforeAll(context);
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    comfy.beforeEach(context);
    dir = Files.createTempDirectory("comfygate-engine-");
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    try {
      closeAll();
    } finally {
      try {
        deleteTree(dir);
        dir = null;
      } finally {
        comfy.afterEach(context);
      }
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    comfy.afterAll(context);
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }
}
