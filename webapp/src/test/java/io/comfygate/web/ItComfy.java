package io.comfygate.web;

import io.comfygate.testkit.FakeComfyUi;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The FakeComfyUi of one IT class, on the port the WAR's it.env points at; started before the
 * class's first test and stopped after its last (unlike the testkit's extension, it is not reset
 * between tests: the deployed engine stays connected to it throughout).
 *
 * <pre>{@code @RegisterExtension static final ItComfy comfy = ItComfy.withSteps(2);}</pre>
 */
final class ItComfy implements BeforeAllCallback, AfterAllCallback {
  private final UnaryOperator<FakeComfyUi.Builder> options;
  private FakeComfyUi fake;

  /** A fake with {@code options} applied to its builder (steps, delays, previews, ...). */
  ItComfy(UnaryOperator<FakeComfyUi.Builder> options) {
    this.options = options;
  }

  static ItComfy withSteps(int steps) {
    return new ItComfy(b -> b.steps(steps));
  }

  /** The running fake. */
  FakeComfyUi get() {
    if (fake == null) {
      throw new IllegalStateException("the IT's FakeComfyUi runs only while its class does");
    }
    return fake;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    fake = options.apply(FakeComfyUi.builder().port(Integer.getInteger("it.comfy.port"))).start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (fake != null) {
      fake.close();
      fake = null;
    }
  }
}
