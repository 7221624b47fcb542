package io.comfygate.web.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.comfygate.templates.ParamSpec;
import io.comfygate.templates.Template;
import java.math.BigDecimal;
import java.util.List;

/**
 * A workflow template as {@code GET /api/v1/templates} shows it: what a form or an external caller
 * needs to build a valid {@code params} object (never the workflow itself).
 *
 * @param name what a job names in {@code template}
 * @param isDefault ({@code default}) whether jobs that name no template use this one (DEFAULT_TEMPLATE)
 * @param params the parameters, in the template file's order
 */
public record TemplateView(String name, String description, @JsonProperty("default") boolean isDefault,
    List<ParamView> params) {

  public static TemplateView of(Template template, boolean isDefault) {
    return new TemplateView(template.name(), template.description(), isDefault,
        template.params().stream().map(ParamView::of).toList());
  }

  /**
   * One parameter. Constraints that do not apply to its type are left out.
   *
   * @param type string, int, float, bool, choice or image (the name of an uploaded image)
   * @param defaultValue ({@code default}) the value used when a job gives none ({@code "random"}: a new random int in
   *     [min, max] per job); absent when the parameter is required or has no default
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ParamView(String name, String type, boolean required,
      @JsonProperty("default") JsonNode defaultValue, BigDecimal min, BigDecimal max,
      Integer maxLength, Long multipleOf, List<String> choices, String description) {

    static ParamView of(ParamSpec p) {
      return new ParamView(p.name(), p.type().wireName(), p.required(),
          p.randomDefault() ? TextNode.valueOf("random") : p.defaultValue(), p.min(), p.max(), p.maxLength(),
          p.multipleOf(), p.choices().isEmpty() ? null : p.choices(),
          p.description() == null || p.description().isEmpty() ? null : p.description());
    }
  }
}
