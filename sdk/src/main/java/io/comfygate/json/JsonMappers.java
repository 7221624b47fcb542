package io.comfygate.json;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.comfygate.internal.json.Json;

/**
 * Jackson {@link ObjectMapper}s that are safe to undeploy: their buffers are recycled through a
 * shared pool, not Jackson's default thread-locals, which stay on every thread that ever read or
 * wrote JSON (in a web application, the container's request threads) and keep an undeployed
 * application's class loader. Code running beside the SDK in a WAR makes its mappers here.
 */
public final class JsonMappers {
  private JsonMappers() {}

  /** A new mapper with Jackson's defaults and pooled buffers; configure it, then share it. */
  public static ObjectMapper newMapper() {
    return Json.newMapper();
  }

  /** A copy of {@code mapper} (one made elsewhere, e.g. by a library) with pooled buffers. */
  public static ObjectMapper recycledLikeOurs(ObjectMapper mapper) {
    return Json.recycledLikeOurs(mapper);
  }
}
