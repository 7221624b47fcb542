package io.comfygate.store;

import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresTrashPurgerTest extends TrashPurgerContract {
  @RegisterExtension final PostgresSchema store = new PostgresSchema();

  @Override
  protected Stores stores() {
    return store;
  }
}
