package io.comfygate.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.remote.ComfyGateClient;
import io.comfygate.remote.JobRequest;
import io.comfygate.remote.model.Job;
import io.comfygate.remote.model.JobState;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code await} rides out a restart of the server: the WAR is undeployed and deployed again while it waits. */
class RemoteClientRedeployIT extends RedeployableWar {
  @RegisterExtension
  static final ItComfy comfy = new ItComfy(b -> b.steps(6).stepDelay(Duration.ofMillis(500)));

  @Test
  void awaitReturnsTheJobAfterTheServerRestarted() throws Exception {
    deployWar();
    try (ComfyGateClient alice = ComfyGateClient.builder().baseUrl(http.uri("http", "")).basicAuth("alice", "alice-pw")
        .pollInterval(Duration.ofMillis(500)).connectTimeout(Duration.ofSeconds(2)).readTimeout(Duration.ofSeconds(5)).build()) {
      http.awaitHealthy();
      Job job = alice.submit(JobRequest.prompt("across a restart")).job();
      CompletableFuture<Job> awaited = CompletableFuture.supplyAsync(() -> alice.await(job.id(), Duration.ofSeconds(90)));
      Thread.sleep(500);
      undeployWar();
      Thread.sleep(1500); // the client meets a closed socket and 404s from Tomcat meanwhile
      assertThat(awaited).as("still waiting while the server is away").isNotDone();
      deployWar();

      Job done = awaited.get(90, TimeUnit.SECONDS);
      assertThat(done.id()).isEqualTo(job.id());
      assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
    } finally {
      undeployWar();
    }
  }
}
