package io.comfygate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The node classes the fake knows, with object_info specs shaped like the real server's. The
 * LoadImage combo is filled at request time with the files in the input folder, as ComfyUI does.
 */
final class NodeCatalog {
  /** Nodes that report progress steps like a sampler does. */
  static final Set<String> SAMPLERS = Set.of("KSampler");

  private final ObjectNode specs;
  private final Supplier<List<String>> inputFiles;

  NodeCatalog(Supplier<List<String>> inputFiles) {
    this.inputFiles = inputFiles;
    try (InputStream in = NodeCatalog.class.getResourceAsStream("/io/comfygate/testkit/fake/object_info.json")) {
      if (in == null) {
        throw new IllegalStateException("object_info.json missing from the testkit jar");
      }
      specs = (ObjectNode) Json.MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  boolean knows(String classType) {
    return specs.has(classType);
  }

  /** The object_info entry of one class (a fresh copy), or null when unknown. */
  ObjectNode info(String classType) {
    JsonNode spec = specs.get(classType);
    if (spec == null) {
      return null;
    }
    ObjectNode copy = spec.deepCopy();
    if ("LoadImage".equals(classType)) {
      ArrayNode files = Json.array();
      inputFiles.get().forEach(files::add);
      ((ArrayNode) copy.get("input").get("required").get("image")).set(0, files);
    }
    return copy;
  }

  /** Every known class, as GET /object_info answers. */
  ObjectNode all() {
    ObjectNode out = Json.object();
    for (Iterator<String> it = specs.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      out.set(name, info(name));
    }
    return out;
  }

  boolean isOutput(String classType) {
    return specs.get(classType).path("output_node").asBoolean(false);
  }

  List<String> outputTypes(String classType) {
    List<String> out = new ArrayList<>();
    specs.get(classType).get("output").forEach(n -> out.add(n.asText()));
    return out;
  }

  /** Required input name → input config ({@code [type, options]}) in declaration order. */
  Map<String, ArrayNode> required(String classType) {
    Map<String, ArrayNode> out = new LinkedHashMap<>();
    info(classType).get("input").get("required").fields()
        .forEachRemaining(e -> out.put(e.getKey(), (ArrayNode) e.getValue()));
    return out;
  }
}
