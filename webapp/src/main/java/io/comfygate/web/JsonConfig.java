package io.comfygate.web;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.comfygate.internal.json.Json;
import jakarta.ws.rs.ext.ContextResolver;
import jakarta.ws.rs.ext.Provider;

/**
 * JSON as the API speaks it: snake_case names ({@code eta_seconds}, {@code created_at}); a request
 * field the API does not know is an error (400 naming it), not silently dropped.
 */
@Provider
public final class JsonConfig implements ContextResolver<ObjectMapper> {
  private final ObjectMapper mapper = Json.newMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  @Override
  public ObjectMapper getContext(Class<?> type) {
    return mapper;
  }
}
