package io.comfygate.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The live updates WebSocket of the packaged WAR in a real Tomcat 11, with the JDK's WebSocket
 * client: who may connect (Basic, API key as Bearer or access_token, nobody else), what a user
 * receives while a job runs, and the snapshot a reconnecting browser gets.
 */
class LiveUpdatesIT extends DeployedWar {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(20);
  // Steps slower than the hub's 250 ms progress throttle, so every step shows; 2 s per job.
  @RegisterExtension
  static final ItComfy comfy = new ItComfy(b -> b.steps(5).stepDelay(Duration.ofMillis(400)).samplerPreviews(true));
  private final List<WebSocket> sockets = new ArrayList<>();

  @AfterEach
  void closeSockets() {
    sockets.forEach(WebSocket::abort);
  }

  @Test
  void aUserFollowsTheirJobFromSnapshotToImagesAndNobodyElseSeesIt() throws Exception {
    http.awaitHealthy();
    ItLiveSocket alice = connect("", "Authorization", ItHttp.basic("alice"));
    ItLiveSocket bob = connect("?access_token=" + issueKey("bob"));
    assertThat(alice.next("snapshot").get("jobs").isArray()).isTrue();
    assertThat(bob.next("snapshot").get("jobs").isArray()).isTrue();

    String id = submit("alice");
    List<JsonNode> seen = alice.until(m -> id.equals(jobId(m)) && "job_complete".equals(m.path("event").asText()));
    List<JsonNode> mine = seen.stream().filter(m -> id.equals(jobId(m))).toList();

    assertThat(mine.stream().filter(m -> m.path("type").asText().equals("job")).map(m -> m.get("event").asText()))
        .containsExactly("enqueue", "job_start", "job_complete");
    List<Integer> percents = mine.stream().filter(m -> m.path("type").asText().equals("progress"))
        .map(m -> m.get("percent").asInt()).toList();
    assertThat(percents).hasSizeGreaterThanOrEqualTo(2).isSorted();
    assertThat(percents.get(percents.size() - 1)).isGreaterThan(percents.get(0));
    int started = indexOf(mine, "job_start");
    assertThat(mine.subList(0, started)).as("no progress before the start").noneMatch(m -> m.path("type").asText().equals("progress"));
    JsonNode preview = mine.stream().filter(m -> m.path("type").asText().equals("preview")).findFirst().orElseThrow();
    assertThat(preview.get("mime").asText()).startsWith("image/");
    assertThat(Base64.getDecoder().decode(preview.get("data").asText())).isNotEmpty();
    JsonNode done = mine.get(mine.size() - 1).get("job");
    assertThat(done.get("state").asText()).isEqualTo("succeeded");
    assertThat(done.get("images").get(0).get("id").asText()).isNotBlank();
    assertThat(done.get("images").get(0).get("url").asText()).endsWith("/file");

    Thread.sleep(300); // anything for bob would have been sent with alice's messages
    assertThat(bob.received()).as("bob sees none of alice's job").noneMatch(m -> m.toString().contains(id));
  }

  @Test
  void aReconnectingClientGetsTheCurrentStateAtOnce() throws Exception {
    http.awaitHealthy();
    String key = issueKey("alice");
    String id = submit("alice");
    awaitState(id, "running");

    ItLiveSocket during = connect("", "Authorization", "Bearer " + key);
    JsonNode running = find(during.next("snapshot"), id);
    assertThat(running.get("state").asText()).isEqualTo("running");
    during.close();

    awaitState(id, "succeeded");
    ItLiveSocket after = connect("", "Authorization", "Bearer " + key);
    JsonNode finished = find(after.next("snapshot"), id);
    assertThat(finished.get("state").asText()).isEqualTo("succeeded");
    assertThat(finished.get("progress").get("percent").asInt()).isEqualTo(100);
    assertThat(finished.get("images")).isNotEmpty();
  }

  @Test
  void aConnectionWithoutValidCredentialsIsRefused() throws Exception {
    ItLiveSocket anonymous = connect("");
    assertThat(anonymous.closeCode().get(10, TimeUnit.SECONDS)).isEqualTo(1008);
    assertThat(anonymous.received()).isEmpty();

    ItLiveSocket badToken = connect("?access_token=cg_not-a-key");
    assertThat(badToken.closeCode().get(10, TimeUnit.SECONDS)).isEqualTo(1008);

    ItLiveSocket noRole = connect("", "Authorization", ItHttp.basic("nobody"));
    assertThat(noRole.closeCode().get(10, TimeUnit.SECONDS)).isEqualTo(1008);

    // A wrong password is refused by the API's auth filter before any upgrade: an HTTP 401.
    assertThatThrownBy(() -> connect("", "Authorization", ItHttp.basicOf("alice:wrong")))
        .cause().isInstanceOfSatisfying(WebSocketHandshakeException.class,
            e -> assertThat(e.getResponse().statusCode()).isEqualTo(401));
  }

  /**
   * The socket's rule holds however its path is spelled. For every variant of {@link PathVariants}
   * and four callers without a right to it (nobody; a bad key; alice's session cookie sent by a
   * page of another site, and by this host under another scheme), the handshake fails or the socket
   * is closed with 1008 before any message. Alice's cookie from this server's own page opens it.
   */
  @Test
  void noSpellingOfTheSocketsPathOpensItWithoutARightfulIdentity() throws Exception {
    HttpResponse<String> signIn = send("POST", "api/v1/session", null, "{\"username\": \"alice\", \"password\": \"alice-pw\"}");
    String cookie = ItHttp.sessionCookie(signIn);
    URI own = http.uri("http", "");
    String self = "http://" + own.getAuthority();
    ItLiveSocket opened = connectTo(http.uri("ws", "api/v1/live"), "Cookie", cookie, "Origin", self);
    opened.next("snapshot");
    opened.close();

    List<String[]> refused = List.of(new String[0], new String[] {"Authorization", "Bearer cgk_not-a-key"},
        new String[] {"Cookie", cookie, "Origin", "http://evil.example"},
        new String[] {"Cookie", cookie, "Origin", "https://" + own.getAuthority()});
    int handshakes = 0;
    int closed1008 = 0;
    for (String path : PathVariants.of(own.getPath() + "api/v1/live").values()) {
      for (String[] headers : refused) {
        handshakes++;
        URI uri;
        try {
          uri = URI.create("ws://" + own.getAuthority() + path);
        } catch (IllegalArgumentException notAUri) {
          continue;
        }
        ItLiveSocket socket;
        try {
          socket = connectTo(uri, headers);
        } catch (IllegalStateException | IllegalArgumentException refusedBeforeTheUpgrade) {
          continue;
        }
        assertThat(socket.closeCode().get(10, TimeUnit.SECONDS)).as("%s with %s", path, List.of(headers)).isEqualTo(1008);
        assertThat(socket.received()).as("%s with %s", path, List.of(headers)).isEmpty();
        closed1008++;
      }
    }
    System.out.printf("live socket sweep: %d handshakes, %d reached the endpoint and were closed with 1008%n", handshakes, closed1008);
    assertThat(closed1008).as("variants that reached the endpoint").isGreaterThan(20);
  }

  // ------------------------------------------------------------------------------- helpers

  private ItLiveSocket connect(String query, String... headers) throws Exception {
    return connectTo(http.uri("ws", "api/v1/live" + query), headers);
  }

  private ItLiveSocket connectTo(URI uri, String... headers) throws Exception {
    ItLiveSocket socket = ItLiveSocket.open(http, uri, headers);
    sockets.add(socket.webSocket());
    return socket;
  }

  private static String jobId(JsonNode message) {
    return message.has("job") ? message.get("job").path("id").asText() : message.path("job_id").asText();
  }

  private static int indexOf(List<JsonNode> messages, String event) {
    for (int i = 0; i < messages.size(); i++) {
      if (event.equals(messages.get(i).path("event").asText())) {
        return i;
      }
    }
    throw new AssertionError("no " + event + " in " + messages);
  }

  private static JsonNode find(JsonNode snapshot, String id) {
    for (JsonNode job : snapshot.get("jobs")) {
      if (job.get("id").asText().equals(id)) {
        return job;
      }
    }
    throw new AssertionError("job " + id + " not in the snapshot " + snapshot);
  }

  private String submit(String user) throws Exception {
    HttpResponse<String> submitted = send("POST", "api/v1/jobs", user,
        "{\"params\": {\"prompt\": \"a harbour at dusk\", \"width\": 64, \"height\": 64, \"steps\": 5}}");
    assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
    return JSON.readTree(submitted.body()).get("id").asText();
  }

  private String issueKey(String user) throws Exception {
    HttpResponse<String> issued = send("POST", "api/v1/admin/api-keys", "root",
        "{\"user_id\": \"" + user + "\", \"name\": \"live updates IT\"}");
    assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
    return JSON.readTree(issued.body()).get("key").asText();
  }

  private void awaitState(String id, String state) {
    http.awaitState("api/v1/jobs/" + id, "alice", state, WAIT);
  }

  private HttpResponse<String> send(String method, String path, String user, String body) {
    return http.send(method, path, user, body);
  }
}
