package io.comfygate.auth;

import java.time.Instant;

/**
 * An API key as stored: never the key itself, only who it acts as.
 *
 * @param id public identifier, shown in lists and used to revoke (not a secret)
 * @param userId the user the key acts as; its jobs and images are that user's
 * @param name what the key is for, as the administrator named it
 * @param admin whether the key also has the admin role
 * @param revokedAt when it was revoked, or {@code null} while it works
 * @param lastUsedAt when it last authenticated a request, or {@code null}
 * @param webhookUrl where the events of jobs submitted with this key go by default, or {@code null}
 */
public record ApiKey(String id, String userId, String name, boolean admin, Instant createdAt, Instant revokedAt,
    Instant lastUsedAt, String webhookUrl) {

  public boolean isRevoked() {
    return revokedAt != null;
  }
}
