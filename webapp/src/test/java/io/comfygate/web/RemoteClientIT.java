package io.comfygate.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.remote.Admin;
import io.comfygate.remote.CallsOperation;
import io.comfygate.remote.ComfyGateClient;
import io.comfygate.remote.JobRequest;
import io.comfygate.remote.Operations;
import io.comfygate.remote.RetryPolicy;
import io.comfygate.remote.Submission;
import io.comfygate.remote.errors.ForbiddenException;
import io.comfygate.remote.errors.IdempotencyKeyReusedException;
import io.comfygate.remote.errors.InvalidParamsException;
import io.comfygate.remote.errors.NotFoundException;
import io.comfygate.remote.errors.QuotaExceededException;
import io.comfygate.remote.errors.UnauthorizedException;
import io.comfygate.remote.live.LiveEvent;
import io.comfygate.remote.live.LiveSubscription;
import io.comfygate.remote.model.ApiKey;
import io.comfygate.remote.model.Health;
import io.comfygate.remote.model.Image;
import io.comfygate.remote.model.ImageFilter;
import io.comfygate.remote.model.IssuedApiKey;
import io.comfygate.remote.model.Job;
import io.comfygate.remote.model.JobState;
import io.comfygate.remote.model.Page;
import io.comfygate.remote.model.Template;
import io.comfygate.remote.model.Upload;
import io.comfygate.remote.model.WebhookDelivery;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Java client ({@code comfygate-client}) against the packaged WAR in a real Tomcat with the
 * FakeComfyUi: every operation, and the faults it must ride out (a lost answer, 429, a cut socket,
 * bad and revoked credentials).
 */
class RemoteClientIT extends DeployedWar {
  private static final Duration WAIT = Duration.ofSeconds(60);
  // about 1.2 s per job: slow enough to cut a socket mid-job and to fill a user's queue
  @RegisterExtension
  static final ItComfy comfy = new ItComfy(b -> b.steps(4).stepDelay(Duration.ofMillis(300)).samplerPreviews(true));
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private <T extends AutoCloseable> T closing(T c) {
    closing.add(c);
    return c;
  }

  private ComfyGateClient client(String user) {
    return closing(ComfyGateClient.builder().baseUrl(http.uri("http", "")).basicAuth(user, user + "-pw")
        .connectTimeout(Duration.ofSeconds(3)).readTimeout(Duration.ofSeconds(10)).build());
  }

  @Test
  void theClientOffersEveryOperationOfTheOpenApiDocumentOrSaysWhyNot() {
    JsonNode doc = ItHttp.json(http.send("GET", "openapi.json", null, null), 200);
    Set<String> served = new TreeSet<>();
    doc.get("paths").forEach(item -> item.forEach(op -> {
      if (op.has("operationId")) {
        served.add(op.get("operationId").asText());
      }
    }));
    Set<String> offered = new HashSet<>();
    for (Class<?> type : List.of(ComfyGateClient.class, Admin.class)) {
      for (Method m : type.getMethods()) {
        CallsOperation calls = m.getAnnotation(CallsOperation.class);
        if (calls != null) {
          offered.addAll(List.of(calls.value()));
        }
      }
    }
    Set<String> missing = new TreeSet<>(served);
    missing.removeAll(offered);
    missing.removeAll(Operations.LEFT_OUT.keySet());
    assertThat(missing).as("operations of /openapi.json the client neither offers nor leaves out on purpose").isEmpty();
    assertThat(served).as("the client names no operation the server lacks").containsAll(offered)
        .containsAll(Operations.LEFT_OUT.keySet());
  }

  @Test
  void everyUserOperation() throws Exception {
    http.awaitHealthy();
    ComfyGateClient alice = client("alice");

    Health health = alice.health();
    assertThat(health.ok()).isTrue();
    assertThat(health.checks()).isNotEmpty();
    Health precheck = alice.precheck();
    assertThat(precheck.ok()).isTrue();
    assertThat(precheck.simulated()).as("the FakeComfyUi is recognised as simulated").isTrue();
    List<Template> templates = alice.templates();
    assertThat(templates).extracting(Template::name).contains("txt2img", "img2img");
    assertThat(templates.stream().filter(Template::isDefault)).hasSize(1);
    io.comfygate.remote.model.PromptAssistant assistant = alice.promptAssistant();
    assertThat(assistant.enabled()).as("no LLM in this deployment").isFalse();
    assertThat(assistant.modes()).contains("translate", "expand");
    assertThatThrownBy(() -> alice.assistPrompt("바다 위의 등대", "translate"))
        .isInstanceOfSatisfying(io.comfygate.remote.errors.UnavailableException.class,
            e -> assertThat(e.code()).isEqualTo("llm_unavailable"));

    Upload upload = alice.upload(png(64, 48), "photo.png");
    assertThat(upload.width()).isEqualTo(64);
    assertThat(upload.contentType()).isEqualTo("image/png");
    assertThat(alice.uploadInfo(upload.id())).isEqualTo(upload);
    try (InputStream in = alice.openUpload(upload.id())) {
      assertThat(in.readAllBytes()).startsWith((byte) 0x89, (byte) 'P');
    }

    Submission submitted = alice.submit(JobRequest.builder().template("txt2img").param("prompt", "a remote lighthouse")
        .param("steps", 4).build());
    assertThat(submitted.replayed()).isFalse();
    Job job = submitted.job();
    assertThat(job.state()).isIn(JobState.QUEUED, JobState.RUNNING);
    assertThat(job.params().get("prompt").asText()).isEqualTo("a remote lighthouse");
    assertThat(job.createdAt()).isBefore(Instant.now().plusSeconds(1));
    alice.preview(job.id()); // present or not, depending on the moment; must not fail

    Job done = alice.await(job.id(), WAIT);
    assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(done.finishedAt()).isAfterOrEqualTo(done.startedAt());
    Job read = alice.job(job.id());
    assertThat(read.state()).isEqualTo(done.state());
    assertThat(read.images()).isEqualTo(done.images());
    assertThat(alice.cancel(job.id()).state()).as("cancelling an ended job changes nothing").isEqualTo(JobState.SUCCEEDED);
    Page<Job> page = alice.jobs(1, 5);
    assertThat(page.items().get(0).id()).isEqualTo(job.id());
    assertThat(StreamSupport.stream(alice.allJobs().spliterator(), false).map(Job::id)).contains(job.id())
        .doesNotHaveDuplicates().hasSize((int) page.total());

    String imageId = done.images().get(0).id();
    Image image = alice.image(imageId);
    assertThat(image.jobId()).isEqualTo(job.id());
    assertThat(alice.images(1, 100, false).items()).extracting(Image::id).contains(imageId);
    Path saved = alice.downloadImage(imageId, Files.createTempDirectory("client").resolve("out.png"));
    assertThat(Files.size(saved)).isEqualTo(image.sizeBytes());
    try (InputStream in = alice.openImage(imageId)) {
      assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(saved));
    }
    assertThat(alice.deleteImage(imageId).deleted()).isTrue();
    assertThat(alice.images(1, 100, true).items()).extracting(Image::id).contains(imageId);
    assertThat(StreamSupport.stream(alice.allImages(false).spliterator(), false).map(Image::id)).doesNotContain(imageId);
    assertThat(alice.restoreImage(imageId).deleted()).isFalse();

    assertThatThrownBy(() -> alice.job("j-no-such-job")).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> alice.submit(JobRequest.builder().param("prompt", "x").param("width", 13).build()))
        .isInstanceOfSatisfying(InvalidParamsException.class,
            e -> assertThat(e.problems()).extracting(InvalidParamsException.Problem::field).contains("width"));
    JobRequest first = JobRequest.builder().param("prompt", "keyed").idempotencyKey("it-" + UUID.randomUUID()).build();
    String firstId = alice.submit(first).job().id();
    Submission again = alice.submit(first);
    assertThat(again.replayed()).isTrue();
    assertThat(again.job().id()).isEqualTo(firstId);
    assertThatThrownBy(() -> alice.submit(first.toBuilder().param("prompt", "another").build()))
        .isInstanceOf(IdempotencyKeyReusedException.class);
    alice.await(firstId, WAIT);
  }

  @Test
  void everyAdminOperation() throws Exception {
    http.awaitHealthy();
    Admin admin = client("root").admin();
    ComfyGateClient alice = client("alice");

    Health status = admin.status();
    assertThat(status.ok()).isTrue();
    assertThat(status.cluster().instances()).singleElement()
        .satisfies(i -> assertThat(i.role()).isEqualTo("dispatcher"))
        .satisfies(i -> assertThat(i.id()).isEqualTo(status.cluster().dispatcher()));
    IssuedApiKey issued = admin.issueApiKey("dora", "it-" + UUID.randomUUID(), false, null);
    assertThat(issued.key()).startsWith("cgk_");
    assertThat(issued.webhookSecret()).startsWith("whsec_");
    assertThat(admin.apiKeys()).extracting(ApiKey::id).contains(issued.apiKey().id());
    URI hook = URI.create("http://127.0.0.1:9/hook"); // nothing listens: deliveries fail and are retried
    assertThat(admin.setWebhook(issued.apiKey().id(), hook).webhookUrl()).isEqualTo(hook.toString());
    String secret = admin.rotateWebhookSecret(issued.apiKey().id());
    assertThat(secret).startsWith("whsec_").isNotEqualTo(issued.webhookSecret());

    ComfyGateClient dora = closing(ComfyGateClient.builder().baseUrl(http.uri("http", "")).apiKey(issued.key()).build());
    Job hooked = dora.submit(JobRequest.prompt("hooked")).job();
    Page<WebhookDelivery> deliveries = awaitDeliveries(admin, hooked.id());
    WebhookDelivery delivery = deliveries.items().get(0);
    assertThat(delivery.jobId()).isEqualTo(hooked.id());
    assertThat(delivery.url()).isEqualTo(hook.toString());
    assertThat(admin.redeliver(delivery.eventId()).eventId()).isEqualTo(delivery.eventId());
    assertThat(admin.webhookDeliveries(WebhookDelivery.State.DELIVERED, hooked.id(), 1, 10).items()).isEmpty();
    assertThat(admin.setWebhook(issued.apiKey().id(), null).webhookUrl()).isNull();
    dora.await(hooked.id(), WAIT);

    Job queued = alice.submit(JobRequest.prompt("to be cancelled by an admin")).job();
    Job cancelled = admin.cancel(queued.id());
    assertThat(cancelled.id()).isEqualTo(queued.id());
    assertThat(alice.await(queued.id(), WAIT).state()).isIn(JobState.CANCELLED, JobState.SUCCEEDED);
    assertThat(admin.queue().backends()).isNotEmpty();

    Job made = alice.await(alice.submit(JobRequest.prompt("for the trash")).job().id(), WAIT);
    String imageId = made.images().get(0).id();
    Page<Image> alices = admin.images(ImageFilter.all().withUser("alice")
        .createdBetween(Instant.now().minus(Duration.ofHours(1)), Instant.now().plusSeconds(60)), 1, 100);
    assertThat(alices.items()).extracting(Image::id).contains(imageId);
    assertThat(alices.items()).extracting(Image::userId).containsOnly("alice");
    alice.deleteImage(imageId);
    assertThat(admin.images(ImageFilter.all().withInclude(ImageFilter.Include.DELETED), 1, 100).items())
        .extracting(Image::id).contains(imageId);
    assertThat(admin.purgeTrash().purged()).isPositive();
    assertThatThrownBy(() -> alice.image(imageId)).isInstanceOf(NotFoundException.class);

    assertThat(admin.revokeApiKey(issued.apiKey().id()).revoked()).isTrue();
    assertThatThrownBy(() -> dora.jobs(1, 10)).as("a revoked key").isInstanceOf(UnauthorizedException.class);
  }

  private static Page<WebhookDelivery> awaitDeliveries(Admin admin, String jobId) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    Page<WebhookDelivery> page = admin.webhookDeliveries(null, jobId, 1, 10);
    while (page.items().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(100);
      page = admin.webhookDeliveries(null, jobId, 1, 10);
    }
    assertThat(page.items()).as("deliveries of " + jobId).isNotEmpty();
    return page;
  }

  @Test
  void badCredentialsAndMissingRolesAreTypedErrors() {
    ComfyGateClient wrong = closing(ComfyGateClient.builder().baseUrl(http.uri("http", "")).basicAuth("alice", "nope").build());
    assertThatThrownBy(() -> wrong.jobs(1, 10)).isInstanceOf(UnauthorizedException.class);
    ComfyGateClient unknownKey = closing(ComfyGateClient.builder().baseUrl(http.uri("http", "")).apiKey("cgk_nosuchkey").build());
    assertThatThrownBy(unknownKey::templates).isInstanceOf(UnauthorizedException.class);
    assertThatThrownBy(() -> client("alice").admin().queue()).isInstanceOf(ForbiddenException.class);
  }

  @Test
  void aSubmitWhoseAnswerIsLostMakesOneJob() throws Exception {
    http.awaitHealthy();
    ItProxy proxy = closing(new ItProxy(Integer.getInteger("it.http.port")));
    ComfyGateClient carol = closing(ComfyGateClient.builder().baseUrl(proxy.uri(http.contextPath())).basicAuth("carol", "carol-pw")
        .retryPolicy(RetryPolicy.defaults().withBackoff(Duration.ofMillis(100), Duration.ofSeconds(1))).build());
    String prompt = "lost answer " + UUID.randomUUID();
    proxy.dropNextAnswerTo("POST " + http.contextPath() + "api/v1/jobs");

    Submission submitted = carol.submit(JobRequest.prompt(prompt));

    assertThat(proxy.dropped()).as("the first answer was dropped").isEqualTo(1);
    assertThat(submitted.replayed()).as("the retry got the job the first attempt made").isTrue();
    List<Job> mine = StreamSupport.stream(carol.allJobs().spliterator(), false)
        .filter(j -> j.params().path("prompt").asText().equals(prompt)).toList();
    assertThat(mine).extracting(Job::id).containsExactly(submitted.job().id());
    carol.await(submitted.job().id(), WAIT);
  }

  @Test
  void aSubmitOverTheLimitWaitsForRetryAfterAndThenSucceeds() throws Exception {
    http.awaitHealthy();
    ComfyGateClient bob = client("bob");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) { // one running, MAX_PER_USER_QUEUE=2 waiting
      ids.add(bob.submit(JobRequest.prompt("filler " + i)).job().id());
    }
    QuotaExceededException refused = null;
    try {
      bob.submit(JobRequest.prompt("one too many"), RetryPolicy.none());
    } catch (QuotaExceededException e) {
      refused = e;
    }
    assertThat(refused).as("without retries, the fourth is refused").isNotNull();
    assertThat(refused.retryAfter()).isPositive();
    assertThat(refused.limit()).isEqualTo(2);

    long start = System.nanoTime();
    Submission later = bob.submit(JobRequest.prompt("one more, later"),
        RetryPolicy.defaults().withMaxAttempts(20).withMaxRetryAfter(Duration.ofSeconds(20)).withBudget(WAIT));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("waited for a slot").isGreaterThanOrEqualTo(Duration.ofMillis(900));
    assertThat(later.replayed()).isFalse();
    ids.add(later.job().id());
    for (String id : ids) {
      assertThat(bob.await(id, WAIT).state()).isEqualTo(JobState.SUCCEEDED);
    }
  }

  @Test
  void aLiveSocketCutMidJobResumesAndNoStateChangeIsMissing() throws Exception {
    http.awaitHealthy();
    ItProxy proxy = closing(new ItProxy(Integer.getInteger("it.http.port")));
    ComfyGateClient alice = closing(ComfyGateClient.builder().baseUrl(proxy.uri(http.contextPath())).basicAuth("alice", "alice-pw").build());
    List<LiveEvent> events = new CopyOnWriteArrayList<>();
    LiveSubscription live = closing(alice.live(events::add));
    awaitEvent(events, e -> e instanceof LiveEvent.Snapshot);

    String id = client("alice").submit(JobRequest.prompt("cut mid-job")).job().id();
    awaitEvent(events, e -> e instanceof LiveEvent.JobChanged c && c.job().id().equals(id) && c.job().state() == JobState.RUNNING);
    proxy.cutAll(Duration.ofMillis(2500)); // the job ends while the client cannot reconnect

    LiveEvent end = awaitEvent(events, e -> e instanceof LiveEvent.JobChanged c && c.job().id().equals(id) && c.job().state().isFinal());
    assertThat(((LiveEvent.JobChanged) end).job().state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(events).anyMatch(e -> e instanceof LiveEvent.Disconnected);
    assertThat(events.stream().filter(e -> e instanceof LiveEvent.Snapshot)).as("a snapshot on reconnect").hasSizeGreaterThanOrEqualTo(2);
    List<JobState> states = events.stream().filter(e -> e instanceof LiveEvent.JobChanged c && c.job().id().equals(id))
        .map(e -> ((LiveEvent.JobChanged) e).job().state()).distinct().collect(Collectors.toList());
    assertThat(states).containsExactly(JobState.QUEUED, JobState.RUNNING, JobState.SUCCEEDED);
    assertThat(live.isConnected()).isTrue();
  }

  private static LiveEvent awaitEvent(List<LiveEvent> events, java.util.function.Predicate<LiveEvent> wanted) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      for (LiveEvent e : events) {
        if (wanted.test(e)) {
          return e;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no such event among " + events);
  }

  static byte[] png(int width, int height) throws java.io.IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }
}
