package io.comfygate.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The SDK's HTTP clients in a container: a client made by an application's class works, and its
 * selector thread (alive as long as the client) does not keep that application's class loader.
 */
class HttpClientsTest {
  /** What an application's class does: asks for a client. Loaded by {@link AppLoader} below. */
  public static final class App implements Supplier<HttpClient> {
    @Override
    public HttpClient get() {
      return HttpClients.http11(ForkJoinPool.commonPool(), Duration.ofSeconds(2));
    }
  }

  @Test
  void aClientBuiltForAnApplicationDoesNotKeepItsClassLoader() throws Exception {
    WeakReference<ClassLoader> app = new WeakReference<>(new AppLoader());
    HttpClient client = clientMadeBy(app.get());

    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (app.get() != null && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(50);
    }

    assertThat(app.get()).as("the application's loader, after a GC, while its client lives").isNull();
    Reference.reachabilityFence(client);
  }

  @Test
  void aDetachedClientSendsRequests() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      byte[] body = "pong".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    try {
      HttpClient client = HttpClients.http11(ForkJoinPool.commonPool(), Duration.ofSeconds(2));
      HttpResponse<String> answer = client.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/ping"))
              .timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(answer.body()).isEqualTo("pong");
      assertThat(client.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    } finally {
      server.stop(0);
    }
  }

  @SuppressWarnings("unchecked")
  private static HttpClient clientMadeBy(ClassLoader loader) throws Exception {
    Class<?> app = loader.loadClass(App.class.getName());
    assertThat(app.getClassLoader()).isSameAs(loader);
    return ((Supplier<HttpClient>) app.getDeclaredConstructor().newInstance()).get();
  }

  /** Like a WAR's loader: defines {@link App} itself (with its own protection domain), the rest from the parent. */
  private static final class AppLoader extends ClassLoader {
    AppLoader() {
      super(HttpClientsTest.class.getClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!name.equals(App.class.getName())) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> c = findLoadedClass(name);
        if (c == null) {
          try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
            byte[] bytes = in.readAllBytes();
            c = defineClass(name, bytes, 0, bytes.length);
          } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
          }
        }
        return c;
      }
    }
  }
}
