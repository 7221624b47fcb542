package io.comfygate.web.metrics;

import io.comfygate.config.Settings;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.ServletContext;
import java.io.IOException;
import java.io.InputStream;
import java.util.EnumSet;
import java.util.Properties;

/** Mounts {@code GET /metrics} and the refused-submit counter on a web application. */
public final class MetricsEndpoint {
  private static final String POM_PROPERTIES = "/META-INF/maven/io.comfygate/comfygate-webapp/pom.properties";

  private MetricsEndpoint() {}

  /**
   * Serves {@code metrics} at {@code /metrics} (outside /api) under METRICS_PUBLIC / METRICS_TOKEN
   * / the admin role, and counts refused submits on {@code /api/v1/jobs}; call after the
   * authentication filter is mapped on /api, so it runs first.
   *
   * @param identify the application's authentication filter, which /metrics uses to know admins
   */
  public static void mount(ServletContext context, ComfyMetrics metrics, Settings settings, Filter identify) {
    MetricsAccess access = new MetricsAccess(settings.metricsPublic(), settings.metricsToken());
    context.addServlet("comfygate-metrics", new MetricsServlet(metrics, access, identify))
        .addMapping(io.comfygate.web.security.ServletAccess.METRICS.path());
    context.addFilter("comfygate-refused-submits", new RefusedSubmitsFilter(metrics))
        .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/api/v1/jobs");
  }

  /** The WAR's version, from the pom.properties Maven packs into it; "unknown" when run unpackaged. */
  public static String version(ServletContext context) {
    try (InputStream in = context.getResourceAsStream(POM_PROPERTIES)) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
