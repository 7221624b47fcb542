package io.comfygate.web.security;

import io.comfygate.auth.ApiKey;
import java.io.Serializable;
import java.security.Principal;
import java.util.Set;

/**
 * Who a request comes from, however they proved it: a session after signing in, HTTP Basic against
 * the container's realm, or an API key. Kept in the HTTP session (hence serializable).
 *
 * @param user the user name: jobs and images belong to it
 * @param roles {@code user} and/or {@code admin}
 * @param method {@code session}, {@code basic} or {@code api-key}
 * @param apiKeyId the id of the API key used ({@code api-key} only; it signs the caller's webhooks), else {@code null}
 * @param apiKeyWebhookUrl that key's default webhook URL as it was verified, or {@code null}
 */
public record Identity(String user, Set<String> roles, String method, String apiKeyId, String apiKeyWebhookUrl)
    implements Principal, Serializable {
  public static final String USER = "user";
  public static final String ADMIN = "admin";

  public Identity {
    roles = Set.copyOf(roles);
  }

  /** An identity proved otherwise than by an API key. */
  public Identity(String user, Set<String> roles, String method) {
    this(user, roles, method, null, null);
  }

  @Override
  public String getName() {
    return user;
  }

  /** The identity an API key acts as: its user, with the admin role if the key has it. */
  public static Identity of(ApiKey key) {
    return new Identity(key.userId(), key.admin() ? Set.of(USER, ADMIN) : Set.of(USER), "api-key", key.id(),
        key.webhookUrl());
  }

  public boolean admin() {
    return roles.contains(ADMIN);
  }
}
