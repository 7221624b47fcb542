package io.comfygate.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.testkit.FakeComfyUi;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Deploy, run one job, undeploy, three times in one real Tomcat; then no {@code comfygate-} thread
 * lives on in its JVM, and the catalina log has no ThreadLocal or JDBC driver left behind by us.
 */
@ExtendWith(ArquillianExtension.class)
class RedeployLeakIT {
  private static final String WAR = "redeploy";
  private static FakeComfyUi comfy;

  @BeforeAll
  static void startComfy() {
    comfy = FakeComfyUi.builder().port(Integer.getInteger("it.comfy.port")).steps(3).start();
  }

  @AfterAll
  static void stopComfy() {
    comfy.close();
  }

  @Deployment(name = WAR, managed = false, testable = false)
  static WebArchive war() {
    return ShrinkWrap.createFromZipFile(WebArchive.class, new File(System.getProperty("war.file")));
  }

  @ArquillianResource Deployer deployer;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base = "http://127.0.0.1:" + Integer.getInteger("it.http.port");

  @Test
  void threeRedeploysLeaveNoOwnThreadThreadLocalOrDriverBehind() throws Exception {
    for (int round = 1; round <= 3; round++) {
      deployer.deploy(WAR);
      try {
        runOneJob(round);
      } finally {
        deployer.undeploy(WAR);
      }
    }

    List<String> threads = awaitNoComfyGateThreads();
    assertThat(threads).as("threads of the Tomcat JVM after the last undeploy").noneMatch(n -> n.startsWith("comfygate-"));
    List<String> log = catalinaLogLines();
    assertThat(log).as("a ThreadLocal of ours left in a request thread (the JSON encoder's cache)")
        .noneMatch(l -> l.contains("failed to remove it when the web application was stopped"));
    assertThat(log).as("the SQLite driver left registered").noneMatch(l -> l.contains("failed to unregister it"));
  }

  /**
   * What used to pin each undeployed class loader: the JDK 17 HttpClient's SelectorManager thread
   * (it ends only once the client is collected; the SDK now drops its clients on close and starts
   * them without our context class loader) and Tyrus's JDK transport (its channel group and the
   * static tyrus-jdk-container-idle-timeout scheduler, released by ComfyClient.releaseSharedThreads).
   * Tomcat no longer names those threads. Its findleaks still names some undeployed /comfygate
   * (two of six in the last run) for a reason not yet found, so that is not asserted here yet.
   */
  @Test
  void tomcatNamesNoHttpClientOrWebSocketThreadAfterRedeploys() throws Exception {
    threeRedeploysLeaveNoOwnThreadThreadLocalOrDriverBehind();
    assertThat(catalinaLogLines()).as("Tomcat's thread leak warnings for HTTP and WebSocket client threads")
        .noneMatch(l -> l.contains("failed to stop it") && (l.contains("[HttpClient-") || l.contains("[tyrus-")
            || l.contains("[comfygate-ws-io-") || l.contains("named [Thread-")));
  }

  private void runOneJob(int round) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    HttpResponse<String> health = send("GET", "/comfygate/healthz", null, null);
    while (health.statusCode() != 200 && System.nanoTime() < deadline) {
      Thread.sleep(200);
      health = send("GET", "/comfygate/healthz", null, null);
    }
    assertThat(health.statusCode()).as("round %d: %s", round, health.body()).isEqualTo(200);
    HttpResponse<String> submitted = send("POST", "/comfygate/api/v1/jobs", "alice:alice-pw",
        "{\"params\": {\"prompt\": \"round " + round + "\", \"width\": 64, \"height\": 64, \"steps\": 3}}");
    assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
    String job = URI.create(submitted.headers().firstValue("Location").orElseThrow()).getPath();
    HttpResponse<String> state = send("GET", job, "alice:alice-pw", null);
    while (!state.body().contains("\"state\":\"succeeded\"")) {
      assertThat(System.nanoTime()).as("round %d: job never succeeded: %s", round, state.body()).isLessThan(deadline);
      Thread.sleep(100);
      state = send("GET", job, "alice:alice-pw", null);
    }
  }

  /** Threads end within the close deadlines; wait for that, bounded, then report what is left. */
  private List<String> awaitNoComfyGateThreads() throws Exception {
    JMXServiceURL url = new JMXServiceURL(
        "service:jmx:rmi:///jndi/rmi://127.0.0.1:" + Integer.getInteger("it.jmx.port") + "/jmxrmi");
    try (JMXConnector jmx = JMXConnectorFactory.connect(url)) {
      ThreadMXBean threads = ManagementFactory.newPlatformMXBeanProxy(
          jmx.getMBeanServerConnection(), ManagementFactory.THREAD_MXBEAN_NAME, ThreadMXBean.class);
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      List<String> names = names(threads);
      while (names.stream().anyMatch(n -> n.startsWith("comfygate-")) && System.nanoTime() < deadline) {
        Thread.sleep(200);
        names = names(threads);
      }
      return names;
    }
  }

  private static List<String> names(ThreadMXBean threads) {
    return Arrays.stream(threads.dumpAllThreads(false, false)).map(ThreadInfo::getThreadName).toList();
  }

  private static List<String> catalinaLogLines() throws IOException {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> logs = Files.list(Path.of(System.getProperty("tomcat.base"), "logs"))) {
      for (Path log : logs.filter(p -> p.getFileName().toString().startsWith("catalina")).toList()) {
        lines.addAll(Files.readAllLines(log, StandardCharsets.UTF_8));
      }
    }
    return lines;
  }

  private HttpResponse<String> send(String method, String path, String credentials, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (credentials != null) {
      request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
