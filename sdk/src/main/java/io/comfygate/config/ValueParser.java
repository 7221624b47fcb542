package io.comfygate.config;

import java.util.Objects;
import java.util.function.Function;

/**
 * Turns the raw text of one setting into its typed value, or rejects it. The {@code allowed} text
 * completes the sentence "must be …" in error messages, so it lives next to the rule it describes.
 */
final class ValueParser<T> {
  private final String allowed;
  private final Function<String, ? extends T> parse;

  /**
   * @param allowed what is allowed, completing "must be …", e.g. {@code a whole number > 0}
   * @param parse converts a trimmed raw value; throws {@link RejectedValueException} when invalid
   */
  ValueParser(String allowed, Function<String, ? extends T> parse) {
    this.allowed = Objects.requireNonNull(allowed, "allowed");
    this.parse = Objects.requireNonNull(parse, "parse");
  }

  String allowed() {
    return allowed;
  }

  /** @throws RejectedValueException if the value is not allowed */
  T parse(String raw) {
    return parse.apply(raw.strip());
  }

  /** The same rule with the accepted value converted further (never rejects in {@code fn}). */
  <R> ValueParser<R> map(Function<? super T, ? extends R> fn) {
    return new ValueParser<>(allowed, raw -> fn.apply(parse.apply(raw)));
  }
}
