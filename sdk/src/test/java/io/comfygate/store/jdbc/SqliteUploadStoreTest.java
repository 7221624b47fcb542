package io.comfygate.store.jdbc;

import io.comfygate.store.SqliteStoreFile;
import io.comfygate.store.UploadStore;
import io.comfygate.store.UploadStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqliteUploadStoreTest extends UploadStoreContract {
  @RegisterExtension final SqliteStoreFile store = new SqliteStoreFile();

  @Override
  protected UploadStore uploadStore() {
    return new JdbcUploadStore(store.db());
  }
}
