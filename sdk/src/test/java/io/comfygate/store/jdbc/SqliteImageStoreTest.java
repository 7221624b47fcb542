package io.comfygate.store.jdbc;

import io.comfygate.store.ImageStoreContract;
import io.comfygate.store.SqliteStoreFile;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqliteImageStoreTest extends ImageStoreContract {
  @RegisterExtension final SqliteStoreFile store = new SqliteStoreFile();

  @Override
  protected Stores stores() {
    return store;
  }
}
