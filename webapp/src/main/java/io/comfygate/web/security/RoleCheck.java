package io.comfygate.web.security;

import io.comfygate.web.api.ErrorMessage;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import org.slf4j.LoggerFactory;

/**
 * Authorization by declaration, deny by default: each resource method gets the filter its
 * {@link DeclaredRoles} calls for, bound when Jersey builds its model, so the check runs on the
 * method that was matched and the request path's text plays no part. An undeclared method answers
 * 403 to everyone (and is named in the log at start-up). This is the role of Jersey's
 * {@code RolesAllowedDynamicFeature}, answering in our JSON shape: 401 with a challenge when nobody
 * is signed in, 403 when the caller lacks the role.
 */
public final class RoleCheck implements DynamicFeature {
  @Override
  public void configure(ResourceInfo resource, FeatureContext context) {
    if (resource.getResourceClass().getName().startsWith("org.glassfish.jersey.")) {
      // Jersey's own answer to OPTIONS (the Allow header of a path): no application code, no data.
      return;
    }
    DeclaredRoles declared = DeclaredRoles.of(resource.getResourceClass(), resource.getResourceMethod());
    switch (declared.kind()) {
      case PERMIT_ALL:
        return;
      case UNDECLARED:
        LoggerFactory.getLogger(RoleCheck.class).warn("{} declares no roles (@RolesAllowed or @PermitAll): every call is refused",
            declared.declaredOn());
        context.register(new Check(declared));
        return;
      default:
        context.register(new Check(declared));
    }
  }

  /** The check of one resource method. */
  @Priority(Priorities.AUTHORIZATION)
  static final class Check implements ContainerRequestFilter {
    private final DeclaredRoles declared;

    Check(DeclaredRoles declared) {
      this.declared = declared;
    }

    @Override
    public void filter(ContainerRequestContext request) {
      SecurityContext security = request.getSecurityContext();
      if (security == null || security.getUserPrincipal() == null) {
        request.abortWith(error(401, "unauthorized", "Sign in, or send HTTP Basic credentials or an API key (Authorization: Bearer …)"));
        return;
      }
      if (declared.kind() == DeclaredRoles.Kind.ROLES) {
        for (String role : declared.roles()) {
          if (security.isUserInRole(role)) {
            return;
          }
        }
        request.abortWith(error(403, "forbidden", declared.roles().contains(Identity.USER)
            ? "Your account has neither the user nor the admin role"
            : "This needs the " + String.join(" or ", declared.sortedRoles()) + " role"));
        return;
      }
      request.abortWith(error(403, "forbidden", "This endpoint is closed to every caller"));
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
