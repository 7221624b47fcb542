package io.comfygate.web.security;

/**
 * Who may call what the container serves outside the REST application, each rule stated once,
 * beside the path it is mounted on (the mounting code takes the path from here). The REST application's rules are the {@code @RolesAllowed}/{@code @PermitAll} on its resources
 * ({@link RoleCheck}); these are the others. Each is enforced where it is served (named in
 * {@link #enforcedBy}), by what the container matched, never by the path's text; the OpenAPI
 * document publishes {@link #who} as {@code x-access}, and README's API table must agree with it.
 */
public enum ServletAccess {
  /** Load balancers and monitors ask without credentials; the details of each check are for admins. */
  HEALTHZ("/healthz", "anyone", "HealthzServlet: the verdicts to anyone, each check's details only with the admin role"),
  /** Describes shapes, never data, and a client reads it before it has credentials. */
  OPENAPI("/openapi.json", "anyone", "OpenApiServlet: no check"),
  /** Prometheus text: counts and states of every user's jobs, so not for everyone. */
  METRICS("/metrics", "admin, or the `METRICS_TOKEN` scraper (anyone if `METRICS_PUBLIC=true`)",
      "MetricsServlet with MetricsAccess, after AuthFilter"),
  /** A user's live job updates. */
  LIVE("/api/v1/live", "user", "LiveConfigurator: an identity with the user or admin role (a session only from this origin), else closed with 1008"),
  /** The pages and their scripts and styles: no data in them, it comes from /api. */
  PAGES("/", "anyone", "the container's default servlet; WEB-INF and META-INF are never served");

  private final String path;
  private final String who;
  private final String enforcedBy;

  ServletAccess(String path, String who, String enforcedBy) {
    this.path = path;
    this.who = who;
    this.enforcedBy = enforcedBy;
  }

  /** The path under the web application ({@code /} for the pages). */
  public String path() {
    return path;
  }

  /** Who may call it, as README's API table says it. */
  public String who() {
    return who;
  }

  /** Which class enforces it, and how. */
  public String enforcedBy() {
    return enforcedBy;
  }
}
