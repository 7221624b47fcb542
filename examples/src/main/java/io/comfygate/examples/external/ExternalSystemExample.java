package io.comfygate.examples.external;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.comfygate.remote.ComfyGateClient;
import io.comfygate.remote.JobRequest;
import io.comfygate.remote.webhooks.WebhookVerifier;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An external system talking to ComfyGate through the Java client ({@code comfygate-client}): it
 * submits a job with its API key and an {@code Idempotency-Key} (the client retries a submit whose
 * answer is lost, and the key makes the retry return the same job), receives the job's webhooks on
 * its own HTTP server on 127.0.0.1, refuses any delivery whose signature does not verify (tampered
 * body or signature, stale timestamp), ignores repeats of an event it has seen (delivery is
 * at-least-once), and downloads the images when the job succeeds.
 *
 * <pre>
 * COMFYGATE_URL=http://127.0.0.1:8000/ COMFYGATE_API_KEY=cgk_… COMFYGATE_WEBHOOK_SECRET=whsec_… \
 *   java … io.comfygate.examples.external.ExternalSystemExample "a lighthouse at dusk"
 * </pre>
 *
 * <p>ComfyGate calls only public receivers unless told otherwise, so the ComfyGate this runs against
 * needs {@code WEBHOOK_ALLOWED_HOSTS=127.0.0.1} in its {@code .env} (for the launcher: the working
 * folder's); without it the submit is refused with 400 saying so.
 */
public final class ExternalSystemExample implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ComfyGateClient gate;
  private final WebhookVerifier verifier;
  private final Path downloads;
  private final ExecutorService executor = Executors.newFixedThreadPool(2);
  private final HttpServer server;
  private final Set<String> seen = ConcurrentHashMap.newKeySet();
  private final List<String> received = new CopyOnWriteArrayList<>();
  private final Map<String, CompletableFuture<List<Path>>> images = new ConcurrentHashMap<>();

  private ExternalSystemExample(URI gate, String apiKey, String webhookSecret, Path downloads) throws IOException {
    this.gate = ComfyGateClient.builder().baseUrl(gate).apiKey(apiKey).build();
    this.verifier = new WebhookVerifier(webhookSecret, Duration.ofMinutes(5));
    this.downloads = downloads;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/comfygate-webhooks", this::onWebhook);
    server.start();
  }

  /**
   * Starts the webhook receiver.
   *
   * @param gate ComfyGate's address, e.g. {@code http://127.0.0.1:8000/}
   * @param downloads where finished images are saved
   */
  public static ExternalSystemExample start(URI gate, String apiKey, String webhookSecret, Path downloads)
      throws IOException {
    return new ExternalSystemExample(gate, apiKey, webhookSecret, downloads);
  }

  /** Where ComfyGate should send this system's webhooks. */
  public URI webhookUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/comfygate-webhooks");
  }

  /**
   * Submits a job; sending the same {@code idempotencyKey} again (say, after a timeout) returns the
   * same job instead of making a second one.
   *
   * @return the job's id
   */
  public String submit(String prompt, String idempotencyKey) {
    String id = gate.submit(JobRequest.builder().param("prompt", prompt).webhookUrl(webhookUrl())
        .idempotencyKey(idempotencyKey).build()).job().id();
    images.computeIfAbsent(id, k -> new CompletableFuture<>());
    return id;
  }

  /** The images of a job once its {@code job.succeeded} webhook came and they are downloaded. */
  public List<Path> awaitImages(String jobId, Duration timeout) throws InterruptedException, TimeoutException {
    try {
      return images.computeIfAbsent(jobId, k -> new CompletableFuture<>()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("job " + jobId + " did not succeed: " + e.getCause().getMessage(), e.getCause());
    }
  }

  /** The verified events received so far, as {@code "<job id> <type>"}, in arrival order, repeats left out. */
  public List<String> received() {
    return List.copyOf(received);
  }

  private void onWebhook(HttpExchange exchange) throws IOException {
    try {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String signature = exchange.getRequestHeaders().getFirst("ComfyGate-Signature");
      if (!"POST".equals(exchange.getRequestMethod()) || !verifier.verify(signature, body, Instant.now())) {
        exchange.sendResponseHeaders(400, -1); // not from ComfyGate, altered, or replayed: ignore it
        return;
      }
      JsonNode event = JSON.readTree(body);
      String eventId = event.path("event_id").asText();
      exchange.sendResponseHeaders(204, -1); // acknowledge first: ComfyGate retries anything unanswered
      if (!seen.add(eventId)) {
        return; // a repeat of an event already handled
      }
      JsonNode job = event.path("job");
      String jobId = job.path("id").asText();
      String type = event.path("type").asText();
      received.add(jobId + " " + type);
      CompletableFuture<List<Path>> result = images.computeIfAbsent(jobId, k -> new CompletableFuture<>());
      switch (type) {
        case "job.succeeded" -> executor.execute(() -> download(job, result));
        case "job.failed", "job.timeout", "job.cancelled" ->
            result.completeExceptionally(new IllegalStateException(type + ": " + job.path("error").asText()));
        default -> { } // queued, running: nothing to do yet
      }
    } finally {
      exchange.close();
    }
  }

  private void download(JsonNode job, CompletableFuture<List<Path>> result) {
    try {
      List<Path> saved = new ArrayList<>();
      for (JsonNode image : job.path("images")) {
        String id = image.path("id").asText();
        saved.add(gate.downloadImage(id, downloads.resolve(id + ".png")));
      }
      result.complete(saved);
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    gate.close();
  }

  public static void main(String[] args) throws Exception {
    URI gate = URI.create(env("COMFYGATE_URL"));
    String prompt = args.length > 0 ? String.join(" ", args) : "a lighthouse at dusk";
    try (ExternalSystemExample system = start(gate, env("COMFYGATE_API_KEY"), env("COMFYGATE_WEBHOOK_SECRET"),
        Path.of("downloads"))) {
      String job = system.submit(prompt, UUID.randomUUID().toString());
      System.out.println("submitted " + job + "; webhooks to " + system.webhookUrl());
      for (Path image : system.awaitImages(job, Duration.ofMinutes(5))) {
        System.out.println("saved " + image.toAbsolutePath());
      }
    }
  }

  private static String env(String name) {
    String value = System.getenv(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " must be set");
    }
    return value;
  }
}
