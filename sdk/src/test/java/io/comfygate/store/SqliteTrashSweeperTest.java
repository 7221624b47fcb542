package io.comfygate.store;

import org.junit.jupiter.api.extension.RegisterExtension;

class SqliteTrashSweeperTest extends TrashSweeperContract {
  @RegisterExtension final SqliteStoreFile store = new SqliteStoreFile();

  @Override
  protected Stores stores() {
    return store;
  }
}
