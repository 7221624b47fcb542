package io.comfygate.config;

import java.util.Objects;

/**
 * One row of the key table: everything known about a setting. Identity equality on purpose: there
 * is exactly one instance per key, held by {@link Keys}.
 *
 * @param <T> the typed value
 */
final class Key<T> {
  private final String name;
  private final String defaultValue;
  private final ValueParser<T> parser;
  private final String description;
  private final boolean secret;

  private Key(
      String name, String defaultValue, ValueParser<T> parser, String description, boolean secret) {
    this.name = Objects.requireNonNull(name, "name");
    this.defaultValue = Objects.requireNonNull(defaultValue, "defaultValue");
    this.parser = Objects.requireNonNull(parser, "parser");
    this.description = Objects.requireNonNull(description, "description");
    this.secret = secret;
  }

  static <T> Key<T> of(String name, String defaultValue, ValueParser<T> parser, String description) {
    return new Key<>(name, defaultValue, parser, description, false);
  }

  /** A key whose value must never be shown: masked in toString, describe and error messages. */
  static <T> Key<T> secret(
      String name, String defaultValue, ValueParser<T> parser, String description) {
    return new Key<>(name, defaultValue, parser, description, true);
  }

  String name() {
    return name;
  }

  String defaultValue() {
    return defaultValue;
  }

  ValueParser<T> parser() {
    return parser;
  }

  /** One line, also the comment above the key in {@code .env.example} (a test keeps them equal). */
  String description() {
    return description;
  }

  /** The value as it may be shown to people: masked if secret and non-empty. */
  String display(String raw) {
    return secret && !raw.isEmpty() ? "****" : Secrets.maskUrlPassword(raw);
  }

  @Override
  public String toString() {
    return name;
  }
}
