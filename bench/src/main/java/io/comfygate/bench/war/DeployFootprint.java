package io.comfygate.bench.war;

import io.comfygate.testkit.FakeComfyUi;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Deploy to ready, and the memory of an idle server, in a fresh JVM: from {@code Launcher.start}
 * (Tomcat starts, unpacks and deploys the WAR) until {@code GET /healthz} answers 200; then, after
 * {@code idleSeconds} idle, heap in use after GC minus the same before the launcher started (the
 * simulated ComfyUI already running in both), and the process's resident set.
 *
 * <p>Run: {@code java -cp "bench/target/classes:bench/target/lib/*" io.comfygate.bench.war.DeployFootprint [idleSeconds]}
 */
public final class DeployFootprint {
  private DeployFootprint() {}

  public static void main(String[] args) throws Exception {
    int idleSeconds = Rig.arg(args, 0, 10);
    System.out.println("load average at start: " + LiveDelay.loadAverage());
    try (FakeComfyUi fake = FakeComfyUi.builder().start()) {
      long heapBefore = Rig.heapAfterGc();
      long rssBefore = Rig.rss();
      long start = System.nanoTime();
      try (Rig rig = Rig.start(List.of(fake.baseUrl()), Map.of("HEALTH_CHECK_INTERVAL_SECONDS", "1"), System.out)) {
        long started = System.nanoTime();
        long deadline = started + Duration.ofSeconds(120).toNanos();
        int status = 0;
        while (status != 200 && System.nanoTime() < deadline) {
          HttpResponse<String> r = rig.send(rig.get("healthz", null));
          status = r.statusCode();
          if (status != 200) {
            Thread.sleep(10);
          }
        }
        long ready = System.nanoTime();
        if (status != 200) {
          throw new IllegalStateException("/healthz did not answer 200 within 120 s");
        }
        Thread.sleep(idleSeconds * 1000L);
        long heapIdle = Rig.heapAfterGc();
        long rssIdle = Rig.rss();
        System.out.printf(Locale.ROOT, "Launcher.start returned after %.0f ms; /healthz 200 after %.0f ms%n",
            (started - start) / 1e6, (ready - start) / 1e6);
        System.out.printf(Locale.ROOT, "heap after GC: %s before the launcher, %s idle after %d s: the server holds %s%n",
            Rig.mib(heapBefore), Rig.mib(heapIdle), idleSeconds, Rig.mib(heapIdle - heapBefore));
        System.out.printf(Locale.ROOT, "process RSS: %s before the launcher, %s idle (whole JVM: fake, Tomcat, WAR)%n",
            Rig.mib(rssBefore), Rig.mib(rssIdle));
      }
    }
    System.out.println("load average at end: " + LiveDelay.loadAverage());
    System.exit(0);
  }
}
