package io.comfygate.store.jdbc;

import io.comfygate.store.IdempotencyContract;
import io.comfygate.store.SqliteStoreFile;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqliteIdempotencyTest extends IdempotencyContract {
  @RegisterExtension final SqliteStoreFile store = new SqliteStoreFile();

  @Override
  protected Stores stores() {
    return store;
  }
}
