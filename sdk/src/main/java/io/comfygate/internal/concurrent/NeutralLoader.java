package io.comfygate.internal.concurrent;

import java.util.function.Supplier;

/**
 * Internal, not API. Runs code that starts long-lived JDK threads (the JDK's process reaper, the
 * JDK HttpClient's selector thread: see also {@code HttpClients}) with the platform class loader
 * as context class loader, so those threads do not carry this application's class loader: in a
 * WAR, Tomcat would report them at undeploy and they would pin the undeployed application until
 * they end.
 */
public final class NeutralLoader {
  private NeutralLoader() {}

  /** Calls {@code action} with the platform class loader as context class loader, then restores it. */
  public static <T> T call(Supplier<T> action) {
    Thread current = Thread.currentThread();
    ClassLoader saved = current.getContextClassLoader();
    current.setContextClassLoader(ClassLoader.getPlatformClassLoader());
    try {
      return action.get();
    } finally {
      current.setContextClassLoader(saved);
    }
  }
}
