package io.comfygate.web;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The headless Chromium of one browser IT class: started before the class's first test (at desktop
 * size) and closed after its last, so the tests of a class share one session in order.
 *
 * <pre>{@code @RegisterExtension static final ItBrowser chromium = new ItBrowser();}</pre>
 */
final class ItBrowser implements BeforeAllCallback, AfterAllCallback {
  private Browser browser;

  /** The running browser. */
  Browser get() {
    if (browser == null) {
      throw new IllegalStateException("the IT's browser runs only while its class does");
    }
    return browser;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    browser = Browser.start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (browser != null) {
      browser.close();
      browser = null;
    }
  }
}
