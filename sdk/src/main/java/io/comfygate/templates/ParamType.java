package io.comfygate.templates;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The kinds of value a template parameter accepts; {@link #wireName()} is how template files spell it. */
public enum ParamType {
  STRING,
  INT,
  FLOAT,
  BOOL,
  CHOICE,
  /** The id of an input image uploaded beforehand ({@link io.comfygate.uploads.Uploads}). */
  IMAGE;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  static Optional<ParamType> fromWireName(String name) {
    return Arrays.stream(values()).filter(t -> t.wireName().equals(name)).findFirst();
  }
}
