package io.comfygate.store.jdbc;

import io.comfygate.store.JobStoreContract;
import io.comfygate.store.SqliteStoreFile;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqliteJobStoreTest extends JobStoreContract {
  @RegisterExtension final SqliteStoreFile store = new SqliteStoreFile();

  @Override
  protected Stores stores() {
    return store;
  }
}
