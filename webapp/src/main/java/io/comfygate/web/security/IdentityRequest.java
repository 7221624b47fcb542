package io.comfygate.web.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.security.Principal;

/** The request as seen past {@link AuthFilter}: its principal and roles are the {@link Identity}. */
final class IdentityRequest extends HttpServletRequestWrapper {
  private final Identity identity;

  IdentityRequest(HttpServletRequest request, Identity identity) {
    super(request);
    this.identity = identity;
  }

  @Override
  public Principal getUserPrincipal() {
    return identity;
  }

  @Override
  public String getRemoteUser() {
    return identity.user();
  }

  @Override
  public boolean isUserInRole(String role) {
    return identity.roles().contains(role);
  }

  @Override
  public String getAuthType() {
    return identity.method().equals("basic") ? HttpServletRequest.BASIC_AUTH : "COMFYGATE_" + identity.method().toUpperCase(java.util.Locale.ROOT);
  }
}
