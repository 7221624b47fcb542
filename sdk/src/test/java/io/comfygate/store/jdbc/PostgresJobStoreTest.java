package io.comfygate.store.jdbc;

import io.comfygate.store.JobStoreContract;
import io.comfygate.store.PostgresSchema;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresJobStoreTest extends JobStoreContract {
  @RegisterExtension final PostgresSchema store = new PostgresSchema();

  @Override
  protected Stores stores() {
    return store;
  }
}
