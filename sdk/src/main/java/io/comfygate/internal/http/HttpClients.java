package io.comfygate.internal.http;

import io.comfygate.internal.concurrent.NeutralLoader;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandleProxies;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Internal, not API. Builds the SDK's JDK {@link HttpClient}s so that their selector thread holds
 * nothing of the application that asked for them, and shuts them down (Java 21 and later) alike.
 *
 * <p>That thread lives until its client is garbage-collected and its last exchange has ended
 * (Java 17 has no {@code close}). A new thread records the context class loader of its creator
 * and, up to Java 23, the protection domains of every class on the creator's stack (its inherited
 * access control context); in a WAR both lead to the application's class loader, which then
 * outlives an undeploy for as long as the thread runs. So the client is built with the platform
 * class loader as context loader, on a common-pool thread, through a JDK-made proxy: no class of
 * the application is on the stack that starts the selector. What the client holds of the application
 * afterwards (its executor) is the business of {@link OwnedHttpClient}.
 */
final class HttpClients {
  private static final Duration DETACHED_WAIT = Duration.ofSeconds(10);
  private static final MethodHandle BUILD = find(HttpClient.Builder.class, "build", MethodType.methodType(HttpClient.class));
  /** {@code HttpClient.shutdownNow()} on Java 21 and later; null before. */
  private static final MethodHandle SHUTDOWN_NOW = find(HttpClient.class, "shutdownNow", MethodType.methodType(void.class));

  private HttpClients() {}

  /** Builds {@code builder}'s client detached from the caller, as the class comment says. */
  static HttpClient build(HttpClient.Builder builder) {
    return detached(BUILD.bindTo(builder), builder::build);
  }

  /**
   * On Java 21 and later, shuts {@code client} down: its calls end, its connections close and its
   * selector thread stops. Also detached: the error it leaves in the client records the stack that
   * called, and a class of the application on it would be kept for as long as the client object
   * is. Before Java 21, does nothing (the thread stops once the client has been collected).
   */
  static void shutdownNow(HttpClient client) {
    if (SHUTDOWN_NOW != null) {
      MethodHandle shutdown = SHUTDOWN_NOW.bindTo(client).asType(MethodType.methodType(Object.class));
      detached(shutdown, () -> {
        try {
          return shutdown.invoke();
        } catch (Throwable e) {
          throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
      });
    }
  }

  /**
   * Calls {@code action} (a JDK method handle) on a common-pool thread through a JDK-made proxy,
   * with the platform class loader as context loader; if the pool does not take it in time, calls
   * {@code here} on this thread instead.
   */
  @SuppressWarnings("unchecked")
  private static <T> T detached(MethodHandle action, Callable<T> here) {
    return NeutralLoader.call(() -> {
      Callable<T> call = MethodHandleProxies.asInterfaceInstance(Callable.class, action);
      try {
        return ForkJoinPool.commonPool().submit(call).get(DETACHED_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        // The common pool is busy with someone else's work: do it here; only an undeploy's
        // cleanup can be later for it.
        try {
          return here.call();
        } catch (Exception again) {
          throw again instanceof RuntimeException r ? r : new IllegalStateException(again);
        }
      } catch (ExecutionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting or stopping an HTTP client", e);
      }
    });
  }

  private static MethodHandle find(Class<?> owner, String name, MethodType type) {
    try {
      return MethodHandles.publicLookup().findVirtual(owner, name, type);
    } catch (NoSuchMethodException e) {
      return null; // a method of a later Java
    } catch (IllegalAccessException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
