package io.comfygate.templates;

/** Where a parameter's value goes in the workflow: an input of one node. */
public record Target(String nodeId, String input) {
  public Target {
    if (nodeId == null || nodeId.isBlank() || input == null || input.isBlank()) {
      throw new IllegalArgumentException("target needs a node id and an input name: [" + nodeId + ", " + input + "]");
    }
  }
}
