package io.comfygate.templates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.comfygate.errors.InvalidParamsException;
import io.comfygate.errors.InvalidParamsException.Problem;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * A workflow template: a ComfyUI API-format workflow plus the typed parameters a job may set in it.
 * Immutable and thread-safe; read from JSON files by {@link TemplateRegistry}.
 */
public final class Template {
  private final String name;
  private final String description;
  private final String source;
  private final ObjectNode workflow;
  private final Map<String, ParamSpec> params;

  Template(String name, String description, String source, ObjectNode workflow, List<ParamSpec> params) {
    this.name = name;
    this.description = description;
    this.source = source;
    this.workflow = workflow.deepCopy();
    Map<String, ParamSpec> byName = new LinkedHashMap<>();
    params.forEach(p -> byName.put(p.name(), p));
    this.params = java.util.Collections.unmodifiableMap(byName);
  }

  public String name() {
    return name;
  }

  public String description() {
    return description;
  }

  /** The file or shipped resource this template was read from. */
  public String source() {
    return source;
  }

  /** A copy of the workflow as the template file holds it, before any parameter is bound. */
  public ObjectNode workflow() {
    return workflow.deepCopy();
  }

  /** The declared parameters, in the file's order. */
  public List<ParamSpec> params() {
    return List.copyOf(params.values());
  }

  public Optional<ParamSpec> param(String name) {
    return Optional.ofNullable(params.get(name));
  }

  /**
   * Validates a job's parameters and binds them into a copy of the workflow.
   *
   * @param values a JSON object of parameter name to value (may be {@code null}: no parameters)
   * @param random draws the value of parameters whose default is {@code "random"}
   * @throws InvalidParamsException naming every bad, missing or unknown field
   */
  public BoundWorkflow bind(JsonNode values, RandomGenerator random) {
    ObjectNode bound = resolve(values, random);
    return new BoundWorkflow(name, apply(bound), bound);
  }

  /**
   * Validates a job's parameters without building its workflow, and returns what {@link
   * BoundWorkflow#params()} would: every declared parameter's final value (the caller's, a default,
   * or the random seed that was drawn). Binding these values later gives the same workflow, with
   * nothing drawn again; a submit checks with this, and the workflow is built once, when it is sent.
   *
   * @param values a JSON object of parameter name to value (may be {@code null}: no parameters)
   * @param random draws the value of parameters whose default is {@code "random"}
   * @throws InvalidParamsException naming every bad, missing or unknown field
   */
  public ObjectNode resolve(JsonNode values, RandomGenerator random) {
    List<Problem> problems = new ArrayList<>();
    if (values != null && !values.isNull() && !values.isObject()) {
      throw new InvalidParamsException("params", "must be a JSON object of parameter name to value");
    }
    ObjectNode given = values == null || values.isNull() ? JsonNodeFactory.instance.objectNode() : (ObjectNode) values;
    for (Iterator<String> it = given.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!params.containsKey(field)) {
        problems.add(new Problem(field, "unknown parameter (known: " + String.join(", ", params.keySet()) + ")"));
      }
    }
    ObjectNode bound = JsonNodeFactory.instance.objectNode();
    for (ParamSpec spec : params.values()) {
      JsonNode value = given.get(spec.name());
      if (value == null || value.isNull()) {
        if (spec.required()) {
          problems.add(new Problem(spec.name(), "is required"));
          continue;
        }
        value = spec.randomDefault() ? LongNode.valueOf(draw(spec, random)) : spec.defaultValue();
        if (value == null) {
          continue; // optional without default: the workflow keeps its own value
        }
      }
      ParamChecker.Result checked = ParamChecker.check(spec, value);
      if (!checked.isOk()) {
        problems.add(new Problem(spec.name(), checked.problem()));
        continue;
      }
      bound.set(spec.name(), checked.value());
    }
    if (!problems.isEmpty()) {
      throw new InvalidParamsException(problems);
    }
    return bound;
  }

  /** A copy of the workflow with each checked value set at its targets. */
  private ObjectNode apply(ObjectNode bound) {
    ObjectNode prompt = workflow.deepCopy();
    for (ParamSpec spec : params.values()) {
      JsonNode value = bound.get(spec.name());
      if (value == null) {
        continue;
      }
      for (Target target : spec.targets()) {
        ((ObjectNode) prompt.get(target.nodeId()).get("inputs")).set(target.input(), value.deepCopy());
      }
    }
    return prompt;
  }

  private static long draw(ParamSpec spec, RandomGenerator random) {
    long min = spec.min().max(BigDecimal.valueOf(Long.MIN_VALUE)).longValue();
    long max = spec.max().min(BigDecimal.valueOf(Long.MAX_VALUE - 1)).longValue();
    return random.nextLong(min, max + 1);
  }

  @Override
  public String toString() {
    return "Template[" + name + " from " + source + ", params " + params.keySet() + "]";
  }
}
