package io.comfygate.web.docs;

import io.comfygate.health.Status;
import io.comfygate.jobs.JobState;
import io.comfygate.templates.ParamType;
import io.comfygate.webhooks.DeliveryState;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Types what the resources' Java types leave as bare strings, so that clients generated for other
 * languages get real types: states and other closed sets as enums (taken from the SDK's enums, so
 * they cannot drift), times ({@code *_at}) as {@code date-time}, paging as integers with their
 * bounds. The resources read these as text to answer a bad value with a 400 naming it; the
 * document says what a good value is.
 */
final class ApiTypes {
  /** "Schema.property" (snake_case) → the values it takes. */
  private static final Map<String, List<String>> ENUMS = Map.of(
      "JobView.state", wire(JobState.values(), JobState::wireName),
      "DeliveryView.state", wire(DeliveryState.values(), DeliveryState::wireName),
      "ParamView.type", wire(ParamType.values(), ParamType::wireName),
      "Check.status", wire(Status.values(), Status::name),
      "HealthView.status", List.of("OK", "FAIL"),
      "PrecheckView.status", List.of("OK", "FAIL"),
      "UploadView.content_type", List.of("image/png", "image/jpeg", "image/webp"));

  private ApiTypes() {}

  @SuppressWarnings("rawtypes")
  static void apply(OpenAPI doc) {
    doc.getComponents().getSchemas().forEach((name, schema) -> {
      if (schema.getProperties() == null) {
        return;
      }
      Map<String, Schema> properties = schema.getProperties();
      properties.forEach((property, type) -> {
        List<String> values = ENUMS.get(name + "." + property);
        if (values != null) {
          @SuppressWarnings("unchecked")
          Schema<String> text = type;
          text.setEnum(values);
        }
        if (property.endsWith("_at") && "string".equals(type.getType())) {
          type.setFormat("date-time");
        }
      });
    });
    doc.getPaths().values().forEach(item -> item.readOperations().forEach(operation -> {
      if (operation.getParameters() != null) {
        operation.getParameters().forEach(ApiTypes::paging);
      }
    }));
  }

  /** {@code page} from 1, {@code size} 1..100 (see Params). */
  private static void paging(Parameter parameter) {
    if (!"query".equals(parameter.getIn())) {
      return;
    }
    if ("page".equals(parameter.getName())) {
      parameter.setSchema(new IntegerSchema().minimum(BigDecimal.ONE)._default(1));
    } else if ("size".equals(parameter.getName())) {
      parameter.setSchema(new IntegerSchema().minimum(BigDecimal.ONE).maximum(BigDecimal.valueOf(100))._default(20));
    } else if (parameter.getName().endsWith("_date")) {
      parameter.setSchema(new Schema<String>().type("string")
          .description("an ISO date (midnight UTC), e.g. 2026-11-01, or an instant, e.g. 2026-11-01T12:00:00Z"));
    }
  }

  private static <E> List<String> wire(E[] values, java.util.function.Function<E, String> name) {
    return Arrays.stream(values).map(name).toList();
  }
}
