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
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SDK's HTTP clients in a container. A WAR's loader defines the SDK's classes; the JDK client's
 * selector thread lives on after the application let go of the client (Java 17 cannot close it),
 * and must not keep that loader: neither through the thread itself nor through what the client
 * holds (its executor).
 */
class OwnedHttpClientTest {
  private HttpServer server;
  private URI ping;

  /**
   * What an application does, loaded with the SDK by {@link AppLoader}: opens a client, sends one
   * request, and hands back the JDK client together with the means to close its owner.
   */
  public static final class App implements Function<URI, Map.Entry<HttpClient, AutoCloseable>> {
    @Override
    public Map.Entry<HttpClient, AutoCloseable> apply(URI uri) {
      OwnedHttpClient owned = OwnedHttpClient.http11("test-http", Duration.ofSeconds(2));
      HttpClient client = owned.client().orElseThrow();
      try {
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (!answer.body().equals("pong")) {
          throw new IllegalStateException(answer.body());
        }
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException(e);
      }
      return Map.entry(client, owned);
    }
  }

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      byte[] body = "pong".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    ping = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/ping");
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  @Test
  void aClosedClientKeepsNothingOfTheApplicationWhileTheJdkClientLivesOn() throws Exception {
    WeakReference<ClassLoader> app = new WeakReference<>(new AppLoader());
    Map.Entry<HttpClient, AutoCloseable> made = clientMadeBy(app.get());
    HttpClient client = made.getKey(); // held here: its selector thread and pooled connection live on
    made.getValue().close();
    made = null;

    assertThat(awaitCollected(app)).as("the application's loader, after its client was closed, while the JDK client lives")
        .isNull();
    Reference.reachabilityFence(client);
  }

  @Test
  void aClosedClientIsEmptyAndItsThreadsHaveEnded() throws Exception {
    OwnedHttpClient owned = OwnedHttpClient.http11("closing-http", Duration.ofSeconds(2));
    HttpClient client = owned.client().orElseThrow();
    HttpResponse<String> answer = client.send(HttpRequest.newBuilder(ping).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(answer.body()).isEqualTo("pong");
    assertThat(client.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(threadsNamed("comfygate-closing-http-")).isPositive();

    owned.close(Duration.ofSeconds(2));
    owned.close(Duration.ofSeconds(2)); // idempotent

    assertThat(owned.client()).isEmpty();
    assertThat(threadsNamed("comfygate-closing-http-")).isZero();
  }

  private Map.Entry<HttpClient, AutoCloseable> clientMadeBy(ClassLoader loader) throws Exception {
    Class<?> app = loader.loadClass(App.class.getName());
    assertThat(app.getClassLoader()).isSameAs(loader);
    assertThat(loader.loadClass(OwnedHttpClient.class.getName()).getClassLoader()).isSameAs(loader);
    @SuppressWarnings("unchecked")
    Function<URI, Map.Entry<HttpClient, AutoCloseable>> application =
        (Function<URI, Map.Entry<HttpClient, AutoCloseable>>) app.getDeclaredConstructor().newInstance();
    return application.apply(ping);
  }

  private static ClassLoader awaitCollected(WeakReference<ClassLoader> loader) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (loader.get() != null && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(50);
    }
    return loader.get();
  }

  private static long threadsNamed(String prefix) {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).count();
  }

  /**
   * Like a WAR's loader: defines the SDK's classes itself (child first, each with its own protection
   * domain), the rest (JDK, logging) from the parent.
   */
  private static final class AppLoader extends ClassLoader {
    AppLoader() {
      super(OwnedHttpClientTest.class.getClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!name.startsWith("io.comfygate.")) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> c = findLoadedClass(name);
        if (c == null) {
          try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
            if (in == null) {
              throw new ClassNotFoundException(name);
            }
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
