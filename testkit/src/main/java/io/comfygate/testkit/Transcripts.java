package io.comfygate.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Messages recorded from a real ComfyUI 0.3.64 server (HTTP exchanges, WebSocket frames and raw
 * binary frames), shipped with the testkit so that the fake and every client test can be checked
 * against what the real server said. See {@code transcripts/README.md} for the format.
 */
public final class Transcripts {
  private static final String ROOT = "/io/comfygate/testkit/transcripts/";

  private Transcripts() {}

  /** Names of all recorded files, e.g. {@code 03_run_ok.ws.json}. */
  public static List<String> names() {
    return new String(bytes("index.txt"), StandardCharsets.UTF_8).lines().filter(s -> !s.isBlank()).toList();
  }

  /** The raw bytes of one recorded file. */
  public static byte[] bytes(String name) {
    try (InputStream in = Transcripts.class.getResourceAsStream(ROOT + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no such transcript: " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read transcript " + name, e);
    }
  }

  /** One recorded file as UTF-8 text. */
  public static String text(String name) {
    return new String(bytes(name), StandardCharsets.UTF_8);
  }
}
