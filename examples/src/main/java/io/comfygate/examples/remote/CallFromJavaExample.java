package io.comfygate.examples.remote;

import io.comfygate.remote.ComfyGateClient;
import io.comfygate.remote.JobRequest;
import io.comfygate.remote.model.Job;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The smallest use of the Java client, shown in README ("Call it from Java"):
 * {@code CallFromJavaExample URL API_KEY}.
 */
public final class CallFromJavaExample {
  private CallFromJavaExample() {}

  public static void main(String[] args) {
    String url = args[0];
    String apiKey = args[1];
    // tag::client[]
    try (ComfyGateClient gate = ComfyGateClient.builder().baseUrl(url).apiKey(apiKey).build()) {
      Job job = gate.submit(JobRequest.prompt("a lighthouse at dawn")).job(); // retried safely (Idempotency-Key)
      Job done = gate.await(job.id(), Duration.ofMinutes(3));                 // live socket, polling as fallback
      System.out.println(done.state().wireName());
      if (!done.images().isEmpty()) {
        System.out.println(gate.downloadImage(done.images().get(0).id(), Path.of("lighthouse.png")));
      }
    }
    // end::client[]
  }
}
