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
 * nothing of the application that asked for them.
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
  private static final Duration BUILD_WAIT = Duration.ofSeconds(10);
  private static final MethodHandle BUILD = findBuild();

  private HttpClients() {}

  /** Builds {@code builder}'s client detached from the caller, as the class comment says. */
  static HttpClient build(HttpClient.Builder builder) {
    return NeutralLoader.call(() -> {
      @SuppressWarnings("unchecked")
      Callable<HttpClient> build = MethodHandleProxies.asInterfaceInstance(Callable.class, BUILD.bindTo(builder));
      try {
        return ForkJoinPool.commonPool().submit(build).get(BUILD_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        // The common pool is busy with someone else's work: build here; only an undeploy's
        // cleanup can be later for it.
        return builder.build();
      } catch (ExecutionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while building an HTTP client", e);
      }
    });
  }

  private static MethodHandle findBuild() {
    try {
      return MethodHandles.publicLookup()
          .findVirtual(HttpClient.Builder.class, "build", MethodType.methodType(HttpClient.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
