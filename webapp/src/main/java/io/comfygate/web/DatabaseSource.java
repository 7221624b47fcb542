package io.comfygate.web;

import io.comfygate.config.Settings;
import io.comfygate.errors.StoreException;
import io.comfygate.store.Stores;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * Opens the web application's database as the settings say: the server's PostgreSQL DataSource by
 * its JNDI name ({@code JOB_DB_JNDI}, pooled by the container), else {@code JOB_DB_PATH} (a SQLite
 * file, or a PostgreSQL URL with {@code JOB_DB_PASSWORD}, pooled by HikariCP).
 */
final class DatabaseSource {
  private DatabaseSource() {}

  static Stores open(Settings settings) {
    if (settings.jobDbJndi().isPresent()) {
      String name = settings.jobDbJndi().get();
      return Stores.builder(lookup(name), "JNDI " + name).build();
    }
    Stores.Builder builder = Stores.builder(settings.jobDbLocation());
    settings.jobDbPassword().ifPresent(builder::password);
    return builder.build();
  }

  private static DataSource lookup(String name) {
    Object found;
    try {
      InitialContext context = new InitialContext();
      try {
        found = context.lookup(name);
      } finally {
        context.close();
      }
    } catch (NamingException e) {
      throw new StoreException("db.open", "JOB_DB_JNDI: no " + name + " in the server's JNDI (" + e.getMessage()
          + "); declare the DataSource (see deploy/) or leave JOB_DB_JNDI empty", e);
    }
    if (!(found instanceof DataSource dataSource)) {
      throw new StoreException("db.open", "JOB_DB_JNDI: " + name + " is a " + found.getClass().getName()
          + ", not a javax.sql.DataSource");
    }
    return dataSource;
  }
}
