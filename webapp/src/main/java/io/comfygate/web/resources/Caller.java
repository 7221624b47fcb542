package io.comfygate.web.resources;

import io.comfygate.web.security.Identity;
import jakarta.ws.rs.core.SecurityContext;

/** Who is calling, as the security layer established it. */
record Caller(String user, boolean admin) {
  static Caller of(SecurityContext security) {
    if (security == null || security.getUserPrincipal() == null) {
      throw new IllegalStateException("resource reached without an identity: the security filter is missing");
    }
    return new Caller(security.getUserPrincipal().getName(), security.isUserInRole("admin"));
  }

  /** The id of the API key the request came with, or null (signed in otherwise). */
  static String apiKeyId(SecurityContext security) {
    Identity identity = identity(security);
    return identity == null ? null : identity.apiKeyId();
  }

  /** The default webhook URL of the API key the request came with, or null (none, or no key). */
  static String apiKeyWebhookUrl(SecurityContext security) {
    Identity identity = identity(security);
    return identity == null ? null : identity.apiKeyWebhookUrl();
  }

  private static Identity identity(SecurityContext security) {
    return security != null && security.getUserPrincipal() instanceof Identity identity ? identity : null;
  }

  /** The owner filter for lookups: null (any owner) for an administrator. */
  String ownerFilter() {
    return admin ? null : user;
  }
}
