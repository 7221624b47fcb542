package io.comfygate.store.jdbc;

import io.comfygate.store.SqliteStoreFile;
import io.comfygate.store.StoreContractSupport;
import io.comfygate.store.WebhookStore;
import io.comfygate.store.WebhookStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqliteWebhookStoreTest extends WebhookStoreContract {
  @RegisterExtension final SqliteStoreFile store = new SqliteStoreFile();

  @Override
  protected StoreContractSupport.Stores store() {
    return store;
  }

  @Override
  protected WebhookStore webhookStore(Database db) {
    return new JdbcWebhookStore(db);
  }
}
