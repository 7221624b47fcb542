package io.comfygate.webhooks;

import io.comfygate.store.PostgresSchema;
import io.comfygate.store.StoreContractSupport;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresTwoInstancesDeliveryTest extends TwoInstancesDeliveryContract {
  @RegisterExtension final PostgresSchema store = new PostgresSchema();

  @Override
  protected StoreContractSupport.Stores store() {
    return store;
  }
}
