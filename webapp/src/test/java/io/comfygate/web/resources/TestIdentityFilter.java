package io.comfygate.web.resources;

import io.comfygate.web.security.Identity;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * In-memory tests only: the identity the servlet AuthFilter would establish, taken from
 * {@code X-Test-User: alice;user} or {@code root;admin,user} ({@code nobody;} has no role), so the
 * resources and RoleCheck see a caller. Runs before RoleCheck (authentication before authorization).
 */
@Priority(Priorities.AUTHENTICATION)
final class TestIdentityFilter implements ContainerRequestFilter {
  static final String HEADER = "X-Test-User";

  @Override
  public void filter(ContainerRequestContext request) {
    String value = request.getHeaderString(HEADER);
    if (value == null) {
      return;
    }
    String[] parts = value.split(";", 2);
    Set<String> roles = parts.length < 2 || parts[1].isBlank() ? Set.of()
        : Arrays.stream(parts[1].split(",")).map(String::strip).collect(Collectors.toSet());
    Identity identity = new Identity(parts[0], roles, "test");
    request.setSecurityContext(new SecurityContext() {
      @Override
      public Principal getUserPrincipal() {
        return identity;
      }

      @Override
      public boolean isUserInRole(String role) {
        return identity.roles().contains(role);
      }

      @Override
      public boolean isSecure() {
        return false;
      }

      @Override
      public String getAuthenticationScheme() {
        return "TEST";
      }
    });
  }
}
