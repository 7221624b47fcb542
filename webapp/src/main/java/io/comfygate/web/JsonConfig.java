package io.comfygate.web;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.comfygate.json.JsonMappers;
import jakarta.ws.rs.ext.ContextResolver;
import jakarta.ws.rs.ext.Provider;

/**
 * JSON as the API speaks it: snake_case names ({@code eta_seconds}, {@code created_at}); a request
 * field the API does not know is an error (400 naming it), not silently dropped. Numbers with a
 * fraction or exponent are read exactly (BigDecimal), so that a template parameter of
 * {@code 1e309} or {@code 1e-400} is judged on its value, not on the infinity or 0 a double makes of it.
 */
@Provider
public final class JsonConfig implements ContextResolver<ObjectMapper> {
  private final ObjectMapper mapper = JsonMappers.newMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  @Override
  public ObjectMapper getContext(Class<?> type) {
    return mapper;
  }
}
