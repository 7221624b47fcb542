package io.comfygate.remote;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.comfygate.remote.errors.ComfyGateException;
import io.comfygate.remote.errors.ComfyGateTimeoutException;
import io.comfygate.remote.errors.NotFoundException;
import io.comfygate.remote.errors.UnavailableException;
import io.comfygate.remote.internal.Json;
import io.comfygate.remote.internal.LiveSocket;
import io.comfygate.remote.internal.Rest;
import io.comfygate.remote.live.LiveEvent;
import io.comfygate.remote.live.LiveListener;
import io.comfygate.remote.live.LiveSubscription;
import io.comfygate.remote.model.Health;
import io.comfygate.remote.model.Image;
import io.comfygate.remote.model.Job;
import io.comfygate.remote.model.Page;
import io.comfygate.remote.model.Preview;
import io.comfygate.remote.model.PromptAssistant;
import io.comfygate.remote.model.PromptSuggestion;
import io.comfygate.remote.model.Template;
import io.comfygate.remote.model.Upload;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.GenericType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;
import org.glassfish.tyrus.container.grizzly.client.GrizzlyClientContainer;

/**
 * The Java client of a running ComfyGate: every user operation of its HTTP API, the admin ones
 * under {@link #admin()}, live updates over {@code /api/v1/live} and {@link #await}.
 *
 * <pre>{@code
 * try (ComfyGateClient gate = ComfyGateClient.builder().baseUrl("http://127.0.0.1:8000/").apiKey(key).build()) {
 *   Job job = gate.submit(JobRequest.prompt("a lighthouse at dawn")).job();
 *   Job done = gate.await(job.id(), Duration.ofMinutes(3));
 * }
 * }</pre>
 *
 * <p>Create one and share it: it is immutable and thread-safe. Every call has a deadline (connect
 * and read timeouts, retry budgets, {@code await}'s timeout). Submits carry an Idempotency-Key and
 * are retried on connection errors, timeouts, 503 and 429 as its {@link RetryPolicy} says, so a
 * flaky network never makes two jobs; reads are retried the same way. Failures are unchecked
 * {@link ComfyGateException}s, split by what the caller can do. {@link #close()} ends every live
 * subscription and every thread the client started (Tyrus's included): call it when done, e.g. when
 * a web application that embeds the client is undeployed.
 */
public final class ComfyGateClient implements AutoCloseable {
  private static final String API = "api/v1/";
  private static final GenericType<Page<Job>> JOB_PAGE = new GenericType<>() {};
  private static final GenericType<Page<Image>> IMAGE_PAGE = new GenericType<>() {};
  private static final GenericType<List<Template>> TEMPLATES = new GenericType<>() {};

  private final URI baseUrl;
  private final Rest rest;
  private final String authorization;
  private final RetryPolicy retry;
  private final Duration pollInterval;
  private final ClientManager tyrus;
  private final Set<LiveSubscription> subscriptions = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Admin admin;

  private ComfyGateClient(Builder b) {
    this.baseUrl = b.baseUrl;
    this.authorization = b.authorization;
    this.retry = b.retry;
    this.pollInterval = b.pollInterval;
    ObjectMapper json = Json.newMapper();
    this.rest = new Rest(baseUrl, authorization, b.connectTimeout, b.readTimeout, json);
    // Tyrus's Grizzly container with a transport (selector and worker threads) of each connection's own, shut
    // down when that connection closes. Not the shared transport, and not the JDK container: both keep static
    // threads for the whole life of Tyrus's classes (the JDK container's 'tyrus-jdk-container-idle-timeout'
    // scheduler is never stopped), which would pin the class loader of a web application that embeds the client.
    this.tyrus = ClientManager.createClient(GrizzlyClientContainer.class.getName());
    tyrus.getProperties().put(ClientProperties.SHARED_CONTAINER, false);
    tyrus.getProperties().put(ClientProperties.HANDSHAKE_TIMEOUT, b.connectTimeout.plus(b.readTimeout).toMillis());
    tyrus.setDefaultMaxTextMessageBufferSize(8 * 1024 * 1024); // previews come base64 in text messages
    this.admin = new Admin(this);
  }

  /** A builder; {@code baseUrl} and credentials are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** ComfyGate's address as given, ending with {@code /}. */
  public URI baseUrl() {
    return baseUrl;
  }

  /** The administrators' operations (they need an admin identity; others get {@code ForbiddenException}). */
  public Admin admin() {
    return admin;
  }

  // ---- jobs ----

  /**
   * Submits a job. Every attempt carries the request's Idempotency-Key, so retries (connection
   * errors, timeouts, 503, 429 within the policy's {@code maxRetryAfter}) make at most one job.
   *
   * @throws io.comfygate.remote.errors.InvalidParamsException a param does not fit its template
   * @throws io.comfygate.remote.errors.QuotaExceededException still over the limit when the policy gives up
   * @throws io.comfygate.remote.errors.IdempotencyKeyReusedException the key was used for another request
   * @throws UnavailableException no healthy ComfyUI, or no connection, within the policy
   */
  @CallsOperation("submitJob")
  public Submission submit(JobRequest request) {
    return submit(request, retry);
  }

  /** {@link #submit(JobRequest)} with another retry policy for this call. */
  @CallsOperation("submitJob")
  public Submission submit(JobRequest request, RetryPolicy policy) {
    Objects.requireNonNull(request, "request");
    try (Response response = rest.call("POST", API + "jobs").describedAs("submit job")
        .header("Idempotency-Key", request.idempotencyKey()).json(request.body()).retry(policy).response()) {
      return new Submission(response.readEntity(Job.class), request.idempotencyKey(),
          "true".equalsIgnoreCase(response.getHeaderString("Idempotent-Replayed")));
    }
  }

  /** One of the caller's jobs (an admin may read anyone's). */
  @CallsOperation("getJob")
  public Job job(String id) {
    return rest.call("GET", API + "jobs/{id}").param("id", id).describedAs("get job " + id).retry(retry).as(Job.class);
  }

  /** One page of the caller's jobs, newest first ({@code page} from 1, {@code size} 1..100). */
  @CallsOperation("listJobs")
  public Page<Job> jobs(int page, int size) {
    checkPage(page, size);
    return rest.call("GET", API + "jobs").query("page", page).query("size", size).describedAs("list jobs")
        .retry(retry).as(JOB_PAGE);
  }

  /** Every job of the caller, newest first, fetched a page of 100 at a time as the iteration goes. */
  @CallsOperation("listJobs")
  public Iterable<Job> allJobs() {
    return () -> new PageIterator<>(p -> jobs(p, 100));
  }

  /** Cancels a job: a waiting one leaves the queue, a running one is interrupted; an ended one stays as it is. */
  @CallsOperation("cancelJob")
  public Job cancel(String id) {
    return rest.call("POST", API + "jobs/{id}/cancel").param("id", id).describedAs("cancel job " + id).retry(retry)
        .as(Job.class);
  }

  /** The latest preview of a running job, or empty when it has none (yet). */
  @CallsOperation("getJobPreview")
  public Optional<Preview> preview(String id) {
    try (Response response = rest.call("GET", API + "jobs/{id}/preview").param("id", id).accept("image/png, image/jpeg")
        .describedAs("preview of job " + id).retry(retry).response()) {
      return Optional.of(new Preview(response.getMediaType().toString(), response.readEntity(byte[].class)));
    } catch (NotFoundException e) {
      job(id); // throws NotFoundException when the job itself is not there
      return Optional.empty();
    }
  }

  // ---- images ----

  /** One page of the caller's gallery (or, with {@code trash}, their deleted images), newest first. */
  @CallsOperation("listImages")
  public Page<Image> images(int page, int size, boolean trash) {
    checkPage(page, size);
    return rest.call("GET", API + "images").query("page", page).query("size", size)
        .query("include", trash ? "deleted" : null).describedAs("list images").retry(retry).as(IMAGE_PAGE);
  }

  /** Every image of the caller's gallery (or trash), a page of 100 at a time as the iteration goes. */
  @CallsOperation("listImages")
  public Iterable<Image> allImages(boolean trash) {
    return () -> new PageIterator<>(p -> images(p, 100, trash));
  }

  @CallsOperation("getImage")
  public Image image(String id) {
    return rest.call("GET", API + "images/{id}").param("id", id).describedAs("get image " + id).retry(retry)
        .as(Image.class);
  }

  /** The image's file as a stream, which the caller closes (reads are bounded by the read timeout). */
  @CallsOperation("getImageFile")
  public InputStream openImage(String id) {
    return stream(API + "images/{id}/file", id, "image " + id);
  }

  /** Saves the image's file to {@code target} (replaced if present; written whole or not at all). */
  @CallsOperation("getImageFile")
  public Path downloadImage(String id, Path target) {
    return download(openImage(id), target);
  }

  /** Moves an image to the trash (restorable until purged). */
  @CallsOperation("deleteImage")
  public Image deleteImage(String id) {
    return rest.call("POST", API + "images/{id}/delete").param("id", id).describedAs("delete image " + id)
        .retry(retry).as(Image.class);
  }

  @CallsOperation("restoreImage")
  public Image restoreImage(String id) {
    return rest.call("POST", API + "images/{id}/restore").param("id", id).describedAs("restore image " + id)
        .retry(retry).as(Image.class);
  }

  // ---- uploads ----

  /** Uploads an input image (PNG, JPEG or WebP) for an {@code image} template parameter. */
  @CallsOperation("uploadImage")
  public Upload upload(Path file) {
    try {
      return upload(Files.readAllBytes(file), file.getFileName().toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** Uploads an input image given as bytes; {@code fileName} is only a label (the type is judged by the bytes). */
  @CallsOperation("uploadImage")
  public Upload upload(byte[] image, String fileName) {
    String boundary = "comfygate-" + UUID.randomUUID();
    String safeName = fileName.replaceAll("[\"\\r\\n\\\\]", "_");
    byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"" + safeName
        + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8);
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] body = new byte[head.length + image.length + tail.length];
    System.arraycopy(head, 0, body, 0, head.length);
    System.arraycopy(image, 0, body, head.length, image.length);
    System.arraycopy(tail, 0, body, head.length + image.length, tail.length);
    return rest.call("POST", API + "uploads").describedAs("upload " + safeName)
        .entity(Entity.entity(body, "multipart/form-data; boundary=" + boundary)).as(Upload.class);
  }

  @CallsOperation("getUpload")
  public Upload uploadInfo(String id) {
    return rest.call("GET", API + "uploads/{id}").param("id", id).describedAs("get upload " + id).retry(retry)
        .as(Upload.class);
  }

  /** An uploaded image's file as a stream, which the caller closes. */
  @CallsOperation("getUploadFile")
  public InputStream openUpload(String id) {
    return stream(API + "uploads/{id}/file", id, "upload " + id);
  }

  // ---- templates, health ----

  /** The workflow templates jobs may name, with their typed parameters. */
  @CallsOperation("listTemplates")
  public List<Template> templates() {
    return rest.call("GET", API + "templates").describedAs("list templates").retry(retry).as(TEMPLATES);
  }

  /** The Generate button's check: can a job run now? Answers within 1.5 s on the server's side. */
  @CallsOperation("precheck")
  public Health precheck() {
    return rest.call("GET", API + "precheck").describedAs("precheck").retry(retry).as(Health.class);
  }

  /** Whether the server's prompt assistant is on, its modes and its per-user rate. */
  @CallsOperation("promptAssistStatus")
  public PromptAssistant promptAssistant() {
    return rest.call("GET", API + "prompt/assist").describedAs("prompt assistant").retry(retry).as(PromptAssistant.class);
  }

  /**
   * The assistant's suggestion for {@code prompt}: {@code translate} into an English image prompt,
   * or {@code expand} a short idea. Not retried (each call costs an LLM answer). Throws
   * {@link io.comfygate.remote.errors.UnavailableException} ({@code llm_unavailable}) when the
   * assistant is off or the LLM fails, {@link io.comfygate.remote.errors.QuotaExceededException}
   * over the per-minute rate.
   */
  @CallsOperation("assistPrompt")
  public PromptSuggestion assistPrompt(String prompt, String mode) {
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(mode, "mode");
    return rest.call("POST", API + "prompt/assist").describedAs("assist prompt")
        .json(java.util.Map.of("prompt", prompt, "mode", mode)).as(PromptSuggestion.class);
  }

  /** {@code /healthz}: every check, whether it passes (200) or not (503). Needs no credentials. */
  @CallsOperation("healthz")
  public Health health() {
    return rest.call("GET", "healthz").describedAs("health").alsoSuccessful(503).retry(retry).as(Health.class);
  }

  // ---- live ----

  /**
   * Follows the caller's jobs over {@code /api/v1/live}: a {@link LiveEvent.Snapshot} first and on
   * every reconnect, then {@link LiveEvent.JobChanged}, {@link LiveEvent.Progress} and
   * {@link LiveEvent.Preview} as they happen. A lost connection is retried with backoff (a
   * {@link LiveEvent.Disconnected} says so), and what changed meanwhile follows the new snapshot as
   * reconciled {@code JobChanged} events: no state change is missed. Returns at once. Each subscription
   * has its own connection and threads (one of its own for the listener, three of Tyrus's for the
   * connection), all ended by closing it or the client.
   */
  @CallsOperation("live")
  public LiveSubscription live(LiveListener listener) {
    Objects.requireNonNull(listener, "listener");
    if (closed.get()) {
      throw new IllegalStateException("the client is closed");
    }
    URI ws = URI.create(baseUrl.toString().replaceFirst("^http", "ws")).resolve(API + "live");
    LiveSocket socket = new LiveSocket(tyrus, ws, authorization, listener, rest.json(), this::jobIfReadable,
        RetryPolicy.defaults().withBackoff(Duration.ofMillis(250), Duration.ofSeconds(10)), subscriptions::remove);
    subscriptions.add(socket);
    return socket.start();
  }

  /**
   * Waits until the job has ended (succeeded, failed, timeout, cancelled) and returns it. Listens on
   * the live socket and, in case the socket is down, also asks for the job every poll interval; a
   * server that is restarting meanwhile is waited for.
   *
   * @throws ComfyGateTimeoutException the job had not ended within {@code timeout}
   * @throws NotFoundException no such job of the caller's
   */
  @CallsOperation("getJob")
  public Job await(String jobId, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Job current = job(jobId);
    if (current.state().isFinal()) {
      return current;
    }
    CompletableFuture<Job> ended = new CompletableFuture<>();
    try (LiveSubscription ignored = live(event -> {
      if (event instanceof LiveEvent.JobChanged changed && changed.job().id().equals(jobId)
          && changed.job().state().isFinal()) {
        ended.complete(changed.job());
      } else if (event instanceof LiveEvent.Snapshot snapshot) {
        snapshot.jobs().stream().filter(j -> j.id().equals(jobId) && j.state().isFinal()).findFirst()
            .ifPresent(ended::complete);
      }
    })) {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new ComfyGateTimeoutException("job " + jobId + " had not ended after " + timeout, null);
        }
        try {
          return ended.get(Math.min(left, pollInterval.toNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          Optional<Job> polled = jobIfReadable(jobId);
          if (polled.isPresent() && polled.get().state().isFinal()) {
            return polled.get();
          }
        } catch (ExecutionException e) {
          throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ComfyGateTimeoutException("interrupted while waiting for job " + jobId, e);
        }
      }
    }
  }

  /** The job, or empty while the server cannot answer (down, restarting); other failures are thrown. */
  private Optional<Job> jobIfReadable(String id) {
    try {
      return Optional.of(rest.call("GET", API + "jobs/{id}").param("id", id).describedAs("get job " + id).as(Job.class));
    } catch (UnavailableException | ComfyGateTimeoutException e) {
      return Optional.empty();
    }
  }

  // ---- lifecycle ----

  /** Closes every live subscription, Tyrus's threads and the HTTP client. Idempotent; bounded. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    List.copyOf(subscriptions).forEach(LiveSubscription::close);
    tyrus.shutdown();
    rest.close();
  }

  Rest rest() {
    return rest;
  }

  RetryPolicy retry() {
    return retry;
  }

  private InputStream stream(String path, String id, String what) {
    Response response = rest.call("GET", path).param("id", id).accept("*/*").describedAs(what).retry(retry).response();
    return response.readEntity(InputStream.class);
  }

  private static Path download(InputStream in, Path target) {
    try (InputStream from = in) {
      Path dir = target.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path part = Files.createTempFile(dir, target.getFileName().toString(), ".part");
      try {
        Files.copy(from, part, StandardCopyOption.REPLACE_EXISTING);
        return Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(part);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save to " + target, e);
    }
  }

  static void checkPage(int page, int size) {
    if (page < 1) {
      throw new IllegalArgumentException("page counts from 1: " + page);
    }
    if (size < 1 || size > 100) {
      throw new IllegalArgumentException("size must be 1..100: " + size);
    }
  }

  /** Goes through a list a page at a time. */
  static final class PageIterator<T> implements Iterator<T> {
    private final java.util.function.IntFunction<Page<T>> fetch;
    private Page<T> page;
    private int index;

    PageIterator(java.util.function.IntFunction<Page<T>> fetch) {
      this.fetch = fetch;
      this.page = fetch.apply(1);
    }

    @Override
    public boolean hasNext() {
      if (index < page.items().size()) {
        return true;
      }
      if (!page.hasNext()) {
        return false;
      }
      page = fetch.apply(page.page() + 1);
      index = 0;
      return index < page.items().size();
    }

    @Override
    public T next() {
      if (!hasNext()) {
        throw new java.util.NoSuchElementException();
      }
      return page.items().get(index++);
    }
  }

  /** Builds a {@link ComfyGateClient}; each setter checks its value at once. */
  public static final class Builder {
    private URI baseUrl;
    private String authorization;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration readTimeout = Duration.ofSeconds(30);
    private Duration pollInterval = Duration.ofSeconds(2);
    private RetryPolicy retry = RetryPolicy.defaults();

    private Builder() {}

    /** ComfyGate's address including the WAR's context path, e.g. {@code http://host:8080/comfygate/}. */
    public Builder baseUrl(String url) {
      return baseUrl(URI.create(Objects.requireNonNull(url, "baseUrl")));
    }

    public Builder baseUrl(URI url) {
      Objects.requireNonNull(url, "baseUrl");
      if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
        throw new IllegalArgumentException("baseUrl must be an http(s) URL with a host: " + url);
      }
      if (url.getQuery() != null || url.getFragment() != null || url.getUserInfo() != null) {
        throw new IllegalArgumentException("baseUrl must not carry a query, fragment or credentials: " + url);
      }
      String path = url.getPath() == null || url.getPath().isEmpty() ? "/" : url.getPath();
      baseUrl = url.resolve(path.endsWith("/") ? path : path + "/");
      return this;
    }

    /** An API key issued by an admin ({@code cgk_…}), sent as {@code Authorization: Bearer}. */
    public Builder apiKey(String key) {
      if (key == null || key.isBlank() || key.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
        throw new IllegalArgumentException("apiKey must be non-empty printable ASCII without spaces");
      }
      authorization = "Bearer " + key;
      return this;
    }

    /** A user of the server's realm, sent as HTTP Basic. */
    public Builder basicAuth(String user, String password) {
      if (user == null || user.isEmpty() || user.contains(":")) {
        throw new IllegalArgumentException("user must be non-empty and without ':': " + user);
      }
      Objects.requireNonNull(password, "password");
      authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
      return this;
    }

    /** How long to wait for a connection (and a WebSocket handshake, with the read timeout); default 5 s. */
    public Builder connectTimeout(Duration timeout) {
      connectTimeout = positive("connectTimeout", timeout);
      return this;
    }

    /** How long to wait for each answer (and between the bytes of a download); default 30 s. */
    public Builder readTimeout(Duration timeout) {
      readTimeout = positive("readTimeout", timeout);
      return this;
    }

    /** How often {@code await} asks for the job besides listening on the socket; default 2 s. */
    public Builder pollInterval(Duration interval) {
      pollInterval = positive("pollInterval", interval);
      return this;
    }

    /** When submits and reads are tried again; default {@link RetryPolicy#defaults()}. */
    public Builder retryPolicy(RetryPolicy policy) {
      retry = Objects.requireNonNull(policy, "retryPolicy");
      return this;
    }

    public ComfyGateClient build() {
      if (baseUrl == null) {
        throw new IllegalStateException("baseUrl is required");
      }
      if (authorization == null) {
        throw new IllegalStateException("credentials are required: apiKey(…) or basicAuth(…)");
      }
      return new ComfyGateClient(this);
    }

    private static Duration positive(String name, Duration d) {
      if (Objects.requireNonNull(d, name).isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be > 0: " + d);
      }
      return d;
    }
  }
}
