package io.comfygate.web.security;

import jakarta.annotation.security.PermitAll;
import io.comfygate.web.api.ErrorMessage;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * Signing in from the browser: the app's own login form posts here, and the password is checked
 * by the container's realm ({@link HttpServletRequest#login}), so an operator plugs in the realm
 * they run (file, JDBC, LDAP). Success starts a fresh session (no fixation) holding the identity
 * and a CSRF token that the page sends back on every change.
 */
@PermitAll
@Path("/v1/session")
@Tag(name = "session", description = "Browser sign-in; open without an identity")
@Produces(MediaType.APPLICATION_JSON)
public final class SessionResource {
  private static final SecureRandom RANDOM = new SecureRandom();

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(operationId = "signIn", summary = "Sign in with the realm's user name and password",
      description = "Starts a new session (cookie) and returns its CSRF token, which every change made with the"
          + " cookie must send as X-CSRF-Token.")
  @ApiResponse(responseCode = "200", description = "Signed in",
      content = @Content(schema = @Schema(implementation = SessionView.class)))
  @ApiResponse(responseCode = "400", description = "bad_request: username or password missing")
  @ApiResponse(responseCode = "401", description = "unauthorized: wrong user name or password")
  @ApiResponse(responseCode = "403", description = "forbidden: the account has neither the user nor the admin role")
  public Response signIn(Credentials credentials, @Context HttpServletRequest request) {
    if (credentials == null || credentials.username() == null || credentials.password() == null
        || credentials.username().isBlank()) {
      return error(400, "bad_request", "username and password are required");
    }
    Optional<Identity> checked = AuthFilter.realmLogin(request, credentials.username().strip(), credentials.password());
    if (checked.isEmpty()) {
      return error(401, "unauthorized", "Wrong user name or password");
    }
    if (checked.get().roles().isEmpty()) {
      return error(403, "forbidden", "Your account has neither the user nor the admin role");
    }
    Identity identity = new Identity(checked.get().user(), checked.get().roles(), "session");
    HttpSession old = request.getSession(false);
    if (old != null) {
      old.invalidate();
    }
    HttpSession session = request.getSession(true);
    byte[] token = new byte[32];
    RANDOM.nextBytes(token);
    String csrf = Base64.getUrlEncoder().withoutPadding().encodeToString(token);
    session.setAttribute(AuthFilter.SESSION_IDENTITY, identity);
    session.setAttribute(AuthFilter.SESSION_CSRF, csrf);
    return Response.ok(new SessionView(identity.user(), identity.admin(), identity.method(), csrf)).build();
  }

  /**
   * Who is signed in (any method), with the CSRF token when it is a browser session. A request
   * that carries a session's cookie and other credentials never gets here ({@link AuthFilter}
   * refuses it), so the token is always the caller's own.
   */
  @GET
  @Operation(operationId = "whoAmI", summary = "Who is signed in (by any method)")
  @ApiResponse(responseCode = "200", description = "The identity, with the CSRF token of a browser session",
      content = @Content(schema = @Schema(implementation = SessionView.class)))
  @ApiResponse(responseCode = "401", description = "unauthorized: not signed in")
  public Response whoAmI(@Context SecurityContext security, @Context HttpServletRequest request) {
    if (security.getUserPrincipal() == null) {
      return error(401, "unauthorized", "Not signed in");
    }
    String method = security.getUserPrincipal() instanceof Identity id ? id.method() : "container";
    HttpSession session = request.getSession(false);
    Object csrf = session == null ? null : session.getAttribute(AuthFilter.SESSION_CSRF);
    return Response.ok(new SessionView(security.getUserPrincipal().getName(), security.isUserInRole(Identity.ADMIN),
        method, csrf instanceof String s ? s : null)).build();
  }

  @DELETE
  @Operation(operationId = "signOut", summary = "Sign out (ends the session)")
  @ApiResponse(responseCode = "204", description = "Signed out")
  public Response signOut(@Context HttpServletRequest request) {
    HttpSession session = request.getSession(false);
    if (session != null) {
      session.invalidate();
    }
    return Response.noContent().build();
  }

  /** {@code {"username": "alice", "password": "…"}} */
  public record Credentials(String username, String password) {
    @Override
    public String toString() {
      return "Credentials[" + username + ", password=****]";
    }
  }

  /** The signed-in identity; {@code csrfToken} goes in the X-CSRF-Token header of changes. */
  public record SessionView(String user, boolean admin, String method, String csrfToken) {}

  private static Response error(int status, String code, String message) {
    return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(ErrorMessage.of(code, message)).build();
  }
}
