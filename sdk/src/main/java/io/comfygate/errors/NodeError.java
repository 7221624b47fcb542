package io.comfygate.errors;

import java.util.List;
import java.util.Objects;

/**
 * Why ComfyUI rejected one node of a prompt, from {@code node_errors} of {@code POST /prompt}.
 *
 * @param nodeId the node's id in the submitted workflow
 * @param classType the node's class, empty if the server did not say
 * @param errors the individual problems, in server order
 * @param dependentOutputs output nodes that cannot run because of this node
 */
public record NodeError(String nodeId, String classType, List<Problem> errors, List<String> dependentOutputs) {
  public NodeError {
    Objects.requireNonNull(nodeId, "nodeId");
    classType = classType == null ? "" : classType;
    errors = List.copyOf(errors);
    dependentOutputs = List.copyOf(dependentOutputs);
  }

  /**
   * One problem, e.g. {@code value_not_in_list}.
   *
   * @param type machine-readable type, e.g. {@code required_input_missing}
   * @param message human-readable summary
   * @param details detail text, often the input name (may be empty)
   * @param inputName the offending input from {@code extra_info.input_name}, or null
   */
  public record Problem(String type, String message, String details, String inputName) {
    public Problem {
      type = type == null ? "" : type;
      message = message == null ? "" : message;
      details = details == null ? "" : details;
    }
  }
}
