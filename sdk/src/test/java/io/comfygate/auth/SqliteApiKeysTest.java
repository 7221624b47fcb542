package io.comfygate.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.store.SqliteStoreFile;
import io.comfygate.store.StoreContractSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** API keys on SQLite, and the file itself holds only each key's hash. */
class SqliteApiKeysTest extends ApiKeysContract {
  @RegisterExtension final SqliteStoreFile store = new SqliteStoreFile();

  @Override
  protected StoreContractSupport.Stores store() {
    return store;
  }

  @Test
  void onlyTheHashIsStored() throws Exception {
    IssuedKey issued = keys.issue("alice", "laptop", true);
    store.db().close();
    Path wal = Path.of(store.file() + "-wal");
    String file = new String(Files.readAllBytes(store.file()), java.nio.charset.StandardCharsets.ISO_8859_1)
        + (Files.exists(wal) ? new String(Files.readAllBytes(wal), java.nio.charset.StandardCharsets.ISO_8859_1) : "");
    assertThat(file).doesNotContain(issued.secret()).contains(ApiKeys.hash(issued.secret()));
    keys = new ApiKeys(store.reopen(), Clock.systemUTC());
    assertThat(keys.authenticate(issued.secret())).get().extracting(ApiKey::admin).isEqualTo(true);
  }
}
