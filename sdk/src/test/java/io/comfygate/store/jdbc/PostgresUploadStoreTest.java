package io.comfygate.store.jdbc;

import io.comfygate.store.PostgresSchema;
import io.comfygate.store.UploadStore;
import io.comfygate.store.UploadStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresUploadStoreTest extends UploadStoreContract {
  @RegisterExtension final PostgresSchema store = new PostgresSchema();

  @Override
  protected UploadStore uploadStore() {
    return new JdbcUploadStore(store.db());
  }
}
