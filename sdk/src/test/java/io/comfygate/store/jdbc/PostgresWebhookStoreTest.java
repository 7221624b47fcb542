package io.comfygate.store.jdbc;

import io.comfygate.store.PostgresSchema;
import io.comfygate.store.StoreContractSupport;
import io.comfygate.store.WebhookStore;
import io.comfygate.store.WebhookStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresWebhookStoreTest extends WebhookStoreContract {
  @RegisterExtension final PostgresSchema store = new PostgresSchema();

  @Override
  protected StoreContractSupport.Stores store() {
    return store;
  }

  @Override
  protected WebhookStore webhookStore(Database db) {
    return new JdbcWebhookStore(db);
  }
}
