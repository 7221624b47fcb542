package io.comfygate.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.store.PostgresSchema;
import io.comfygate.store.StoreContractSupport;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** API keys on PostgreSQL, whose table holds only each key's hash. */
class PostgresApiKeysTest extends ApiKeysContract {
  @RegisterExtension final PostgresSchema store = new PostgresSchema();

  @Override
  protected StoreContractSupport.Stores store() {
    return store;
  }

  @Test
  void onlyTheHashIsStored() {
    IssuedKey issued = keys.issue("alice", "laptop", true);

    List<String> values = store.db().read("test", c -> {
      List<String> all = new ArrayList<>();
      try (PreparedStatement select = c.prepareStatement("SELECT * FROM api_keys");
          ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          for (int i = 1; i <= rows.getMetaData().getColumnCount(); i++) {
            all.add(rows.getString(i));
          }
        }
      }
      return all;
    });
    assertThat(values).contains(ApiKeys.hash(issued.secret()))
        .noneMatch(v -> v != null && v.contains(issued.secret()));
  }
}
