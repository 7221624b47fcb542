package io.comfygate.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.errors.ComfyHttpException;
import io.comfygate.errors.ComfyServerErrorException;
import io.comfygate.errors.ComfyValidationException;
import io.comfygate.internal.http.HttpErrors;
import io.comfygate.internal.json.Json;
import io.comfygate.testkit.Transcripts;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** Every recorded HTTP body of the real server maps to the right value or exception. */
class TranscriptBodiesTest {
  private static final URI SERVER = URI.create("http://127.0.0.1:8188");

  private static JsonNode response(String name) throws Exception {
    return Json.MAPPER.readTree(Transcripts.text(name)).get("response");
  }

  private static JsonNode body(String name) throws Exception {
    return Json.MAPPER.readTree(response(name).get("body_text").asText());
  }

  @Test
  void everyInvalidPromptMapsToATypedFailure() throws Exception {
    int checked = 0;
    for (String name : Transcripts.names()) {
      if (!name.startsWith("07_")) {
        continue;
      }
      JsonNode r = response(name);
      int status = r.get("status").asInt();
      String text = r.get("body_text").asText();
      if (status == 200) {
        PromptAccepted ok = ResponseParsers.promptAccepted(Json.MAPPER.readTree(text));
        assertThat(ok.nodeErrors()).as(name).containsKey("3");
        checked++;
        continue;
      }
      ComfyHttpException e = HttpErrors.forStatus(SERVER, "POST /prompt", status, text);
      if (status == 400) {
        assertThat(e).as(name).isInstanceOf(ComfyValidationException.class);
        ComfyValidationException v = (ComfyValidationException) e;
        assertThat(v.errorType()).as(name).isNotBlank();
        if (v.errorType().equals("prompt_outputs_failed_validation")) {
          assertThat(v.nodeErrors()).as(name).isNotEmpty();
          assertThat(v.nodeErrors().values()).allSatisfy(n -> assertThat(n.errors()).isNotEmpty());
        }
        assertThat(v.getMessage()).contains(SERVER.toString()).contains("POST /prompt");
      } else {
        assertThat(e).as(name).isInstanceOf(ComfyServerErrorException.class);
        assertThat(e.body()).contains("Server got itself in trouble");
      }
      checked++;
    }
    assertThat(checked).isEqualTo(15);
  }

  @Test
  void validationNamesTheOffendingInput() throws Exception {
    String text = response("07_invalid_value_not_in_list.json").get("body_text").asText();
    ComfyValidationException v = (ComfyValidationException) HttpErrors.forStatus(SERVER, "POST /prompt", 400, text);
    assertThat(v.nodeErrors().get("4").errors()).singleElement()
        .satisfies(p -> {
          assertThat(p.type()).isEqualTo("value_not_in_list");
          assertThat(p.inputName()).isEqualTo("upscale_method");
        });
    assertThat(v.getMessage()).contains("node 4");
  }

  @Test
  void oldServerValidationShapeIsTolerated() {
    ComfyHttpException e = HttpErrors.forStatus(SERVER, "POST /prompt", 400, "{\"error\":\"no prompt\",\"node_errors\":[]}");
    assertThat(e).isInstanceOfSatisfying(ComfyValidationException.class, v -> {
      assertThat(v.errorMessage()).isEqualTo("no prompt");
      assertThat(v.errorType()).isEmpty();
      assertThat(v.nodeErrors()).isEmpty();
    });
    assertThat(HttpErrors.forStatus(SERVER, "POST /upload/image", 400, "")).isExactlyInstanceOf(ComfyHttpException.class);
  }

  @Test
  void historyBodiesParse() throws Exception {
    HistoryEntry ok = ResponseParsers.historyMap(body("03_get_history_prompt_id.json")).values().iterator().next();
    assertThat(ok.status()).isEqualTo(HistoryEntry.Status.SUCCESS);
    assertThat(ok.outputs()).extracting(OutputFile::filename).contains("jtest_00001_.png");
    assertThat(ok.outputs()).allSatisfy(o -> assertThat(o.type()).isEqualTo("output"));
    assertThat(ok.messages()).isNotEmpty();

    HistoryEntry err = ResponseParsers.historyMap(body("08_get_history_error.json")).values().iterator().next();
    assertThat(err.status()).isEqualTo(HistoryEntry.Status.ERROR);
    assertThat(err.error()).hasValueSatisfying(e -> assertThat(e.exceptionMessage()).isNotBlank());
    assertThat(CompletionTracker.outcomeOf(new CompletionTracker.Watch(err.promptId(), null), err))
        .isInstanceOf(PromptOutcome.Failed.class);

    HistoryEntry interrupted = ResponseParsers.historyMap(body("09_get_history_interrupted.json")).values().iterator().next();
    assertThat(interrupted.status()).isEqualTo(HistoryEntry.Status.INTERRUPTED);

    assertThat(ResponseParsers.historyMap(body("09_get_history_deleted_pending.json"))).isEmpty();
    assertThat(ResponseParsers.historyMap(body("10_get_history_all.json"))).hasSizeGreaterThan(2);
    assertThat(ResponseParsers.historyMap(body("10_get_history_max_items_2.json"))).hasSize(2);
    HistoryEntry temp = ResponseParsers.historyMap(body("14_get_history_client_prompt_id.json")).values().iterator().next();
    assertThat(temp.outputs()).anySatisfy(o -> assertThat(o.type()).isEqualTo("temp"));
  }

  @Test
  void oldHistoryWithoutStatusIsUnknownAndCountsAsSuccess() throws Exception {
    JsonNode old = Json.MAPPER.readTree("{\"p\":{\"prompt\":[1,\"p\",{},{},[\"9\"]],\"outputs\":{\"9\":{\"images\":"
        + "[{\"filename\":\"a.png\",\"subfolder\":\"\",\"type\":\"output\"}]}}}}");
    HistoryEntry h = ResponseParsers.historyMap(old).get("p");
    assertThat(h.status()).isEqualTo(HistoryEntry.Status.UNKNOWN);
    assertThat(CompletionTracker.outcomeOf(new CompletionTracker.Watch("p", null), h)).isInstanceOf(PromptOutcome.Succeeded.class);
  }

  @Test
  void queueSystemStatsFeaturesAndUploadBodiesParse() throws Exception {
    QueueSnapshot q = ResponseParsers.queue(body("09_get_queue_running_and_pending.json"));
    assertThat(q.running()).hasSize(1);
    assertThat(q.pending()).hasSize(3);
    assertThat(q.pending()).isSortedAccordingTo(java.util.Comparator.comparingDouble(QueueSnapshot.Item::number));
    assertThat(q.contains(q.pending().get(0).promptId())).isTrue();
    String pending = q.pending().get(0).promptId();
    String running = q.running().get(0).promptId();
    assertThat(q.isPending(pending)).isTrue();
    assertThat(q.isRunning(pending)).isFalse();
    assertThat(q.isRunning(running)).isTrue();
    assertThat(q.isPending(running)).isFalse();
    assertThat(q.contains("not-there")).isFalse();
    assertThat(ResponseParsers.queue(body("01_get_queue_empty.json")).running()).isEmpty();

    SystemStats stats = ResponseParsers.systemStats(body("01_get_system_stats.json"));
    assertThat(stats.comfyuiVersion()).isEqualTo("0.3.64");
    assertThat(stats.devices()).isNotEmpty();

    assertThat(ResponseParsers.features(body("01_get_features.json")).supportsPreviewMetadata()).isTrue();
    assertThat(ResponseParsers.features(body("01_get_features.json")).maxUploadSize()).isEqualTo(104857600L);

    UploadedImage up = ResponseParsers.uploaded(body("02_post_upload_image_subfolder.json"));
    assertThat(up.name()).isNotBlank();
    assertThat(up.subfolder()).isNotBlank();

    PromptAccepted accepted = ResponseParsers.promptAccepted(body("14_post_api_prompt_client_prompt_id.json"));
    assertThat(accepted.promptId()).isNotBlank();
  }
}
