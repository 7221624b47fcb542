package io.comfygate.engine;

import java.util.Objects;

/** JOB_DB_PASSWORD on its way to the database: a secret, so it never shows in a configuration's text. */
record DbPassword(String value) {
  DbPassword {
    Objects.requireNonNull(value, "value");
  }

  @Override
  public String toString() {
    return "****";
  }
}
