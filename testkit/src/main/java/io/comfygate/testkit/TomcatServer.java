package io.comfygate.testkit;

import jakarta.servlet.ServletContext;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.nio.file.Path;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.apache.tomcat.websocket.server.WsSci;

/**
 * One embedded Tomcat bound to 127.0.0.1 serving the fake's servlet and WebSocket endpoints. A new
 * instance is made for every start, so that {@code restart()} can bind the same port again.
 */
final class TomcatServer {
  // Tomcat logs every start and stop at INFO; tests want quiet. Held so the setting is not collected.
  private static final Logger TOMCAT_LOG = Logger.getLogger("org.apache");

  static {
    TOMCAT_LOG.setLevel(Level.WARNING);
  }

  private final Tomcat tomcat;
  private final Path baseDir;

  private TomcatServer(Tomcat tomcat, Path baseDir) {
    this.tomcat = tomcat;
    this.baseDir = baseDir;
  }

  /** Starts on {@code port} (0 = a free port). */
  static TomcatServer start(FakeServerState st, int port) {
    Path base = st.files().newServerDir();
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    Connector connector = new Connector("HTTP/1.1");
    connector.setPort(port);
    connector.setProperty("address", "127.0.0.1");
    connector.setMaxPostSize(-1); // the fake applies ComfyUI's own limit and its 413 text
    connector.setProperty("maxSwallowSize", "-1");
    tomcat.getService().addConnector(connector);
    tomcat.setConnector(connector);

    StandardContext ctx = (StandardContext) tomcat.addContext("", base.toString());
    // The fake's classes are not a web app: Tomcat's leak detectors only print warnings here.
    ctx.setClearReferencesRmiTargets(false);
    ctx.setClearReferencesThreadLocals(false);
    Tomcat.addServlet(ctx, "api", new ApiServlet(st));
    ctx.addServletMappingDecoded("/", "api");
    FilterDef origin = new FilterDef();
    origin.setFilterName("origin");
    origin.setFilter(new OriginFilter());
    ctx.addFilterDef(origin);
    FilterMap map = new FilterMap();
    map.setFilterName("origin");
    map.addURLPattern("/*");
    ctx.addFilterMap(map);
    ctx.addServletContainerInitializer(new WsSci(), null);
    ctx.addServletContainerInitializer((classes, sc) -> addEndpoints(sc, st), null);
    try {
      tomcat.start();
    } catch (LifecycleException e) {
      stopQuietly(tomcat);
      TempDirs.delete(base);
      throw new IllegalStateException("cannot start FakeComfyUi on 127.0.0.1:" + port, e);
    }
    if (connector.getLocalPort() <= 0) {
      stopQuietly(tomcat);
      TempDirs.delete(base);
      throw new IllegalStateException("cannot bind FakeComfyUi to 127.0.0.1:" + port);
    }
    return new TomcatServer(tomcat, base);
  }

  private static void addEndpoints(ServletContext sc, FakeServerState st) {
    ServerContainer container = (ServerContainer) sc.getAttribute(ServerContainer.class.getName());
    ServerEndpointConfig.Configurator configurator = new ServerEndpointConfig.Configurator() {
      @Override
      public <T> T getEndpointInstance(Class<T> endpointClass) {
        return endpointClass.cast(new WsEndpoint(st));
      }
    };
    try {
      for (String path : Set.of("/ws", "/api/ws")) {
        container.addEndpoint(ServerEndpointConfig.Builder.create(WsEndpoint.class, path)
            .configurator(configurator).build());
      }
    } catch (DeploymentException e) {
      throw new IllegalStateException("cannot register the /ws endpoint", e);
    }
  }

  int port() {
    return tomcat.getConnector().getLocalPort();
  }

  /** Stops accepting and closes every connection; bounded by Tomcat's own shutdown. */
  void stop() {
    stopQuietly(tomcat);
    TempDirs.delete(baseDir);
  }

  private static void stopQuietly(Tomcat tomcat) {
    try {
      tomcat.stop();
      tomcat.destroy();
    } catch (LifecycleException e) {
      // Stopping is best effort: a half-stopped Tomcat still releases its port on destroy.
    }
  }
}
