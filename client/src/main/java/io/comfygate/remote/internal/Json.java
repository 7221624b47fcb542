package io.comfygate.remote.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** The client's JSON: snake_case like the API, ISO-8601 times, unknown fields ignored (newer servers add some). */
public final class Json {
  private Json() {}

  public static ObjectMapper newMapper() {
    // Buffers recycled through a pool the mapper owns, not thread-locals: a thread that outlives
    // the client (an application server's worker) must not keep the client's class loader.
    JsonFactory factory = JsonFactory.builder().recyclerPool(JsonRecyclerPools.newBoundedPool(8)).build();
    return new ObjectMapper(factory)
        .registerModule(new JavaTimeModule())
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .setSerializationInclusion(JsonInclude.Include.NON_NULL);
  }
}
