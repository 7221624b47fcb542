package io.comfygate.examples.launcher;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;

/**
 * The parent class loader of the deployed WAR: the launcher's own, except that it hides the
 * launcher's SLF4J binding. The WAR brings its own SLF4J and binding (logback) and looks bindings
 * up with ServiceLoader, which also sees the parent's; the launcher's (slf4j-simple) implements the
 * launcher's copy of SLF4J's interface, not the WAR's, and SLF4J reports it at every start as
 * "SimpleServiceProvider not a subtype". Classes load as before.
 */
final class WebappParentLoader extends ClassLoader {
  /** Where SLF4J 2 finds bindings. */
  static final String SLF4J_PROVIDERS = "META-INF/services/org.slf4j.spi.SLF4JServiceProvider";

  static {
    registerAsParallelCapable();
  }

  WebappParentLoader(ClassLoader launcher) {
    super("comfygate-webapp-parent", launcher);
  }

  @Override
  public URL getResource(String name) {
    return SLF4J_PROVIDERS.equals(name) ? null : super.getResource(name);
  }

  @Override
  public Enumeration<URL> getResources(String name) throws IOException {
    return SLF4J_PROVIDERS.equals(name) ? Collections.emptyEnumeration() : super.getResources(name);
  }
}
