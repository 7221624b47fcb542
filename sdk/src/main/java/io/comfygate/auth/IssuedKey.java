package io.comfygate.auth;

/**
 * A newly issued key: {@link #secret()} is the only time the plain key exists outside the caller's
 * hands; it is never stored and cannot be shown again.
 */
public record IssuedKey(ApiKey key, String secret) {
  @Override
  public String toString() {
    return "IssuedKey[" + key + ", secret=****]";
  }
}
