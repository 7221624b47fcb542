package io.comfygate.web.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.comfygate.auth.ApiKeys;
import io.comfygate.json.JsonMappers;
import io.comfygate.web.api.ErrorMessage;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Establishes who calls /api, from (in this order) an API key ({@code Authorization: Bearer}; the
 * BOOTSTRAP_ADMIN_KEY setting, if set, is one more key, for the user {@value #BOOTSTRAP_USER} as admin),
 * HTTP Basic checked against the container's realm, or the session of a browser that signed in.
 * Credentials that are presented but wrong get a JSON 401 at once; no credentials pass on without
 * an identity (the role check answers 401 where one is needed). A browser's state-changing
 * requests, authenticated by the session cookie alone, must carry the session's CSRF token in
 * {@value #CSRF_HEADER}: a page on another site cannot read it, so it cannot forge them. A request
 * carries one identity: the cookie of a signed-in session together with an Authorization header is
 * refused with 400, never answered as one of them.
 */
public final class AuthFilter implements Filter {
  public static final String SESSION_IDENTITY = "comfygate.identity";
  public static final String SESSION_CSRF = "comfygate.csrf";
  public static final String CSRF_HEADER = "X-CSRF-Token";
  private static final ObjectMapper JSON = JsonMappers.newMapper();

  /** The user a request with the bootstrap admin key acts as. */
  public static final String BOOTSTRAP_USER = "admin";

  private final ApiKeys apiKeys;
  private final byte[] bootstrapKeyHash;

  public AuthFilter(ApiKeys apiKeys) {
    this(apiKeys, "");
  }

  /**
   * @param bootstrapAdminKey BOOTSTRAP_ADMIN_KEY: when not empty, this Bearer token is accepted as
   *     the user {@value #BOOTSTRAP_USER} with the admin role (for a realm without users)
   */
  public AuthFilter(ApiKeys apiKeys, String bootstrapAdminKey) {
    this.apiKeys = apiKeys;
    this.bootstrapKeyHash = bootstrapAdminKey == null || bootstrapAdminKey.isEmpty() ? null : sha256(bootstrapAdminKey);
  }

  /** Compares hashes in constant time: neither the key's length nor its prefix leaks by timing. */
  private boolean isBootstrapKey(String given) {
    return bootstrapKeyHash != null && MessageDigest.isEqual(bootstrapKeyHash, sha256(given));
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
    HttpServletRequest request = (HttpServletRequest) req;
    HttpServletResponse response = (HttpServletResponse) res;
    String authorization = request.getHeader("Authorization");
    HttpSession session = request.getSession(false);
    Identity signedIn = session == null ? null : (Identity) session.getAttribute(SESSION_IDENTITY);
    if (signedIn != null && authorization != null && !authorization.isBlank()) {
      // One request, one identity. Checking the credentials against the realm would also move the
      // cookie's session to a new id, sent back to whoever presented them.
      reject(response, 400, "bad_request",
          "This request carries two identities, a signed-in session's cookie and an Authorization header: send one of them");
      return;
    }
    Identity identity;
    if (startsWithIgnoreCase(authorization, "Bearer ") && isBootstrapKey(authorization.substring(7).strip())) {
      identity = new Identity(BOOTSTRAP_USER, Set.of(Identity.USER, Identity.ADMIN), "bootstrap-key");
    } else if (startsWithIgnoreCase(authorization, "Bearer ")) {
      Optional<Identity> key = apiKeys.authenticate(authorization.substring(7).strip())
          .map(Identity::of);
      if (key.isEmpty()) {
        reject(response, 401, "unauthorized", "Invalid or revoked API key");
        return;
      }
      identity = key.get();
    } else if (startsWithIgnoreCase(authorization, "Basic ")) {
      identity = basic(request, authorization.substring(6).strip());
      if (identity == null) {
        reject(response, 401, "unauthorized", "Wrong user name or password");
        return;
      }
    } else {
      identity = signedIn;
      if (identity != null && changesState(request.getMethod()) && !csrfMatches(request, session)) {
        reject(response, 403, "forbidden",
            "Missing or wrong " + CSRF_HEADER + " header: changes made with a session cookie must carry the session's token");
        return;
      }
    }
    chain.doFilter(identity == null ? request : new IdentityRequest(request, identity), response);
  }

  /** Checks a Basic credential against the container's realm (Tomcat's, Payara's, LDAP …). */
  private static Identity basic(HttpServletRequest request, String encoded) {
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
    int colon = decoded.indexOf(':');
    if (colon <= 0) {
      return null;
    }
    return realmLogin(request, decoded.substring(0, colon), decoded.substring(colon + 1)).orElse(null);
  }

  /**
   * Signs {@code user} in against the container's realm for this request and reads their roles.
   * Empty if the realm refuses the password.
   */
  public static Optional<Identity> realmLogin(HttpServletRequest request, String user, String password) {
    // The container's request: past this filter the wrapper answers with the caller's identity,
    // which would give a sign-in sent with someone else's Basic credentials or API key their name and roles.
    if (request instanceof IdentityRequest wrapped) {
      request = (HttpServletRequest) wrapped.getRequest();
    }
    try {
      request.login(user, password);
    } catch (ServletException refused) {
      return Optional.empty();
    }
    Set<String> roles = new HashSet<>();
    if (request.isUserInRole(Identity.ADMIN)) {
      roles.add(Identity.ADMIN);
    }
    if (request.isUserInRole(Identity.USER)) {
      roles.add(Identity.USER);
    }
    String name = request.getUserPrincipal() == null ? user : request.getUserPrincipal().getName();
    try {
      request.logout(); // the identity travels with us from here; the container keeps nothing
    } catch (ServletException ignored) {
      // Nothing was kept to clear.
    }
    return Optional.of(new Identity(name, roles, "basic"));
  }

  private static boolean csrfMatches(HttpServletRequest request, HttpSession session) {
    Object expected = session.getAttribute(SESSION_CSRF);
    String given = request.getHeader(CSRF_HEADER);
    return expected instanceof String token && given != null
        && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }

  private static boolean changesState(String method) {
    return !(method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS"));
  }

  private static boolean startsWithIgnoreCase(String value, String prefix) {
    return value != null && value.regionMatches(true, 0, prefix, 0, prefix.length());
  }

  /** Answers {@code status} with the JSON error shape (and a Bearer challenge on 401). */
  public static void reject(HttpServletResponse response, int status, String code, String message) throws IOException {
    response.setStatus(status);
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    if (status == 401) {
      response.setHeader("WWW-Authenticate", "Bearer realm=\"ComfyGate\"");
    }
    JSON.writeValue(response.getOutputStream(), ErrorMessage.of(code, message));
  }
}
