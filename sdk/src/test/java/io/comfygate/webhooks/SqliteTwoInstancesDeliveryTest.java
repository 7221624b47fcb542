package io.comfygate.webhooks;

import io.comfygate.store.SqliteStoreFile;
import io.comfygate.store.StoreContractSupport;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqliteTwoInstancesDeliveryTest extends TwoInstancesDeliveryContract {
  @RegisterExtension final SqliteStoreFile store = new SqliteStoreFile();

  @Override
  protected StoreContractSupport.Stores store() {
    return store;
  }
}
