package io.comfygate.internal.http;

import io.comfygate.internal.concurrent.NamedThreads;
import io.comfygate.internal.concurrent.NeutralLoader;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandleProxies;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Internal, not API. A JDK {@link HttpClient} on two threads of its own ({@code comfygate-<role>-N},
 * ended when idle) that lets go of the application when closed.
 *
 * <p>Java 17's HttpClient cannot be closed: its selector thread runs until the client has been
 * garbage-collected and the thread next looks (it wakes at least every 3 s), and until then it
 * holds the client's executor. Ours are made by the application (their
 * thread factory is one of its classes), so in a WAR they kept an undeployed application's class
 * loader alive for that long, and Tomcat's findleaks named it. Here the client gets an executor
 * made only of JDK parts, a proxy that runs each task on whatever a reference points at; {@link
 * #close} points it at the common pool, so from then on the client holds nothing of ours however
 * long its thread lives. On Java 21 and later, {@code close} also shuts the client down, which ends
 * that thread at once. {@link HttpClients} starts the selector thread detached from the caller.
 */
public final class OwnedHttpClient implements AutoCloseable {
  private static final int THREADS = 2;
  /** {@code (AtomicReference<Executor>, Runnable) -> ref.get().execute(task)}, JDK classes only. */
  private static final MethodHandle EXECUTE_ON_TARGET = executeOnTarget();

  private final String role;
  private final ThreadPoolExecutor threads;
  private final AtomicReference<Executor> target;
  /** Null once closed, so that the client can be collected and its selector thread end. */
  private volatile HttpClient client;

  private OwnedHttpClient(String role, HttpClient.Builder builder) {
    this.role = role;
    // The client's own tasks are short and non-blocking: two threads suffice.
    this.threads = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        NamedThreads.factory(role));
    threads.allowCoreThreadTimeOut(true);
    this.target = new AtomicReference<>(threads);
    this.client = HttpClients.build(builder.executor(lentExecutor(target)));
  }

  /** An HTTP/1.1 client that never redirects. */
  public static OwnedHttpClient http11(String role, Duration connectTimeout) {
    return new OwnedHttpClient(role, HttpClient.newBuilder()
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .version(HttpClient.Version.HTTP_1_1));
  }

  /** A client that never redirects and speaks HTTP/2 where the server offers it (the JDK's default). */
  public static OwnedHttpClient anyVersion(String role, Duration connectTimeout) {
    return new OwnedHttpClient(role, HttpClient.newBuilder()
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER));
  }

  /** The client; empty once closed. */
  public Optional<HttpClient> client() {
    return Optional.ofNullable(client);
  }

  /**
   * Stops the threads, waiting at most {@code timeout} for their tasks, and lets go of the client.
   * What the client still does afterwards (ending calls in flight) runs on the common pool.
   * Idempotent.
   */
  public void close(Duration timeout) {
    HttpClient closing = client;
    client = null;
    target.set(ForkJoinPool.commonPool());
    NamedThreads.shutdown(threads, timeout, "HTTP threads " + role);
    if (closing != null) {
      HttpClients.shutdownNow(closing);
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(2));
  }

  /** An executor of JDK classes (a proxy over a method handle) that runs each task on {@code target}'s executor. */
  private static Executor lentExecutor(AtomicReference<Executor> target) {
    // The proxy class is defined by the context class loader when the interface is the JDK's.
    return NeutralLoader.call(() -> MethodHandleProxies.asInterfaceInstance(Executor.class, EXECUTE_ON_TARGET.bindTo(target)));
  }

  private static MethodHandle executeOnTarget() {
    try {
      MethodHandles.Lookup lookup = MethodHandles.publicLookup();
      MethodHandle execute = lookup.findVirtual(Executor.class, "execute", MethodType.methodType(void.class, Runnable.class));
      MethodHandle get = lookup.findVirtual(AtomicReference.class, "get", MethodType.methodType(Object.class))
          .asType(MethodType.methodType(Executor.class, AtomicReference.class));
      return MethodHandles.filterArguments(execute, 0, get);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
