package io.comfygate.testkit.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake OpenAI-compatible server on a real loopback socket (an ephemeral port), for testing code
 * that calls an LLM without one. It speaks the two endpoints ComfyGate uses:
 *
 * <ul>
 *   <li>{@code POST /v1/chat/completions}: answers in OpenAI's {@code chat.completion} shape with
 *       a deterministic reply ({@code "fake reply to: <last user message>"}) or the one set by
 *       {@link #reply(String)};
 *   <li>{@code GET /v1/models}: a {@code list} holding {@link #MODEL}.
 * </ul>
 *
 * If built with an API key, both endpoints require {@code Authorization: Bearer <key>} and answer
 * 401 with OpenAI's error shape otherwise. Knobs ({@link #delay}, {@link #failWith},
 * {@link #reply}, {@link #rawReply}) are sticky until changed or {@link #reset()}, and may be
 * turned from any thread while requests are in flight.
 *
 * <pre>{@code
 * try (FakeOpenAi llm = FakeOpenAi.start("sk-test")) {
 *   llm.reply("a cat, watercolor");
 *   URI base = llm.baseUrl();            // http://127.0.0.1:<port>
 *   ...
 *   llm.requests().get(0).body();         // what the client sent
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} (same as {@link #stop()}) is idempotent, interrupts delayed
 * answers and waits at most a few seconds for the server's threads to end.
 */
public final class FakeOpenAi implements AutoCloseable {
  /** The model id the fake lists and echoes when a request names none. */
  public static final String MODEL = "fake-model";

  /** One request as received: method, path, the Authorization header (or null), and the body. */
  public record Request(String method, String path, String authorization, String body) {}

  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final ObjectMapper json = new ObjectMapper();
  private final String apiKey;
  private final HttpServer server;
  private final ExecutorService handlers;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger completions = new AtomicInteger();
  private final AtomicBoolean stopped = new AtomicBoolean();

  private volatile Duration delay = Duration.ZERO;
  private volatile int failStatus;
  private volatile String reply;
  private volatile String rawReply;

  private FakeOpenAi(String apiKey) throws IOException {
    this.apiKey = apiKey;
    int instance = INSTANCES.incrementAndGet();
    AtomicInteger threads = new AtomicInteger();
    this.handlers = Executors.newCachedThreadPool(task -> {
      Thread t = new Thread(task, "fake-openai-" + instance + "-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(handlers);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Starts a fake that accepts any (or no) API key. */
  public static FakeOpenAi start() {
    return start(null);
  }

  /** Starts a fake that requires {@code Authorization: Bearer <apiKey>}; null means no check. */
  public static FakeOpenAi start(String apiKey) {
    try {
      return new FakeOpenAi(apiKey);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind the fake OpenAI server on loopback", e);
    }
  }

  /** The base URL without {@code /v1}, e.g. {@code http://127.0.0.1:54321}. */
  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + port());
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Answers every later chat completion with {@code text}; null restores the default reply. */
  public FakeOpenAi reply(String text) {
    this.reply = text;
    return this;
  }

  /** Answers every later chat completion with HTTP 200 and exactly this body (e.g. malformed JSON). */
  public FakeOpenAi rawReply(String body) {
    this.rawReply = body;
    return this;
  }

  /** Waits this long before answering any request (to test timeouts). */
  public FakeOpenAi delay(Duration delay) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must be >= 0: " + delay);
    }
    this.delay = delay;
    return this;
  }

  /**
   * Answers every later request with this HTTP status and an OpenAI error body; 0 turns it off. A
   * 429 is OpenAI's rate-limit answer: type {@code requests}, code {@code rate_limit_exceeded} and a
   * {@code Retry-After} header.
   */
  public FakeOpenAi failWith(int status) {
    if (status != 0 && (status < 400 || status > 599)) {
      throw new IllegalArgumentException("status must be 4xx, 5xx or 0: " + status);
    }
    this.failStatus = status;
    return this;
  }

  /** Clears every knob and the recorded requests. */
  public FakeOpenAi reset() {
    delay = Duration.ZERO;
    failStatus = 0;
    reply = null;
    rawReply = null;
    requests.clear();
    return this;
  }

  /** Every request received so far, in arrival order (a snapshot). */
  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /** Stops the server; same as {@link #close()}. */
  public void stop() {
    close();
  }

  @Override
  public void close() {
    if (stopped.getAndSet(true)) {
      return;
    }
    server.stop(0);
    handlers.shutdownNow(); // interrupts delayed answers
    try {
      handlers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "FakeOpenAi{" + baseUrl() + "}";
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String body = readBody(exchange.getRequestBody());
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      String auth = exchange.getRequestHeaders().getFirst("Authorization");
      requests.add(new Request(method, path, auth, body));
      if (!sleep(delay)) {
        return; // stopping: drop the connection
      }
      if (apiKey != null && !("Bearer " + apiKey).equals(auth)) {
        sendError(exchange, 401, "Incorrect API key provided.", "invalid_request_error");
      } else if (failStatus == 429) {
        // OpenAI's rate-limit answer: its own error type and code, and when to come back
        exchange.getResponseHeaders().set("Retry-After", "20");
        sendError(exchange, 429, "Rate limit reached for requests. Please try again in 20s.", "requests",
            "rate_limit_exceeded");
      } else if (failStatus != 0) {
        sendError(exchange, failStatus, "The fake server was told to fail with " + failStatus + ".",
            failStatus >= 500 ? "server_error" : "invalid_request_error");
      } else if (path.equals("/v1/models") && method.equals("GET")) {
        send(exchange, 200, models());
      } else if (path.equals("/v1/chat/completions") && method.equals("POST")) {
        chat(exchange, body);
      } else {
        sendError(exchange, 404, "Unknown request URL: " + method + " " + path + ".", "invalid_request_error");
      }
    }
  }

  private void chat(HttpExchange exchange, String body) throws IOException {
    String raw = rawReply;
    if (raw != null) {
      send(exchange, 200, raw);
      return;
    }
    JsonNode request;
    try {
      request = json.readTree(body);
    } catch (IOException e) {
      sendError(exchange, 400, "We could not parse the JSON body of your request.", "invalid_request_error");
      return;
    }
    JsonNode messages = request == null ? null : request.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      sendError(exchange, 400, "'messages' must be a non-empty array.", "invalid_request_error");
      return;
    }
    String model = request.path("model").asText(MODEL);
    String text = reply != null ? reply : "fake reply to: " + lastUserMessage(messages);
    send(exchange, 200, completion(model, text));
  }

  private static String lastUserMessage(JsonNode messages) {
    String last = "";
    for (JsonNode m : messages) {
      if ("user".equals(m.path("role").asText())) {
        last = m.path("content").asText();
      }
    }
    return last;
  }

  private String completion(String model, String text) throws IOException {
    ObjectNode root = json.createObjectNode();
    root.put("id", "chatcmpl-fake-" + completions.incrementAndGet());
    root.put("object", "chat.completion");
    root.put("created", System.currentTimeMillis() / 1000);
    root.put("model", model);
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", "assistant");
    message.put("content", text);
    choice.put("finish_reason", "stop");
    ObjectNode usage = root.putObject("usage");
    usage.put("prompt_tokens", 10);
    usage.put("completion_tokens", text.split("\\s+").length);
    usage.put("total_tokens", 10 + text.split("\\s+").length);
    return json.writeValueAsString(root);
  }

  private String models() throws IOException {
    ObjectNode root = json.createObjectNode();
    root.put("object", "list");
    ArrayNode data = root.putArray("data");
    ObjectNode model = data.addObject();
    model.put("id", MODEL);
    model.put("object", "model");
    model.put("created", 0);
    model.put("owned_by", "comfygate-testkit");
    return json.writeValueAsString(root);
  }

  private void sendError(HttpExchange exchange, int status, String message, String type) throws IOException {
    sendError(exchange, status, message, type, null);
  }

  private void sendError(HttpExchange exchange, int status, String message, String type, String code) throws IOException {
    ObjectNode root = json.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("message", message);
    error.put("type", type);
    error.putNull("param");
    if (code == null) {
      error.putNull("code");
    } else {
      error.put("code", code);
    }
    send(exchange, status, json.writeValueAsString(root));
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static String readBody(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }

  /** Sleeps, or returns false if the fake is stopping (its handler thread was interrupted). */
  private static boolean sleep(Duration d) {
    if (d.isZero()) {
      return true;
    }
    try {
      Thread.sleep(d.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
