package io.comfygate.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SPEC §6, "a WAR redeployed ten times leaks no thread or connection": ten times in the real
 * Tomcat that all IT classes share, the WAR is deployed, a live socket is opened, one job
 * runs to the end and a second one is left running, and the WAR is undeployed under them. Then no
 * {@code comfygate-} thread lives on, Tomcat logged no thread, ThreadLocal or driver left behind,
 * Tomcat's findleaks names no application, and after a full GC no copy of the application's
 * classes is loaded any more. The test Tomcat clears soft references only when memory runs out
 * (arquillian.xml), so a loader held softly is still held when findleaks asks, whatever the GC's
 * timing.
 */
class RedeployLeakIT extends RedeployableWar {
  private static final int ROUNDS = 10;
  private static final Duration WAIT = Duration.ofSeconds(30);
  /**
   * Findleaks names a stopped application whose class loader survives its GC. It answers clean at
   * once when nothing holds one; it is asked again for a while only so that an exchange still in
   * flight at the undeploy (it ends within its own timeout) is not taken for a leak.
   */
  private static final Duration FINDLEAKS_WAIT = Duration.ofSeconds(30);
  /** An enum of the SDK: loaded and initialized by every deployment that ran a job, one copy each. */
  private static final String MARKER_CLASS = "io.comfygate.jobs.JobState";
  /** What findleaks answers (Tomcat 11) when it names applications. */
  private static final String LEAKS_FOUND = "Found potential memory leaks";

  @RegisterExtension static final ItComfy comfy = ItComfy.withSteps(3);

  @Test
  void tenRedeploysUnderLoadLeaveNoThreadLoaderOrWarningBehind() throws Exception {
    CatalinaLog mark = CatalinaLog.mark();
    for (int round = 1; round <= ROUNDS; round++) {
      deployWar();
      LiveSocket live = null;
      try {
        live = runJobsWithLiveSocketOpen(round);
      } finally {
        undeployWar();
        if (live != null) {
          live.socket.abort();
        }
      }
    }

    try (JMXConnector jmx = JMXConnectorFactory.connect(new JMXServiceURL(
        "service:jmx:rmi:///jndi/rmi://127.0.0.1:" + Integer.getInteger("it.jmx.port") + "/jmxrmi"))) {
      MBeanServerConnection tomcat = jmx.getMBeanServerConnection();
      ThreadMXBean threads = ManagementFactory.newPlatformMXBeanProxy(tomcat, ManagementFactory.THREAD_MXBEAN_NAME, ThreadMXBean.class);

      List<String> ours = awaitEmpty(() -> threadNames(threads).stream().filter(n -> n.startsWith("comfygate-")).toList());
      // Not counted: Tomcat's own utility thread, caught entering this context's background
      // processing (StandardContext.backgroundProcess, which it runs with the context's loader
      // bound) while the context stops; it unbinds the loader on return.
      List<String> warnings = mark.linesSince().stream()
          .filter(l -> (l.contains("failed to stop it") && !l.contains("named [Catalina-utility-"))
              || l.contains("failed to remove it") || l.contains("failed to unregister it")).toList();
      // Findleaks forces a GC and names every stopped application whose class loader survived it:
      // in the full build, those of the IT classes before this one too (one Tomcat serves them all).
      long asked = System.nanoTime();
      String findleaks = awaitTrue(() -> isClean(findleaks()), this::findleaks);
      System.out.printf("findleaks after %d undeploys (asked for %d s): %s%n", ROUNDS,
          Duration.ofNanos(System.nanoTime() - asked).toSeconds(), findleaks.replace('\n', ' '));
      long copies = awaitZero(() -> loadedCopies(tomcat, MARKER_CLASS));
      if (!isClean(findleaks) || copies > 0) {
        dumpHeap(tomcat); // to find what holds the loader: paths from GC roots to it
      }

      SoftAssertions.assertSoftly(soft -> {
        soft.assertThat(ours).as("comfygate- threads in Tomcat's JVM after the last undeploy").isEmpty();
        soft.assertThat(warnings).as("Tomcat's leak warnings in the catalina log during this test").isEmpty();
        soft.assertThat(findleaks).as("Tomcat's findleaks after %d undeploys", ROUNDS).startsWith("OK")
            .doesNotContain(LEAKS_FOUND);
        soft.assertThat(copies).as("copies of %s still loaded after a full GC (one per surviving deployment)", MARKER_CLASS)
            .isZero();
      });
    }
  }

  /** Opens a live socket, runs one job to its end and leaves a second one running. */
  private LiveSocket runJobsWithLiveSocketOpen(int round) throws Exception {
    http.awaitHealthy();
    LiveSocket live = new LiveSocket();
    live.socket = http.client().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
        .header("Authorization", ItHttp.basic("alice"))
        .buildAsync(http.uri("ws", "api/v1/live"), live).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    String first = submit(round, "first");
    String state = awaitTrue(() -> state(first).contains("\"state\":\"succeeded\""), () -> state(first));
    assertThat(state).as("round %d: the first job", round).contains("\"state\":\"succeeded\"");
    assertThat(awaitTrue(() -> live.text().contains(first), live::text)).as("round %d: the live socket saw the job", round)
        .contains(first);
    submit(round, "second"); // undeployed while it is queued or running
    return live;
  }

  private String submit(int round, String which) throws Exception {
    HttpResponse<String> submitted = http.send("POST", "api/v1/jobs", "alice",
        "{\"params\": {\"prompt\": \"round " + round + " " + which + "\", \"width\": 64, \"height\": 64, \"steps\": 3}}");
    assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
    String location = submitted.headers().firstValue("Location").orElseThrow();
    return location.substring(location.lastIndexOf('/') + 1);
  }

  private String state(String id) {
    try {
      return http.send("GET", "api/v1/jobs/" + id, "alice", null).body();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The live socket of one round: what it received, as text. */
  private static final class LiveSocket implements WebSocket.Listener {
    private final StringBuffer received = new StringBuffer();
    WebSocket socket;

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      received.append(data);
      webSocket.request(1);
      return null;
    }

    String text() {
      return received.toString();
    }
  }

  private static boolean isClean(String findleaks) {
    return findleaks.startsWith("OK") && !findleaks.contains(LEAKS_FOUND);
  }

  private String findleaks() {
    try {
      HttpResponse<String> answer = http.client().send(java.net.http.HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + Integer.getInteger("it.http.port") + "/manager/text/findleaks?statusLine=true"))
          .timeout(WAIT).header("Authorization", ItHttp.basicOf("arquillian:arquillian")).build(),
          HttpResponse.BodyHandlers.ofString());
      return answer.body().strip();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * How many copies of {@code className} are loaded with at least one instance, after the full GC
   * that the JVM's class histogram runs first: a class loaded by several loaders has one line each.
   */
  private static long loadedCopies(MBeanServerConnection jvm, String className) {
    try {
      String histogram = (String) jvm.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
          "gcClassHistogram", new Object[] {new String[0]}, new String[] {String[].class.getName()});
      return histogram.lines().map(String::strip).filter(l -> l.endsWith(" " + className)).count();
    } catch (Exception e) {
      throw new IllegalStateException("class histogram over JMX", e);
    }
  }

  /** Writes Tomcat's heap (live objects) into the webapp's target folder, for a failed run. */
  private static void dumpHeap(MBeanServerConnection jvm) throws Exception {
    Path dump = Path.of(System.getProperty("tomcat.base")).resolveSibling("redeploy-leak.hprof").toAbsolutePath();
    Files.deleteIfExists(dump);
    jvm.invoke(new ObjectName("com.sun.management:type=HotSpotDiagnostic"), "dumpHeap",
        new Object[] {dump.toString(), true}, new String[] {String.class.getName(), boolean.class.getName()});
    System.out.println("RedeployLeakIT: heap dump of Tomcat written to " + dump);
  }

  private static List<String> threadNames(ThreadMXBean threads) {
    return Arrays.stream(threads.dumpAllThreads(false, false)).map(ThreadInfo::getThreadName).toList();
  }

  /** The last value of {@code probe}, polled until {@code done} holds or {@link #WAIT} passed. */
  private static <T> T await(Supplier<T> probe, java.util.function.Predicate<T> done) throws InterruptedException {
    return await(probe, done, WAIT);
  }

  private static <T> T await(Supplier<T> probe, java.util.function.Predicate<T> done, Duration limit)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    T value = probe.get();
    while (!done.test(value) && System.nanoTime() < deadline) {
      Thread.sleep(250);
      value = probe.get();
    }
    return value;
  }

  private static <T> List<T> awaitEmpty(Supplier<List<T>> probe) throws InterruptedException {
    return await(probe, List::isEmpty);
  }

  private static long awaitZero(Supplier<Long> probe) throws InterruptedException {
    return await(probe, n -> n == 0);
  }

  private static String awaitTrue(BooleanSupplier condition, Supplier<String> show) throws InterruptedException {
    await(condition::getAsBoolean, ok -> ok, FINDLEAKS_WAIT);
    return show.get();
  }
}
