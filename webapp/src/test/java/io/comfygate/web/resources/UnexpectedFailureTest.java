package io.comfygate.web.resources;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.auth.ApiKeys;
import io.comfygate.store.Stores;
import io.comfygate.web.AppServices;
import io.comfygate.web.ComfyApplication;
import io.comfygate.config.Settings;
import java.time.Clock;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * An unexpected failure is a 500 with an error id, and the same id is on the logged error (with
 * its stack trace); the response tells nothing of the cause. Provoked with API keys whose
 * database has been closed under them.
 */
class UnexpectedFailureTest extends ResourceTestBase {
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private Logger errors;

  @Override
  protected ComfyApplication application(AppServices services) {
    Stores closed = Stores.open(dir.resolve("db/broken.db").toString());
    ApiKeys broken = new ApiKeys(closed.apiKeys(), Clock.systemUTC());
    closed.close();
    return super.application(new AppServices(Settings.defaults(), services.engine(), broken));
  }

  @BeforeEach
  void captureLog() {
    errors = (Logger) LoggerFactory.getLogger("io.comfygate.web.errors");
    log.start();
    errors.addAppender(log);
  }

  @AfterEach
  void releaseLog() {
    errors.detachAppender(log);
  }

  @Test
  void aBrokenCollaboratorIsA500WithAnErrorIdThatIsInTheLog() {
    JsonNode body = error(get(ADMIN, "v1/admin/api-keys"), 500, "internal");
    String errorId = body.path("error_id").asText();
    assertThat(errorId).isNotBlank();
    assertThat(body.path("message").asText()).contains(errorId).doesNotContainIgnoringCase("sql").doesNotContain("closed");

    assertThat(log.list).filteredOn(e -> e.getKeyValuePairs() != null && e.getKeyValuePairs().stream()
        .anyMatch(kv -> kv.key.equals("error_id") && Objects.equals(kv.value, errorId)))
        .singleElement()
        .satisfies(e -> {
          assertThat(e.getLevel().toString()).isEqualTo("ERROR");
          assertThat(e.getThrowableProxy()).as("the stack trace is logged").isNotNull();
        });
  }

  @Test
  void eachFailureHasItsOwnId() {
    String first = error(get(ADMIN, "v1/admin/api-keys"), 500, "internal").path("error_id").asText();
    String second = error(post(ADMIN, "v1/admin/api-keys", "{\"user_id\": \"u\", \"name\": \"n\"}"), 500, "internal")
        .path("error_id").asText();
    assertThat(first).isNotEqualTo(second);
  }
}
