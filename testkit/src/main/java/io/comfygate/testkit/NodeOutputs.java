package io.comfygate.testkit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The body of one node run: output nodes write PNGs, samplers and SaveImageWebsocket report
 * progress steps, everything else is computed by {@link NodeSimulator}. One instance per node run.
 */
final class NodeOutputs {
  private final PromptRun run;
  private final String id;
  private final String cls;
  private final Map<String, Object> in;
  private List<Object> values = List.of();
  private ObjectNode ui;
  private int steps;

  NodeOutputs(PromptRun run, String id, String cls, Map<String, Object> in) {
    this.run = run;
    this.id = id;
    this.cls = cls;
    this.in = in;
  }

  void run() throws NodeFailure, InterruptedException, PromptRun.Abandoned, PromptRun.Stop {
    FakeServerState st = run.state();
    switch (cls) {
      case "SaveImage":
        sleep(st.faults().nodeDelay());
        ui = save("output", String.valueOf(in.get("filename_prefix")));
        break;
      case "PreviewImage":
        ui = save("temp", "ComfyUI_temp_" + randomLetters(5));
        break;
      case "SaveImageWebsocket":
        Img images = (Img) in.get("images");
        steps = images.batch();
        for (int i = 0; i < steps; i++) {
          run.step(id, i, steps, images.png(i));
        }
        break;
      default:
        if (NodeCatalog.SAMPLERS.contains(cls)) {
          steps = st.config().steps();
          for (int s = 1; s <= steps; s++) {
            sleep(st.config().stepDelay());
            run.step(id, s, steps, st.config().samplerPreviews() ? Img.png(64, 64, Img.mix(s, id.hashCode())) : null);
          }
        } else {
          sleep(st.faults().nodeDelay());
        }
        values = st.simulator().compute(cls, in);
    }
  }

  private ObjectNode save(String type, String prefix) {
    Img images = (Img) in.get("images");
    List<byte[]> pngs = new ArrayList<>();
    for (int i = 0; i < images.batch(); i++) {
      pngs.add(images.png(i));
    }
    ObjectNode out = Json.object();
    ArrayNode list = out.putArray("images");
    for (String name : run.state().files().save(type, prefix, pngs)) {
      ObjectNode img = list.addObject();
      img.put("filename", name);
      img.put("subfolder", "");
      img.put("type", type);
    }
    return out;
  }

  private static void sleep(Duration d) throws InterruptedException {
    if (!d.isZero()) {
      Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
    }
  }

  private static String randomLetters(int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append((char) ('a' + ThreadLocalRandom.current().nextInt(26)));
    }
    return sb.toString();
  }

  List<Object> values() {
    return values;
  }

  ObjectNode ui() {
    return ui;
  }

  int steps() {
    return steps;
  }
}
