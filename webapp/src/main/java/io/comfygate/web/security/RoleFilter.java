package io.comfygate.web.security;

import io.comfygate.web.api.ErrorMessage;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;

/**
 * Who may call what: every endpoint needs an identity with the {@code user} or {@code admin} role
 * (401 without one, 403 without a role), and {@code /v1/admin/*} needs {@code admin} (403).
 * Signing in ({@code /v1/session}) is open. One place for the rule, not a check in every resource.
 */
@Priority(Priorities.AUTHORIZATION)
public final class RoleFilter implements ContainerRequestFilter {
  @Override
  public void filter(ContainerRequestContext request) {
    String path = request.getUriInfo().getPath();
    if (path.startsWith("/")) {
      path = path.substring(1);
    }
    if (path.equals("v1/session")) {
      return;
    }
    SecurityContext security = request.getSecurityContext();
    if (security == null || security.getUserPrincipal() == null) {
      request.abortWith(error(401, "unauthorized", "Sign in, or send HTTP Basic credentials or an API key (Authorization: Bearer …)"));
      return;
    }
    boolean admin = security.isUserInRole(Identity.ADMIN);
    if (path.startsWith("v1/admin")) {
      if (!admin) {
        request.abortWith(error(403, "forbidden", "This needs the admin role"));
      }
      return;
    }
    if (!admin && !security.isUserInRole(Identity.USER)) {
      request.abortWith(error(403, "forbidden", "Your account has neither the user nor the admin role"));
    }
  }

  private static Response error(int status, String code, String message) {
    Response.ResponseBuilder out = Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(ErrorMessage.of(code, message));
    if (status == 401) {
      out.header("WWW-Authenticate", "Bearer realm=\"ComfyGate\"");
    }
    return out.build();
  }
}
