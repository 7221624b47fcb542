package io.comfygate.store.jdbc;

import io.comfygate.store.ImageStoreContract;
import io.comfygate.store.PostgresSchema;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresImageStoreTest extends ImageStoreContract {
  @RegisterExtension final PostgresSchema store = new PostgresSchema();

  @Override
  protected Stores stores() {
    return store;
  }
}
