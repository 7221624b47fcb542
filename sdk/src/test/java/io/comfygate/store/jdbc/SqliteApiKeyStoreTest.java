package io.comfygate.store.jdbc;

import io.comfygate.store.ApiKeyStore;
import io.comfygate.store.ApiKeyStoreContract;
import io.comfygate.store.SqliteStoreFile;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqliteApiKeyStoreTest extends ApiKeyStoreContract {
  @RegisterExtension final SqliteStoreFile store = new SqliteStoreFile();

  @Override
  protected ApiKeyStore apiKeyStore() {
    return new JdbcApiKeyStore(store.db());
  }
}
