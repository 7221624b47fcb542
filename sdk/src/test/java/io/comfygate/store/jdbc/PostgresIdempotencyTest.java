package io.comfygate.store.jdbc;

import io.comfygate.store.IdempotencyContract;
import io.comfygate.store.PostgresSchema;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresIdempotencyTest extends IdempotencyContract {
  @RegisterExtension final PostgresSchema store = new PostgresSchema();

  @Override
  protected Stores stores() {
    return store;
  }
}
