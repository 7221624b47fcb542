package io.comfygate.web.resources;

import jakarta.ws.rs.core.SecurityContext;

/** Who is calling, as the security layer established it. */
record Caller(String user, boolean admin) {
  static Caller of(SecurityContext security) {
    if (security == null || security.getUserPrincipal() == null) {
      throw new IllegalStateException("resource reached without an identity: the security filter is missing");
    }
    return new Caller(security.getUserPrincipal().getName(), security.isUserInRole("admin"));
  }

  /** The owner filter for lookups: null (any owner) for an administrator. */
  String ownerFilter() {
    return admin ? null : user;
  }
}
