package io.comfygate.store.jdbc;

import io.comfygate.store.PostgresSchema;
import io.comfygate.store.StoreContractSupport;
import io.comfygate.store.UploadStore;
import io.comfygate.store.UploadStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresUploadStoreTest extends UploadStoreContract {
  @RegisterExtension final PostgresSchema store = new PostgresSchema();

  @Override
  protected StoreContractSupport.Stores store() {
    return store;
  }

  @Override
  protected UploadStore uploadStore(Database db) {
    return new JdbcUploadStore(db);
  }
}
