package io.comfygate.config;

/**
 * A key's winning raw value, where it came from and its parsed value.
 *
 * @param origin the source as shown in messages, e.g. {@code .env line 7} or {@code environment}
 */
record ResolvedSetting(Key<?> key, String raw, SettingSource source, String origin, Object value) {
  /** The raw value, masked if the key is secret. */
  String display() {
    return key.display(raw);
  }
}
