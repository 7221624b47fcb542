package io.comfygate.remote.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.List;

/** A workflow template a job may name, with its typed parameters; {@code isDefault} marks DEFAULT_TEMPLATE. */
public record Template(String name, String description, @JsonProperty("default") boolean isDefault, List<Param> params) {
  public Template {
    params = params == null ? List.of() : List.copyOf(params);
  }

  /**
   * One parameter: {@code type} is string, int, float, bool, choice or image; constraints that do not
   * apply to the type are null. {@code defaultValue} is {@code "random"} for a random seed.
   */
  public record Param(String name, String type, boolean required, @JsonProperty("default") JsonNode defaultValue,
      BigDecimal min, BigDecimal max, Integer maxLength, Long multipleOf, List<String> choices, String description) {}
}
