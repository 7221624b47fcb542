package io.comfygate.web;

import static io.comfygate.web.ItHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * The property-based fuzz test of the deployed WAR: {@link FuzzProperties} on jqwik's engine,
 * started from here because the deployment (Arquillian) is a Jupiter extension. Each property
 * runs a bounded number of tries ({@code -Dfuzz.tries}, default 200 each) from a random seed;
 * a failure names the seed and the smallest request jqwik found, and jqwik's statistics (answers
 * by status, routes, encodings) are printed either way.
 *
 * <pre>./mvnw -B -pl webapp -am verify -Dit.test=PropertyFuzzIT -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
class PropertyFuzzIT extends DeployedWar {
  @RegisterExtension static final ItComfy comfy = ItComfy.withSteps(1);
  private static final String SUBMIT = "{\"params\": {\"prompt\": \"fuzz\", \"width\": 64, \"height\": 64, \"steps\": 1}}";

  @Test
  @Timeout(300)
  void submitBodiesAndEveryGetQueryHoldTheirProperties() {
    http.awaitHealthy();
    JsonNode done = http.awaitState(http.relative(http.send("POST", "api/v1/jobs", "alice", SUBMIT)
        .headers().firstValue("Location").orElseThrow()), "alice", "succeeded", Duration.ofSeconds(30));
    String keyId = json(http.send("POST", "api/v1/admin/api-keys", "root", "{\"user_id\": \"bob\", \"name\": \"fuzz\"}"), 201)
        .path("api_key").path("id").asText();
    // alice's upload makes img2img bodies acceptable when she sends them (and another's id when root does).
    String uploadId = json(ItUploads.upload(http, "alice", ItUploads.png(64, 64)), 201).path("id").asText();
    List<String> knownIds = List.of(done.path("id").asText(), done.path("images").get(0).path("id").asText(), keyId, uploadId);

    FuzzProperties.target = new FuzzProperties.Target(URI.create("http://127.0.0.1:" + base.getPort() + base.getPath()),
        json(http.send("GET", "api/v1/templates", "alice", null), 200), json(http.send("GET", "openapi.json", null, null), 200),
        knownIds, Path.of(ItHttp.itSetting("OUTPUT_DIR"), "uploads"));
    EngineExecutionResults results;
    try {
      results = EngineTestKit.engine("jqwik")
          .selectors(DiscoverySelectors.selectClass(FuzzProperties.class))
          .configurationParameter("jqwik.tries.default", Integer.getInteger("fuzz.tries", 200).toString())
          .configurationParameter("jqwik.database", Path.of(System.getProperty("java.io.tmpdir"), "jqwik-database").toString())
          .configurationParameter("jqwik.failures.runfirst", "false")
          .execute();
    } finally {
      FuzzProperties.target = null;
    }
    results.allEvents().reportingEntryPublished().stream()
        .map(e -> e.getPayload(org.junit.platform.engine.reporting.ReportEntry.class).map(Object::toString).orElse(""))
        .forEach(System.out::println);
    List<String> failures = results.testEvents().failed().stream().map(PropertyFuzzIT::describe).collect(Collectors.toList());
    assertThat(failures).as("properties that failed").isEmpty();
    assertThat(results.testEvents().succeeded().count()).as("properties that ran and held").isEqualTo(2);
  }

  private static String describe(Event event) {
    return event.getTestDescriptor().getDisplayName() + ": " + event.getPayload(org.junit.platform.engine.TestExecutionResult.class)
        .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable).map(Throwable::toString).orElse("failed");
  }
}
