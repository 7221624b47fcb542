package io.comfygate.web;

import io.comfygate.auth.ApiKeys;
import io.comfygate.config.Settings;
import io.comfygate.engine.JobEngine;
import io.comfygate.webhooks.Webhooks;
import jakarta.servlet.ServletContext;

/**
 * What the web layer needs from the SDK, built once by {@link AppLifecycle} and handed to every
 * resource, filter and endpoint through their constructors (no statics: a redeploy leaves nothing).
 *
 * @param webhooks the webhook outbox, or {@code null} where webhooks are off (some resource tests)
 */
public record AppServices(Settings settings, JobEngine engine, ApiKeys apiKeys, Webhooks webhooks) {
  static final String ATTRIBUTE = AppServices.class.getName();

  /** Services without webhooks. */
  public AppServices(Settings settings, JobEngine engine, ApiKeys apiKeys) {
    this(settings, engine, apiKeys, null);
  }

  /** The services of this web application, as {@link AppLifecycle} stored them. */
  public static AppServices from(ServletContext context) {
    Object services = context.getAttribute(ATTRIBUTE);
    if (!(services instanceof AppServices s)) {
      throw new IllegalStateException("ComfyGate did not start; see the log for the reason");
    }
    return s;
  }
}
