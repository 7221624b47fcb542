package io.comfygate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Access to the recorded transcripts of the real server. */
final class Recorded {
  private Recorded() {}

  static JsonNode file(String name) {
    return Json.parse(Transcripts.text(name));
  }

  /** The request body the recording sent. */
  static String requestBody(String name) {
    return file(name).path("request").path("body_text").asText();
  }

  static JsonNode responseJson(String name) {
    return file(name).path("response").path("body_json");
  }

  static int status(String name) {
    return file(name).path("response").path("status").asInt();
  }

  /** Frame types ({@code binary:N} for binary frames) of a recorded WS file. */
  static List<String> types(JsonNode frames) {
    List<String> out = new ArrayList<>();
    frames.forEach(f -> out.add(f.has("json") && !f.get("json").isNull()
        ? f.get("json").get("type").asText()
        : "binary:" + f.path("binary").path("event_type").asInt()));
    return out;
  }

  static List<String> wsTypes(String name) {
    return types(file(name).get("frames"));
  }

  /** The first recorded text frame of a type. */
  static JsonNode firstFrame(String name, String type) {
    for (JsonNode f : file(name).get("frames")) {
      if (type.equals(f.path("json").path("type").asText())) {
        return f.get("json");
      }
    }
    throw new AssertionError("no " + type + " frame in " + name);
  }
}
