package io.comfygate.testkit;

import java.time.Duration;
import java.util.Objects;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Runs a {@link FakeComfyUi} for JUnit 5 tests.
 *
 * <pre>{@code
 * @RegisterExtension static FakeComfyUiExtension comfy = new FakeComfyUiExtension(); // one fake per class
 * @RegisterExtension FakeComfyUiExtension comfy = new FakeComfyUiExtension();        // one fake per test
 * }</pre>
 *
 * <p>As a static field the fake starts before the first test and closes after the last; before
 * each test it is brought back to a fresh state: restarted if a test stopped it, faults cleared,
 * the running prompt allowed to end (or dropped by a restart after 5 s), queue, history, cache and
 * recorded requests cleared. As an instance field each test gets a new fake. Test methods may also
 * declare a {@code FakeComfyUi} parameter. Not meant for concurrent test execution within a class.
 */
public final class FakeComfyUiExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {
  private static final Duration SETTLE = Duration.ofSeconds(5);

  private final FakeComfyUi.Builder builder;
  private FakeComfyUi fake;
  private boolean perClass;

  /** A fake with the builder's defaults. */
  public FakeComfyUiExtension() {
    this(FakeComfyUi.builder());
  }

  /** A fake started from this builder (for example with more steps). */
  public FakeComfyUiExtension(FakeComfyUi.Builder builder) {
    this.builder = Objects.requireNonNull(builder, "builder");
  }

  /**
   * The running fake.
   *
   * @throws IllegalStateException outside a test or before the extension started it
   */
  public FakeComfyUi get() {
    if (fake == null) {
      throw new IllegalStateException("FakeComfyUi is not running: use it inside a test");
    }
    return fake;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    perClass = true;
    fake = builder.start();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (fake == null) {
      fake = builder.start();
    } else {
      freshen(fake);
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (!perClass && fake != null) {
      fake.close();
      fake = null;
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (fake != null) {
      fake.close();
      fake = null;
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == FakeComfyUi.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return get();
  }

  private static void freshen(FakeComfyUi fake) {
    if (!fake.isRunning()) {
      fake.restart();
    }
    fake.reset();
    long deadline = System.nanoTime() + SETTLE.toNanos();
    while (fake.queueRunningCount() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (fake.queueRunningCount() > 0) {
      fake.restart(); // the previous test left a prompt that will not end
    }
    fake.reset(); // the prompt that just ended wrote history
  }
}
