package io.comfygate.web.live;

import io.comfygate.auth.ApiKeys;
import io.comfygate.web.security.AuthFilter;
import io.comfygate.web.security.Identity;
import jakarta.servlet.http.HttpSession;
import jakarta.websocket.Extension;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.security.Principal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Authenticates the WebSocket handshake and builds each {@link LiveEndpoint} with the hub (no
 * statics). The caller's identity comes, in this order, from:
 * <ol>
 *   <li>the request's principal when {@link AuthFilter} (mapped on {@code /api/*}) ran before the
 *       container's WebSocket filter: an API key in {@code Authorization: Bearer}, HTTP Basic
 *       checked against the container's realm, or the signed-in session. A wrong key or password
 *       is answered there with a JSON 401 before any upgrade;</li>
 *   <li>the HTTP session of a browser that signed in;</li>
 *   <li>an API key in {@code Authorization: Bearer} or, since browsers cannot set headers on a
 *       WebSocket, the {@code access_token} query parameter.</li>
 * </ol>
 * The realm is reachable only from a servlet request, so Basic relies on the filter; Tomcat and
 * Payara run application filters before their WebSocket filter. A handshake without an identity
 * holding the {@code user} or {@code admin} role is accepted by the container but closed at once
 * by the endpoint with 1008 (policy violation): throwing here would be an HTML 500, not a refusal.
 */
public final class LiveConfigurator extends ServerEndpointConfig.Configurator {
  static final String IDENTITY = "comfygate.live.identity";

  private final LiveHub hub;
  private final ApiKeys apiKeys;

  public LiveConfigurator(LiveHub hub, ApiKeys apiKeys) {
    this.hub = hub;
    this.apiKeys = apiKeys;
  }

  /**
   * The endpoint config to register with the container's {@code ServerContainer}.
   *
   * <p>Built with the container's class loader as context loader: {@code Builder.create} looks up
   * the container's default configurator once per JVM with {@code ServiceLoader} on the context
   * loader and caches it in a static of the shared WebSocket API. With ours, it could find one listed
   * by a WebSocket jar in the WAR (Tyrus's, while the SDK used it), and that static would keep this
   * application's class loader, the first one deployed, loaded after undeploy.
   */
  public ServerEndpointConfig endpointConfig() {
    Thread thread = Thread.currentThread();
    ClassLoader own = thread.getContextClassLoader();
    thread.setContextClassLoader(ServerEndpointConfig.class.getClassLoader());
    try {
      return ServerEndpointConfig.Builder.create(LiveEndpoint.class, LiveEndpoint.PATH).configurator(this).build();
    } finally {
      thread.setContextClassLoader(own);
    }
  }

  @Override
  public <T> T getEndpointInstance(Class<T> type) throws InstantiationException {
    if (type != LiveEndpoint.class) {
      throw new InstantiationException("not a live endpoint: " + type.getName());
    }
    return type.cast(new LiveEndpoint(hub));
  }

  /*
   * The three methods below answer what the base class would ask the container's default
   * configurator. That default is found once through ServiceLoader and cached in a static of the
   * container's jakarta.websocket API: on Tomcat it can be a configurator from a WAR that has
   * since been undeployed (it was Tyrus's, while the WAR bundled Tyrus), and every handshake after
   * a redeploy then failed with a 500 (ClassNotFoundException from a stopped class loader).
   * Not delegating keeps each deployment to its own classes.
   */

  /** The first subprotocol the client asked for that the endpoint supports, else none. */
  @Override
  public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
    for (String protocol : requested) {
      if (supported.contains(protocol)) {
        return protocol;
      }
    }
    return "";
  }

  /** The extensions the client asked for that the container has installed, in the client's order. */
  @Override
  public List<Extension> getNegotiatedExtensions(List<Extension> installed, List<Extension> requested) {
    Set<String> names = new HashSet<>();
    for (Extension extension : installed) {
      names.add(extension.getName());
    }
    List<Extension> negotiated = new ArrayList<>();
    for (Extension extension : requested) {
      if (names.contains(extension.getName())) {
        negotiated.add(extension);
      }
    }
    return negotiated;
  }

  /** Any origin, as the container's default does; the handshake itself carries the identity. */
  @Override
  public boolean checkOrigin(String originHeaderValue) {
    return true;
  }

  @Override
  public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
    Object session = request.getHttpSession();
    Object sessionIdentity = session instanceof HttpSession s ? s.getAttribute(AuthFilter.SESSION_IDENTITY) : null;
    String origin = first(request.getHeaders(), "Origin");
    String host = first(request.getHeaders(), "Host");
    boolean secure = request.getRequestURI() != null
        && ("wss".equalsIgnoreCase(request.getRequestURI().getScheme()) || "https".equalsIgnoreCase(request.getRequestURI().getScheme()));
    authenticate(request.getUserPrincipal(), sessionIdentity, first(request.getHeaders(), "Authorization"),
        first(request.getParameterMap(), "access_token"))
        // A session cookie travels with any page's request: only our own pages may use it here,
        // or another site could open this socket as the signed-in user and read their jobs.
        .filter(identity -> !identity.method().equals("session") || sameOrigin(origin, secure, host))
        .ifPresent(identity -> config.getUserProperties().put(IDENTITY, identity));
  }

  /** The caller's identity from what the handshake carries; empty when none, or without a role. */
  Optional<Identity> authenticate(Principal principal, Object sessionIdentity, String authorization, String accessToken) {
    Identity found = null;
    if (principal instanceof Identity p) {
      found = p;
    } else if (sessionIdentity instanceof Identity s) {
      found = s;
    } else if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      found = apiKey(authorization.substring(7).strip());
    } else if (accessToken != null && !accessToken.isBlank()) {
      found = apiKey(accessToken.strip());
    }
    return Optional.ofNullable(found).filter(i -> i.roles().contains(Identity.USER) || i.admin());
  }

  private Identity apiKey(String secret) {
    return apiKeys.authenticate(secret).map(Identity::of).orElse(null);
  }

  /**
   * Whether a browser's {@code Origin} names the server the request was sent to: the same scheme
   * ({@code https} when the socket is {@code wss}, else {@code http}), host ({@code Host}) and port.
   * An {@code http} page cannot use the session of an {@code https} one, nor another port's. True
   * without an Origin (not a browser page).
   */
  static boolean sameOrigin(String origin, boolean secure, String host) {
    if (origin == null) {
      return true;
    }
    if (host == null) {
      return false;
    }
    try {
      java.net.URI o = java.net.URI.create(origin.strip());
      String scheme = secure ? "https" : "http";
      if (o.getHost() == null || o.getScheme() == null || !o.getScheme().equalsIgnoreCase(scheme)) {
        return false;
      }
      int defaultPort = secure ? 443 : 80;
      int originPort = o.getPort() < 0 ? defaultPort : o.getPort();
      java.net.URI h = java.net.URI.create(scheme + "://" + host.strip());
      int hostPort = h.getPort() < 0 ? defaultPort : h.getPort();
      return h.getHost() != null && o.getHost().equalsIgnoreCase(h.getHost()) && originPort == hostPort;
    } catch (IllegalArgumentException malformed) {
      return false;
    }
  }

  private static String first(Map<String, List<String>> values, String name) {
    for (Map.Entry<String, List<String>> e : values.entrySet()) {
      // Header names are case-insensitive; some containers keep the client's spelling.
      if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
        return e.getValue().get(0);
      }
    }
    return null;
  }
}
