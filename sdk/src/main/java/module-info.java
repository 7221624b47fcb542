/**
 * ComfyGate's SDK: the job engine, the ComfyUI client, the stores and their health. Only the API
 * packages are exported; {@code io.comfygate.internal.*} (JSON, HTTP, WebSocket and thread helpers)
 * and {@code io.comfygate.store.jdbc} (the JDBC stores, opened through {@link io.comfygate.store.Stores})
 * are the SDK's own. On the class path (a WAR, the tests) the same jar works unchanged; there the
 * packages are not enforced, so a test of the web application checks that it imports none of them.
 */
// requires-automatic: the PostgreSQL driver has no module-info, only a name in its manifest.
@SuppressWarnings("requires-automatic")
module io.comfygate.sdk {
  exports io.comfygate.auth;
  exports io.comfygate.client;
  exports io.comfygate.config;
  exports io.comfygate.engine;
  exports io.comfygate.errors;
  exports io.comfygate.events;
  exports io.comfygate.health;
  exports io.comfygate.jobs;
  exports io.comfygate.json;
  exports io.comfygate.llm;
  exports io.comfygate.queue;
  exports io.comfygate.store;
  exports io.comfygate.templates;
  exports io.comfygate.uploads;
  exports io.comfygate.webhooks;

  // In the API: JobEngine.submit takes a JsonNode, JobEngine.Builder.progressLog an SLF4J Level.
  requires transitive com.fasterxml.jackson.databind;
  requires transitive org.slf4j;
  requires transitive java.sql; // Stores.open(DataSource, name)
  requires java.net.http;
  requires java.desktop; // javax.imageio: the size of an uploaded or produced image
  requires com.zaxxer.hikari;
  requires org.xerial.sqlitejdbc; // the default store: a SQLite file
  // Only for a PostgreSQL URL, loaded by its driver class name; add it with --add-modules.
  requires static org.postgresql.jdbc;
}
