package io.comfygate.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.comfygate.engine.Job;
import io.comfygate.engine.JobEngine;
import io.comfygate.engine.JobEvent;
import io.comfygate.store.StoredImage;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The smallest useful embedding of the SDK: one engine in front of one ComfyUI, one job, its
 * progress, its image. README's "Use the SDK" section is cut from this file.
 *
 * <p>Run: {@code QuickstartExample [comfyui-url] [work-dir]} (defaults: http://127.0.0.1:8188 and .).
 */
public final class QuickstartExample {
  private QuickstartExample() {}

  public static void main(String[] args) throws Exception {
    URI comfyUi = URI.create(args.length > 0 ? args[0] : "http://127.0.0.1:8188");
    Path work = Path.of(args.length > 1 ? args[1] : ".");
    // tag::quickstart[]
    try (JobEngine engine = JobEngine.builder()          // or JobEngine.fromEnv(): .env and environment
        .servers(List.of(comfyUi))
        .database(work.resolve("db/app_data.db").toString())
        .outputDir(work.resolve("outputs"))
        .build()) {
      System.out.println("health: " + engine.health().summary());
      engine.addListener(event -> {
        if (event instanceof JobEvent.Progress) {
          System.out.println("  " + event.job().progress().percent() + "% " + event.job().progress().node());
        }
      });
      Job job = engine.submit("alice", "txt2img",
          new ObjectMapper().readTree("{\"prompt\": \"a lighthouse at dawn\", \"steps\": 8}"));
      System.out.println("queued " + job.id() + " at position " + job.position());

      Job done = engine.await(job.id(), Duration.ofMinutes(3));
      System.out.println(done.state().wireName() + (done.error() == null ? "" : ": " + done.error()));
      for (StoredImage image : done.images()) {
        System.out.println("image " + engine.outputDir().resolve(image.file()) + " " + image.width() + "x" + image.height());
      }
    }
    // end::quickstart[]
  }
}
