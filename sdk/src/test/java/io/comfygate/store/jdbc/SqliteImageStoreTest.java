package io.comfygate.store.jdbc;

import io.comfygate.store.ImageStore;
import io.comfygate.store.JobStore;
import io.comfygate.store.ImageStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

class SqliteImageStoreTest extends ImageStoreContract {
  @TempDir Path dir;
  private Database db;

  @BeforeEach
  void open() {
    db = SqliteStores.open(dir);
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Override
  protected JobStore jobStore() {
    return new JdbcJobStore(db);
  }

  @Override
  protected ImageStore imageStore() {
    return new JdbcImageStore(db);
  }
}
