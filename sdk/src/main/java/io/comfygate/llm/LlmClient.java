package io.comfygate.llm;

import io.comfygate.errors.LlmException;
import io.comfygate.internal.Durations;
import io.comfygate.internal.http.BoundedHttp;
import io.comfygate.internal.http.OwnedHttpClient;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client for an OpenAI-compatible chat-completions endpoint (OpenAI, a local llama.cpp / Ollama /
 * vLLM server, …), used by the optional prompt helper. Create one and share it.
 *
 * <p>The helper is off unless configured: {@link #fromSettings} returns a <em>disabled</em> client
 * when the base URL is empty. A disabled client owns no threads; {@link #chat} throws
 * {@link LlmException.Kind#DISABLED} and {@link #ready()} reports
 * {@link LlmReadiness.State#DISABLED}.
 *
 * <p><b>Base URL</b>: {@code http(s)://host:port}, optionally with a path. If the path ends in
 * {@code /v1} it is the API root as given ({@code https://api.example.com/openai/v1}); otherwise
 * {@code /v1} is appended ({@code http://127.0.0.1:11434} → {@code …/v1}). Requests go to
 * {@code <root>/chat/completions} and {@code <root>/models}.
 *
 * <p><b>Secrets</b>: the API key is sent only as {@code Authorization: Bearer …}; it never appears
 * in {@link #toString()}, exception messages or logs.
 *
 * <p><b>Deadlines</b>: every request is bounded by the connect timeout (default 5 s) and the
 * request timeout (default 20 s), which also covers reading the body.
 *
 * <p>Thread-safe. Owns a small pool of daemon threads ({@code comfygate-llm-N}) that the JDK's
 * {@link HttpClient} runs on; {@link #close()} stops them (Java 17's HttpClient has no close of its
 * own). close() is idempotent and bounded; calls after it throw {@link IllegalStateException}.
 */
public final class LlmClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LlmClient.class);
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

  private final String disabledReason;
  private final URI apiRoot;
  private final String server;
  private final String model;
  private final String apiKey;
  private final Duration timeout;
  private final Duration connectTimeout;
  private final double temperature;
  private final int maxTokens;
  /** Null when the client is turned off. */
  private final OwnedHttpClient http;
  private final OpenAiJson json = new OpenAiJson();
  private final AtomicBoolean closed = new AtomicBoolean();

  private LlmClient(Builder b) {
    this.disabledReason = null;
    this.apiRoot = b.apiRoot;
    this.server = "LLM at " + b.apiRoot;
    this.model = b.model;
    this.apiKey = b.apiKey;
    this.timeout = b.timeout;
    this.connectTimeout = b.connectTimeout;
    this.temperature = b.temperature;
    this.maxTokens = b.maxTokens;
    this.http = OwnedHttpClient.anyVersion("llm", connectTimeout);
  }

  private LlmClient(String disabledReason) {
    this.disabledReason = disabledReason;
    this.apiRoot = null;
    this.server = "LLM";
    this.model = null;
    this.apiKey = null;
    this.timeout = null;
    this.connectTimeout = null;
    this.temperature = 0;
    this.maxTokens = 0;
    this.http = null;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A client that is turned off for {@code reason} (e.g. "LLM_BASE_URL not set"). */
  public static LlmClient disabled(String reason) {
    if (reason == null || reason.isBlank()) {
      throw new IllegalArgumentException("a disabled LLM needs a reason");
    }
    return new LlmClient(reason);
  }

  /**
   * The client the settings describe: disabled ("LLM_BASE_URL not set") when {@code baseUrl} is
   * null or blank, else built from the values (LLM_BASE_URL, LLM_MODEL, LLM_API_KEY,
   * LLM_TIMEOUT_SECONDS). Reads no environment itself.
   *
   * @param apiKey may be null or blank for servers without authentication
   * @param timeout null for the default (20 s)
   * @throws IllegalArgumentException if the URL is enabled but a value is bad (names the value)
   * @throws IllegalStateException if the URL is set but the model is not
   */
  public static LlmClient fromSettings(String baseUrl, String model, String apiKey, Duration timeout) {
    if (baseUrl == null || baseUrl.isBlank()) {
      return disabled("LLM_BASE_URL not set");
    }
    Builder b = builder().baseUrl(baseUrl.strip());
    if (model != null && !model.isBlank()) {
      b.model(model.strip());
    }
    if (apiKey != null && !apiKey.isBlank()) {
      b.apiKey(apiKey.strip());
    }
    if (timeout != null) {
      b.timeout(timeout);
    }
    return b.build();
  }

  /** False for a {@link #disabled} client. */
  public boolean enabled() {
    return disabledReason == null;
  }

  /** The model sent with every request; null when disabled. */
  public String model() {
    return model;
  }

  /** The request timeout; null when disabled. */
  public Duration timeout() {
    return timeout;
  }

  /**
   * Sends the conversation and returns the assistant's text ({@code choices[0].message.content}),
   * as the server wrote it.
   *
   * @throws IllegalArgumentException if {@code messages} is empty
   * @throws LlmException on an HTTP error (status and the server's message), no answer within the
   *     timeout, an unreachable server, an answer that is not OpenAI's shape, or when disabled
   * @throws IllegalStateException after {@link #close()}
   */
  public String chat(List<Message> messages) {
    if (messages == null || messages.isEmpty()) {
      throw new IllegalArgumentException("messages must not be empty");
    }
    requireEnabled();
    HttpRequest request = request("chat/completions", timeout)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json.chatRequest(model, messages, temperature, maxTokens)))
        .build();
    log.debug("LLM chat: {} messages to {} (model {})", messages.size(), apiRoot, model);
    String body = send(request, timeout);
    return json.assistantText(body, server);
  }

  /**
   * Whether the server answers {@code GET <root>/models} with 200 within the request timeout.
   * Never throws for a server problem: those become {@link LlmReadiness.State#NOT_READY} with the
   * reason.
   *
   * @throws LlmException {@link LlmException.Kind#INTERRUPTED} if the thread is interrupted (the
   *     flag is set again)
   * @throws IllegalStateException after {@link #close()}
   */
  public LlmReadiness ready() {
    return ready(timeout == null ? Duration.ofSeconds(1) : timeout);
  }

  /** As {@link #ready()}, with its own deadline (a health check's, say). */
  public LlmReadiness ready(Duration deadline) {
    if (!enabled()) {
      return LlmReadiness.disabled("LLM disabled (" + disabledReason + ")");
    }
    ensureOpen();
    HttpRequest request = request("models", deadline).GET().build();
    try {
      send(request, deadline);
      return LlmReadiness.ready(server + " is ready (model " + model + ")");
    } catch (LlmException e) {
      if (e.kind() == LlmException.Kind.INTERRUPTED) {
        throw e;
      }
      return LlmReadiness.notReady(e.getMessage());
    }
  }

  @Override
  public void close() {
    if (closed.getAndSet(true) || http == null) {
      return;
    }
    http.close(CLOSE_WAIT);
  }

  @Override
  public String toString() {
    if (!enabled()) {
      return "LlmClient{disabled: " + disabledReason + "}";
    }
    return "LlmClient{apiRoot=" + apiRoot + ", model=" + model + ", apiKey=" + (apiKey == null ? "none" : "***")
        + ", timeout=" + Durations.human(timeout) + "}";
  }

  private void requireEnabled() {
    if (!enabled()) {
      throw new LlmException(LlmException.Kind.DISABLED, "LLM disabled (" + disabledReason + ")");
    }
    ensureOpen();
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("LlmClient is closed");
    }
  }

  private HttpRequest.Builder request(String path, Duration deadline) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(apiRoot + "/" + path))
        .timeout(deadline)
        .header("Accept", "application/json");
    if (apiKey != null) {
      b.header("Authorization", "Bearer " + apiKey);
    }
    return b;
  }

  /** Sends and returns the body of a 2xx answer; everything else becomes an LlmException. */
  private String send(HttpRequest request, Duration deadline) {
    HttpResponse<String> response;
    try {
      HttpClient client = (http == null ? Optional.<HttpClient>empty() : http.client())
          .orElseThrow(() -> new IllegalStateException("LlmClient is closed"));
      response = BoundedHttp.send(client, request, deadline, connectTimeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LlmException(LlmException.Kind.INTERRUPTED, "interrupted while waiting for " + server, e);
    } catch (BoundedHttp.Failure e) {
      LlmException.Kind kind = e.isTimeout() ? LlmException.Kind.TIMEOUT : LlmException.Kind.UNREACHABLE;
      throw new LlmException(kind, server + " " + e.getMessage(), e.getCause());
    }
    int status = response.statusCode();
    if (status / 100 != 2) {
      throw new LlmException(status, server + " answered HTTP " + status + ": " + json.errorText(response.body()));
    }
    return response.body();
  }

  /**
   * Collects and checks the settings. {@link #baseUrl} and {@link #model} are required. Setters
   * reject bad values at once, naming the value; {@link #build()} checks the required ones. Not
   * thread-safe.
   */
  public static final class Builder {
    private URI apiRoot;
    private String model;
    private String apiKey;
    private Duration timeout = Duration.ofSeconds(20);
    private Duration connectTimeout = Duration.ofSeconds(5);
    private double temperature = 0.7;
    private int maxTokens = 200;

    private Builder() {}

    /**
     * The server's base URL, {@code http} or {@code https}: the bare root
     * ({@code http://127.0.0.1:8080}) or the API root ending in {@code /v1}. See the class notes.
     *
     * @throws IllegalArgumentException if it does not parse, is not http(s), has no host, or has a
     *     query or fragment
     */
    public Builder baseUrl(String url) {
      if (url == null || url.isBlank()) {
        throw new IllegalArgumentException("baseUrl must not be blank");
      }
      URI uri;
      try {
        uri = new URI(url.strip());
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("baseUrl is not a URL: " + url, e);
      }
      return baseUrl(uri);
    }

    /** As {@link #baseUrl(String)}. */
    public Builder baseUrl(URI url) {
      String scheme = url.getScheme();
      if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
        throw new IllegalArgumentException("baseUrl must be http:// or https://: " + url);
      }
      if (url.getHost() == null) {
        throw new IllegalArgumentException("baseUrl has no host: " + url);
      }
      if (url.getRawQuery() != null || url.getRawFragment() != null || url.getRawUserInfo() != null) {
        throw new IllegalArgumentException("baseUrl must not have a query, fragment or user info: " + url);
      }
      String path = url.getRawPath() == null ? "" : url.getRawPath().replaceAll("/+$", "");
      if (!path.endsWith("/v1")) {
        path = path + "/v1";
      }
      this.apiRoot = URI.create(scheme.toLowerCase() + "://" + url.getRawAuthority() + path);
      return this;
    }

    /** The model id sent with every request, e.g. {@code gpt-4o-mini} or {@code llama3.1}. */
    public Builder model(String model) {
      if (model == null || model.isBlank()) {
        throw new IllegalArgumentException("model must not be blank");
      }
      this.model = model;
      return this;
    }

    /** The API key, sent as a bearer token; null for servers without authentication. */
    public Builder apiKey(String apiKey) {
      if (apiKey != null && (apiKey.isBlank() || apiKey.chars().anyMatch(Character::isWhitespace))) {
        // Not echoed: the value is a secret.
        throw new IllegalArgumentException("apiKey must not be blank or contain whitespace");
      }
      this.apiKey = apiKey;
      return this;
    }

    /** The whole request's deadline, body included; default 20 s. */
    public Builder timeout(Duration timeout) {
      this.timeout = positive("timeout", timeout);
      return this;
    }

    /** The TCP connect deadline; default 5 s. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = positive("connectTimeout", connectTimeout);
      return this;
    }

    /** Sampling temperature, 0 to 2; default 0.7. */
    public Builder temperature(double temperature) {
      if (!(temperature >= 0 && temperature <= 2)) {
        throw new IllegalArgumentException("temperature must be between 0 and 2: " + temperature);
      }
      this.temperature = temperature;
      return this;
    }

    /** The answer's length limit in tokens; default 200. */
    public Builder maxTokens(int maxTokens) {
      if (maxTokens <= 0) {
        throw new IllegalArgumentException("maxTokens must be > 0: " + maxTokens);
      }
      this.maxTokens = maxTokens;
      return this;
    }

    /**
     * Builds the client and starts its (idle) executor.
     *
     * @throws IllegalStateException if baseUrl or model is missing
     */
    public LlmClient build() {
      if (apiRoot == null) {
        throw new IllegalStateException("LLM baseUrl required");
      }
      if (model == null) {
        throw new IllegalStateException("LLM model required (LLM_MODEL) when the base URL is set");
      }
      return new LlmClient(this);
    }

    @Override
    public String toString() {
      return "LlmClient.Builder{apiRoot=" + apiRoot + ", model=" + model + ", apiKey="
          + (apiKey == null ? "none" : "***") + "}";
    }

    private static Duration positive(String name, Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be > 0: " + d);
      }
      return d;
    }
  }
}
