package io.comfygate.templates;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.List;

/**
 * One declared parameter of a template, as the template file states it.
 *
 * @param name the key callers use in {@code params}
 * @param type what kind of value it takes
 * @param required whether a caller must give it (a required parameter has no default)
 * @param defaultValue the value used when the caller gives none; {@code null} when required or random
 * @param randomDefault {@code "default": "random"}: a fresh random integer in [min, max] per job
 * @param min smallest allowed number (int, float), or {@code null}
 * @param max largest allowed number (int, float), or {@code null}
 * @param maxLength longest allowed string, or {@code null}
 * @param multipleOf an int must be a multiple of this, or {@code null}
 * @param choices the allowed values of a choice parameter (empty otherwise)
 * @param targets the workflow inputs that receive the value
 * @param description a human sentence for forms and API docs (may be empty)
 */
public record ParamSpec(
    String name,
    ParamType type,
    boolean required,
    JsonNode defaultValue,
    boolean randomDefault,
    BigDecimal min,
    BigDecimal max,
    Integer maxLength,
    Long multipleOf,
    List<String> choices,
    List<Target> targets,
    String description) {

  public ParamSpec {
    choices = List.copyOf(choices);
    targets = List.copyOf(targets);
    defaultValue = defaultValue == null ? null : defaultValue.deepCopy();
  }

  @Override
  public JsonNode defaultValue() {
    return defaultValue == null ? null : defaultValue.deepCopy();
  }
}
