package io.comfygate.internal.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.events.ComfyEvent;
import io.comfygate.testkit.Transcripts;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every text frame and raw binary frame recorded from the real ComfyUI 0.3.64 parses. */
class TranscriptParsingTest {
  private static final Set<String> KNOWN = Set.of("status", "execution_start", "execution_cached", "executing",
      "progress", "progress_state", "executed", "execution_success", "execution_error", "execution_interrupted",
      "feature_flags");

  @Test
  void everyRecordedTextFrameParsesToItsModelledType() throws Exception {
    int frames = 0;
    for (String name : Transcripts.names()) {
      if (!name.endsWith(".ws.json")) {
        continue;
      }
      JsonNode file = Json.MAPPER.readTree(Transcripts.text(name));
      for (JsonNode f : textFrames(file)) {
        String text = f.get("text").asText();
        ComfyEvent event = EventParser.parse(text);
        String type = Json.MAPPER.readTree(text).get("type").asText();
        assertThat(event.type()).as(name + " seq " + f.path("seq")).isEqualTo(type);
        assertThat(event).as(name).isNotInstanceOf(ComfyEvent.Unknown.class);
        assertThat(KNOWN).contains(type);
        frames++;
      }
    }
    assertThat(frames).isGreaterThan(200);
  }

  private static List<JsonNode> textFrames(JsonNode file) {
    List<JsonNode> out = new ArrayList<>();
    for (String key : List.of("frames", "frames_first_connection", "frames_second_connection")) {
      file.path(key).forEach(f -> {
        if ("text".equals(f.path("opcode").asText())) {
          out.add(f);
        }
      });
    }
    return out;
  }

  @Test
  void successRunFramesCarryTheirFields() throws Exception {
    JsonNode file = Json.MAPPER.readTree(Transcripts.text("03_run_ok.ws.json"));
    List<ComfyEvent> events = new ArrayList<>();
    textFrames(file).forEach(f -> events.add(EventParser.parse(f.get("text").asText())));
    ComfyEvent last = events.get(events.size() - 1);
    assertThat(last).isInstanceOfSatisfying(ComfyEvent.Executing.class, e -> {
      assertThat(e.isPromptDone()).isTrue();
      assertThat(e.promptId()).isEqualTo("ff0cb479-6e99-495a-b41d-e719f3c581d4");
    });
    assertThat(events).filteredOn(ComfyEvent.Executed.class::isInstance).singleElement()
        .satisfies(e -> assertThat(((ComfyEvent.Executed) e).images()).extracting(ComfyEvent.ImageRef::filename)
            .containsExactly("jtest_00001_.png", "jtest_00002_.png"));
    assertThat(events).filteredOn(ComfyEvent.Progress.class::isInstance).first()
        .satisfies(e -> assertThat(((ComfyEvent.Progress) e).max()).isEqualTo(2.0));
    assertThat(events).filteredOn(ComfyEvent.ProgressState.class::isInstance).last()
        .satisfies(e -> assertThat(((ComfyEvent.ProgressState) e).nodes()).containsKey("1"));
  }

  @Test
  void errorAndBlockedVariantsParse() throws Exception {
    JsonNode file = Json.MAPPER.readTree(Transcripts.text("08_run_execution_error_mismatch.ws.json"));
    ComfyEvent.ExecutionError err = textFrames(file).stream().map(f -> EventParser.parse(f.get("text").asText()))
        .filter(ComfyEvent.ExecutionError.class::isInstance).map(ComfyEvent.ExecutionError.class::cast)
        .findFirst().orElseThrow();
    assertThat(err.nodeId()).isNotBlank();
    assertThat(err.exceptionType()).isNotBlank();
    assertThat(err.currentInputs().isObject()).isTrue();
    assertThat(err.isBlocked()).isFalse();

    ComfyEvent blocked = EventParser.parse("{\"type\":\"execution_error\",\"data\":{\"prompt_id\":\"p\",\"node_id\":\"3\","
        + "\"node_type\":\"X\",\"executed\":[],\"exception_message\":\"blocked\",\"exception_type\":\"ExecutionBlocked\","
        + "\"traceback\":[],\"current_inputs\":[],\"current_outputs\":[]}}");
    assertThat(blocked).isInstanceOfSatisfying(ComfyEvent.ExecutionError.class, b -> {
      assertThat(b.isBlocked()).isTrue();
      assertThat(b.timestamp()).isZero();
      assertThat(b.currentInputs().isArray()).isTrue();
    });
  }

  @Test
  void oldServerShapesAndUnknownTypesAreTolerated() {
    assertThat(EventParser.parse("{\"type\":\"progress\",\"data\":{\"value\":3,\"max\":20}}"))
        .isEqualTo(new ComfyEvent.Progress(3, 20, null, null));
    assertThat(EventParser.parse("{\"type\":\"executing\",\"data\":{\"node\":\"10\"}}"))
        .isInstanceOfSatisfying(ComfyEvent.Executing.class, e -> {
          assertThat(e.promptId()).isNull();
          assertThat(e.nodeToDisplay()).isEqualTo("10");
        });
    assertThat(EventParser.parse("{\"type\":\"executed\",\"data\":{\"node\":\"9\",\"output\":null,\"prompt_id\":\"p\"}}"))
        .isInstanceOfSatisfying(ComfyEvent.Executed.class, e -> {
          assertThat(e.output()).isNull();
          assertThat(e.images()).isEmpty();
        });
    assertThat(EventParser.parse("{\"type\":\"notification\",\"data\":{\"value\":\"hi\"}}"))
        .isInstanceOfSatisfying(ComfyEvent.Unknown.class, u -> assertThat(u.raw().path("data").path("value").asText()).isEqualTo("hi"));
  }

  @Test
  void recordedBinaryFramesDecode() {
    for (int i = 0; i < 2; i++) {
      ComfyEvent type1 = BinaryFrames.decode(ByteBuffer.wrap(Transcripts.bytes("03_run_ok.binary_frame_" + i + ".bin"))).orElseThrow();
      assertThat(type1).isInstanceOfSatisfying(ComfyEvent.Preview.class, p -> {
        assertThat(p.mimeType()).isEqualTo("image/png");
        assertThat(p.size()).isEqualTo(489);
        assertThat(p.bytes()).startsWith(0x89, 'P', 'N', 'G');
        assertThat(p.promptId()).isNull();
      });
      ComfyEvent type4 = BinaryFrames.decode(ByteBuffer.wrap(
          Transcripts.bytes("06_run_ok_feature_flags_client.binary_frame_" + i + ".bin"))).orElseThrow();
      assertThat(type4).isInstanceOfSatisfying(ComfyEvent.Preview.class, p -> {
        assertThat(p.mimeType()).isEqualTo("image/png");
        assertThat(p.bytes()).startsWith(0x89, 'P', 'N', 'G');
        assertThat(p.promptId()).isNotBlank();
        assertThat(p.nodeId()).isNotBlank();
      });
    }
  }

  @Test
  void textBinaryFrameAndUnknownOrTruncatedFrames() {
    byte[] node = "12".getBytes();
    ByteBuffer text = ByteBuffer.allocate(8 + node.length + 5).putInt(3).putInt(node.length).put(node).put("hello".getBytes());
    assertThat(BinaryFrames.decode(text.flip())).contains(new ComfyEvent.ProgressText("12", "hello"));
    assertThat(BinaryFrames.decode(ByteBuffer.allocate(8).putInt(7).putInt(1).flip())).isEmpty();
    assertThat(BinaryFrames.decode(ByteBuffer.allocate(6).putInt(4).putShort((short) 1).flip())).isEmpty();
    assertThat(BinaryFrames.decode(ByteBuffer.allocate(12).putInt(3).putInt(99).putInt(0).flip())).isEmpty();
    ComfyEvent jpeg = BinaryFrames.decode(ByteBuffer.allocate(10).putInt(1).putInt(1).putShort((short) 0xFFD8).flip()).orElseThrow();
    assertThat(((ComfyEvent.Preview) jpeg).mimeType()).isEqualTo("image/jpeg");
  }
}
