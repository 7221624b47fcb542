package io.comfygate.web.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.util.BufferRecyclers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.comfygate.json.JsonMappers;
import io.comfygate.jobs.JobId;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The container's request threads outlive the WAR. Jackson, unless told otherwise, keeps a buffer
 * in a thread-local of every thread that reads or writes JSON, and that buffer's class is the
 * WAR's: Tomcat's findleaks then names the undeployed application for as long as memory is
 * plentiful. In memory, Jersey serves each request on the caller's thread, so a fresh thread
 * that makes every kind of call must end without such a buffer.
 */
class RequestThreadBuffersTest extends ResourceTestBase {
  private static final ObjectMapper JSON = JsonMappers.newMapper();

  @Test
  void requestsOfEveryKindLeaveNoJacksonBufferOnTheThreadThatServedThem() throws Exception {
    CompletableFuture<List<String>> left = new CompletableFuture<>();
    Thread requests = new Thread(() -> {
      try {
        left.complete(callsThatLeaveBuffers());
      } catch (Throwable e) {
        left.completeExceptionally(e);
      }
    }, "request-thread-under-test");
    requests.start();

    assertThat(left.get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .as("calls after which the serving thread held one of Jackson's thread-local buffers").isEmpty();
  }

  /**
   * Each call in turn, named when Jackson's thread-local pool appeared on this thread after it. The
   * test reads answers as text and parses them with the SDK's pooled mapper, so that only the
   * server's side is judged.
   */
  private List<String> callsThatLeaveBuffers() throws Exception {
    List<String> offenders = new ArrayList<>();
    assertThat(hasJacksonBuffer()).as("a fresh thread").isFalse();
    String id = call(offenders, "submit", submit("tess;user", small("buffers")), 202).path("id").asText();
    call(offenders, "get a job", get("tess;user", "v1/jobs/" + id), 200);
    call(offenders, "list jobs", get("tess;user", "v1/jobs"), 200);
    waitUntil("the job ends", () -> engine.get(JobId.of(id), "tess").state().isTerminal());
    JsonNode images = call(offenders, "gallery", get("tess;user", "v1/images"), 200);
    String image = images.path("items").get(0).path("id").asText();
    call(offenders, "image metadata", get("tess;user", "v1/images/" + image), 200);
    call(offenders, "delete an image", post("tess;user", "v1/images/" + image + "/delete", null), 200);
    call(offenders, "pre-check", get("tess;user", "v1/precheck"), 200);
    call(offenders, "templates", get("tess;user", "v1/templates"), 200);
    call(offenders, "admin queue", get(ADMIN, "v1/admin/queue"), 200);
    call(offenders, "admin status", get(ADMIN, "v1/admin/status"), 200);
    call(offenders, "a refused parameter", get("tess;user", "v1/jobs?size=10000"), 400);
    call(offenders, "a refused submit", post("tess;user", "v1/jobs", "{\"params\": {\"prompt\": \"x\", \"width\": 7}}"), 400);
    call(offenders, "a body that is not JSON", post("tess;user", "v1/jobs", "{not json"), 400);
    call(offenders, "an unknown job", get("tess;user", "v1/jobs/not-a-job"), 404);
    return offenders;
  }

  /** The answer's JSON, after noting whether serving it left a buffer on this thread. */
  private static JsonNode call(List<String> offenders, String name, Response response, int status) throws Exception {
    String body = response.readEntity(String.class);
    if (hasJacksonBuffer()) {
      offenders.add(name);
      recyclerRef().remove(); // so that the next call is judged on its own
    }
    assertThat(response.getStatus()).as("%s: %s", name, body).isEqualTo(status);
    return JSON.readTree(body);
  }

  private static boolean hasJacksonBuffer() throws ReflectiveOperationException {
    return recyclerRef().get() != null;
  }

  /** Jackson's thread-local pool: {@code BufferRecyclers._recyclerRef}. */
  private static ThreadLocal<?> recyclerRef() throws ReflectiveOperationException {
    Field field = BufferRecyclers.class.getDeclaredField("_recyclerRef");
    field.setAccessible(true);
    return (ThreadLocal<?>) field.get(null);
  }
}
