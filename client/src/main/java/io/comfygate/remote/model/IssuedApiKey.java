package io.comfygate.remote.model;

/**
 * A newly issued key: {@code key} (the Bearer token) and {@code webhookSecret} (which signs its
 * webhooks) are shown this once and cannot be retrieved again.
 */
public record IssuedApiKey(ApiKey apiKey, String key, String webhookSecret) {
  @Override
  public String toString() {
    return "IssuedApiKey[apiKey=" + apiKey + ", key=…, webhookSecret=…]"; // never print the secrets
  }
}
