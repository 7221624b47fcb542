package io.comfygate.testkit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/** The read-only info routes: system_stats, features, object_info, embeddings, models, extensions. */
final class InfoRoutes {
  /** The device name by which a client can tell it talks to the fake. */
  static final String DEVICE_NAME = "FakeComfyUi (simulated, no GPU)";

  private final FakeServerState st;

  InfoRoutes(FakeServerState st) {
    this.st = st;
  }

  void systemStats(Exchange ex) throws IOException {
    Runtime rt = Runtime.getRuntime();
    ObjectNode out = Json.object();
    ObjectNode system = out.putObject("system");
    system.put("os", "posix");
    system.put("ram_total", rt.maxMemory());
    system.put("ram_free", rt.maxMemory() - rt.totalMemory() + rt.freeMemory());
    system.put("comfyui_version", "0.3.64");
    system.put("required_frontend_version", "1.27.10");
    system.putNull("installed_templates_version");
    system.put("required_templates_version", "0.1.95");
    system.put("python_version", "Java " + System.getProperty("java.version") + " (FakeComfyUi)");
    system.put("pytorch_version", "none (simulated)");
    system.put("embedded_python", false);
    system.putArray("argv").add("FakeComfyUi").add("--port").add(String.valueOf(ex.req.getLocalPort()));
    system.put("comfygate_simulated", true);
    ObjectNode device = out.putArray("devices").addObject();
    device.put("name", DEVICE_NAME);
    device.put("type", "cpu");
    device.putNull("index");
    device.put("vram_total", 0L);
    device.put("vram_free", 0L);
    device.put("torch_vram_total", 0L);
    device.put("torch_vram_free", 0L);
    ex.json(200, out);
  }

  void features(Exchange ex) throws IOException {
    ObjectNode out = Json.object();
    out.put("supports_preview_metadata", true);
    out.put("max_upload_size", st.config().maxUploadSize());
    ex.json(200, out);
  }

  void objectInfo(Exchange ex) throws IOException {
    ex.json(200, st.catalog().all());
  }

  void objectInfoOf(Exchange ex, String classType) throws IOException {
    ObjectNode out = Json.object();
    ObjectNode info = st.catalog().info(classType);
    if (info != null) {
      out.set(classType, info);
    }
    ex.json(200, out);
  }

  void emptyList(Exchange ex) throws IOException {
    ex.json(200, Json.array());
  }

  void models(Exchange ex) throws IOException {
    ex.json(200, Json.array().add("checkpoints"));
  }

  void modelsIn(Exchange ex, String folder) throws IOException {
    if (!"checkpoints".equals(folder)) {
      ex.text(404, "404: Not Found");
      return;
    }
    ArrayNode out = Json.array();
    st.catalog().info("CheckpointLoaderSimple").get("input").get("required").get("ckpt_name").get(0).forEach(out::add);
    ex.json(200, out);
  }
}
