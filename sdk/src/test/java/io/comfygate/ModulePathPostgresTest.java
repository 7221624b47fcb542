package io.comfygate;

import static io.comfygate.ModuleDescriptorTest.MODULE;
import static io.comfygate.ModuleDescriptorTest.inLayer;
import static io.comfygate.ModuleDescriptorTest.layer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.comfygate.store.PostgresSchema;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * On the module path the PostgreSQL driver is optional ({@code requires static}): a PostgreSQL URL
 * fails, naming the driver, until the application adds the module ({@code --add-modules
 * org.postgresql.jdbc}, as the README says), and then works.
 */
class ModulePathPostgresTest {
  private static final String DRIVER_MODULE = "org.postgresql.jdbc";

  @RegisterExtension final PostgresSchema pg = new PostgresSchema();

  @Test
  void aPostgresqlUrlNeedsTheDriverModuleAdded() throws Exception {
    ModuleLayer without = layer(Set.of(MODULE));
    assertThat(without.findModule(DRIVER_MODULE)).isEmpty();
    Class<?> stores = without.findLoader(MODULE).loadClass("io.comfygate.store.Stores");
    Throwable refused = catchThrowable(() -> inLayer(without, () -> stores.getMethod("open", String.class).invoke(null, pg.url())));
    assertThat(refused.getClass().getName()).isEqualTo("io.comfygate.errors.StoreException");
    assertThat(refused).hasMessageContaining("org.postgresql.Driver");

    ModuleLayer with = layer(Set.of(MODULE, DRIVER_MODULE));
    Class<?> storesWith = with.findLoader(MODULE).loadClass("io.comfygate.store.Stores");
    Object opened = inLayer(with, () -> storesWith.getMethod("open", String.class).invoke(null, pg.url()));
    try {
      assertThat((boolean) storesWith.getMethod("isPostgresql").invoke(opened)).isTrue();
      assertThat((int) storesWith.getMethod("schemaVersion").invoke(opened)).isPositive();
    } finally {
      storesWith.getMethod("close").invoke(opened);
    }
  }
}
