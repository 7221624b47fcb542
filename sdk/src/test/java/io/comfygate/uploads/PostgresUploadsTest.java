package io.comfygate.uploads;

import io.comfygate.store.PostgresSchema;
import io.comfygate.store.StoreContractSupport;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresUploadsTest extends UploadsContract {
  @RegisterExtension final PostgresSchema store = new PostgresSchema();

  @Override
  protected StoreContractSupport.Stores store() {
    return store;
  }
}
