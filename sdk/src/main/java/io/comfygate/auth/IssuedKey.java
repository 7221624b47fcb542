package io.comfygate.auth;

/**
 * A newly issued key: {@link #secret()} is the only time the plain key exists outside the caller's
 * hands; it is never stored and cannot be shown again. {@link #webhookSecret()} signs the key's
 * webhooks; it is stored (it must sign) but never shown again either (an administrator can rotate it).
 */
public record IssuedKey(ApiKey key, String secret, String webhookSecret) {
  @Override
  public String toString() {
    return "IssuedKey[" + key + ", secret=****, webhookSecret=****]";
  }
}
