package io.comfygate.web;

import io.comfygate.auth.ApiKeys;
import io.comfygate.config.Settings;
import io.comfygate.engine.JobEngine;
import io.comfygate.store.Stores;
import io.comfygate.webhooks.Webhooks;
import io.comfygate.web.docs.ApiDocument;
import io.comfygate.web.docs.OpenApiServlet;
import io.comfygate.web.live.LiveConfigurator;
import io.comfygate.web.resources.UploadsResource;
import io.comfygate.web.live.LiveHub;
import io.comfygate.web.logging.LoggingSetup;
import io.comfygate.web.errors.ContentTypeFilter;
import io.comfygate.web.health.HealthzServlet;
import io.comfygate.web.metrics.ComfyMetrics;
import io.comfygate.web.metrics.MetricsEndpoint;
import io.comfygate.web.security.AuthFilter;
import io.comfygate.web.security.SecurityHeaders;
import io.comfygate.web.security.ServletAccess;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import java.util.EnumSet;
import java.util.Set;
import org.glassfish.jersey.servlet.ServletContainer;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.nio.file.Path;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds ComfyGate when the web application is deployed and closes it, in reverse order, when it
 * is undeployed. Settings come from the {@code .env} file named by the context parameter
 * {@code COMFYGATE_ENV_FILE} if there is one, else as {@link Settings#fromEnv()} finds them
 * (system property or environment variable {@code COMFYGATE_ENV_FILE}, else {@code ./.env}). A bad
 * setting fails the deployment with one clear message in the log.
 */
public final class AppLifecycle implements ServletContextListener {
  public static final String ENV_FILE_PARAM = "COMFYGATE_ENV_FILE";

  private Stores database;
  private JobEngine engine;
  private Webhooks webhooks;
  private LiveHub live;
  private ComfyMetrics metrics;
  private LoggingSetup logging;

  @Override
  public void contextInitialized(ServletContextEvent event) {
    ServletContext context = event.getServletContext();
    Settings settings;
    try {
      String envFile = context.getInitParameter(ENV_FILE_PARAM);
      settings = envFile == null || envFile.isBlank() ? Settings.fromEnv() : Settings.fromEnv(Path.of(envFile));
    } catch (RuntimeException e) {
      context.log("ComfyGate cannot start: " + e.getMessage());
      throw e;
    }
    logging = LoggingSetup.apply(settings);
    Logger log = LoggerFactory.getLogger(AppLifecycle.class);
    settings.warnings().forEach(w -> log.warn("setting: {}", w));
    log.atInfo().setMessage("settings").addKeyValue("event", "settings").addKeyValue("values", settings.toString()).log();
    try {
      database = DatabaseSource.open(settings);
      webhooks = Webhooks.builder(database).settings(settings).imageUrlBase(context.getContextPath() + "/api/").build();
      engine = JobEngine.builder().settings(settings).database(database).webhooks(webhooks).build();
      ApiKeys apiKeys = new ApiKeys(database.apiKeys(), Clock.systemUTC());
      AppServices services = new AppServices(settings, engine, apiKeys, webhooks);
      context.setAttribute(AppServices.ATTRIBUTE, services);
      metrics = ComfyMetrics.start(engine, MetricsEndpoint.version(context));
      webhooks.addAttemptListener(metrics.webhookDeliveries()::record);
      mount(context, services, metrics);
      live = LiveHub.start(engine, context.getContextPath() + "/api/");
      mountLive(context, live, apiKeys);
      log.atInfo().setMessage("app_start").addKeyValue("event", "app_start")
          .addKeyValue("context", context.getContextPath()).log();
    } catch (RuntimeException e) {
      log.error("ComfyGate cannot start: {}", e.getMessage(), e);
      closeAll();
      throw e;
    }
  }

  /**
   * Mounts the REST API at /api, its authentication filter, /healthz, /metrics and /openapi.json, each built with the
   * services it needs (registered here rather than found by scanning: explicit, and no statics).
   */
  private static void mount(ServletContext context, AppServices services, ComfyMetrics metrics) {
    // First of all filters, on every path: pages, static files, the API and its errors.
    context.addFilter("comfygate-security-headers", new SecurityHeaders())
        .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST, DispatcherType.ERROR), false, "/*");
    // Then, first on /api: a Content-Type Jersey cannot parse is our JSON 400, not its empty one.
    context.addFilter("comfygate-content-type", new ContentTypeFilter())
        .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/api/*");
    AuthFilter authFilter = new AuthFilter(services.apiKeys(), services.settings().bootstrapAdminKey());
    FilterRegistration.Dynamic auth = context.addFilter("comfygate-auth", authFilter);
    auth.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/api/*");
    ComfyApplication application = new ComfyApplication(services);
    // Public like /healthz (see OpenApiServlet); the resources are read before Jersey takes them over.
    Set<Class<?>> resources = ApiDocument.resourceClasses(application);
    String contextPath = context.getContextPath();
    ServletRegistration.Dynamic api = context.addServlet("comfygate-api", new ServletContainer(application));
    api.addMapping("/api/*");
    api.setLoadOnStartup(1);
    // Multipart bodies (POST /api/v1/uploads) are read by the container, which refuses one over
    // these limits while it streams; parts above 256 KiB go to its temporary folder, not memory.
    long maxFile = services.settings().uploadMaxBytes();
    api.setMultipartConfig(new MultipartConfigElement("", maxFile, maxFile + UploadsResource.MULTIPART_OVERHEAD, 256 * 1024));
    context.addServlet("comfygate-healthz", new HealthzServlet(services.engine(), authFilter)).addMapping(ServletAccess.HEALTHZ.path());
    MetricsEndpoint.mount(context, metrics, services.settings(), authFilter);
    context.addServlet("comfygate-openapi", new OpenApiServlet(() -> ApiDocument.json(resources, contextPath)))
        .addMapping(ServletAccess.OPENAPI.path());
  }

  /**
   * Registers the live updates WebSocket endpoint with the container, its endpoints built by a
   * configurator that holds the hub. Its handshake passes {@link AuthFilter} first (on /api/*).
   */
  private static void mountLive(ServletContext context, LiveHub hub, ApiKeys apiKeys) {
    Object container = context.getAttribute(ServerContainer.class.getName());
    if (!(container instanceof ServerContainer ws)) {
      throw new IllegalStateException("the server offers no WebSocket container (" + ServerContainer.class.getName()
          + "); live updates need one");
    }
    try {
      ws.addEndpoint(new LiveConfigurator(hub, apiKeys).endpointConfig());
    } catch (DeploymentException e) {
      throw new IllegalStateException("cannot register the live updates endpoint: " + e.getMessage(), e);
    }
  }

  @Override
  public void contextDestroyed(ServletContextEvent event) {
    event.getServletContext().removeAttribute(AppServices.ATTRIBUTE);
    LoggerFactory.getLogger(AppLifecycle.class).atInfo().setMessage("app_stop").addKeyValue("event", "app_stop").log();
    closeAll();
  }

  /**
   * The SQLite driver in WEB-INF/lib registers itself with the JVM-wide DriverManager, which would
   * keep this application's class loader alive after undeploy; only drivers it loaded are removed.
   */
  private static void deregisterOwnJdbcDrivers() {
    ClassLoader own = AppLifecycle.class.getClassLoader();
    for (Driver driver : Collections.list(DriverManager.getDrivers())) {
      if (driver.getClass().getClassLoader() == own) {
        try {
          DriverManager.deregisterDriver(driver);
        } catch (SQLException e) {
          LoggerFactory.getLogger(AppLifecycle.class).warn("could not deregister JDBC driver {}", driver, e);
        }
      }
    }
  }

  /**
   * Waits, bounded, until no other thread runs with this application's class loader as its context
   * loader: the executors closed above report terminated while their last thread is still exiting
   * (HikariCP's, the WebSocket client's), and Tomcat, checking right after this listener,
   * would report such a thread as started but not stopped, and it pins this class loader until it
   * ends. Threads of the container's own classes are left alone (see {@link #ownThreads}).
   */
  private static void awaitOwnThreadsReleased(Duration timeout) {
    ClassLoader own = AppLifecycle.class.getClassLoader();
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Thread> pending = ownThreads(own);
    try {
      while (!pending.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(20);
        pending = ownThreads(own);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!pending.isEmpty()) {
      LoggerFactory.getLogger(AppLifecycle.class).warn("threads still running with this application's class loader after {}: {}",
          timeout, pending.stream().map(Thread::getName).toList());
    }
  }

  private static List<Thread> ownThreads(ClassLoader own) {
    List<Thread> threads = new ArrayList<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      // The container's own pool threads (their class is the container's) can run with our loader
      // while they do the container's work for this application; they are not ours to wait for.
      ClassLoader threadClassLoader = thread.getClass().getClassLoader();
      boolean jdkOrOurs = threadClassLoader == null || threadClassLoader == own;
      if (thread != Thread.currentThread() && jdkOrOurs && thread.isAlive() && thread.getContextClassLoader() == own) {
        threads.add(thread);
      }
    }
    return threads;
  }

  private void closeAll() {
    if (live != null) {
      live.close(); // first: no more events to fan out, browsers told to reconnect
      live = null;
    }
    if (metrics != null) {
      metrics.close(); // stops listening to the engine
      metrics = null;
    }
    if (engine != null) {
      engine.close();
      engine = null;
    }
    if (webhooks != null) {
      webhooks.close(); // after the engine (no new events), before the database (attempts record their outcome)
      webhooks = null;
    }
    if (database != null) {
      database.close();
      database = null;
    }
    deregisterOwnJdbcDrivers();
    awaitOwnThreadsReleased(Duration.ofSeconds(5));
    JdkRecordCaches.forgetApplicationTypes();
    if (logging != null) {
      logging.close(); // last: the lines above still get written
      logging = null;
    }
  }
}
