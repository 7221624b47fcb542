package io.comfygate.store.jdbc;

import io.comfygate.store.ImageStore;
import io.comfygate.store.ImageStoreContract;
import io.comfygate.store.JobStore;
import io.comfygate.store.SqliteStoreFile;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqliteImageStoreTest extends ImageStoreContract {
  @RegisterExtension final SqliteStoreFile store = new SqliteStoreFile();

  @Override
  protected JobStore jobStore() {
    return store.jobs();
  }

  @Override
  protected ImageStore imageStore() {
    return store.images();
  }
}
