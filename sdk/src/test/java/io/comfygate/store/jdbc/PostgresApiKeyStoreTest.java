package io.comfygate.store.jdbc;

import io.comfygate.store.ApiKeyStore;
import io.comfygate.store.ApiKeyStoreContract;
import io.comfygate.store.PostgresSchema;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresApiKeyStoreTest extends ApiKeyStoreContract {
  @RegisterExtension final PostgresSchema store = new PostgresSchema();

  @Override
  protected ApiKeyStore apiKeyStore() {
    return new JdbcApiKeyStore(store.db());
  }
}
