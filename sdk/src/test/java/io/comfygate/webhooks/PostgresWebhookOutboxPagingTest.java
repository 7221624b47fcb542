package io.comfygate.webhooks;

import io.comfygate.store.PostgresSchema;
import io.comfygate.store.StoreContractSupport;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresWebhookOutboxPagingTest extends WebhookOutboxPagingContract {
  @RegisterExtension final PostgresSchema store = new PostgresSchema();

  @Override
  protected StoreContractSupport.Stores store() {
    return store;
  }
}
