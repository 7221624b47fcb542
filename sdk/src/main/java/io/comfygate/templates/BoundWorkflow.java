package io.comfygate.templates;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A template with a job's parameters bound into it.
 *
 * @param template the template's name
 * @param workflow the ComfyUI API-format prompt, ready to submit
 * @param params every declared parameter's final value (the caller's, a default, or the random
 *     seed that was drawn), as recorded with the job and its images
 */
public record BoundWorkflow(String template, ObjectNode workflow, ObjectNode params) {
  public BoundWorkflow {
    workflow = workflow.deepCopy();
    params = params.deepCopy();
  }

  @Override
  public ObjectNode workflow() {
    return workflow.deepCopy();
  }

  @Override
  public ObjectNode params() {
    return params.deepCopy();
  }
}
