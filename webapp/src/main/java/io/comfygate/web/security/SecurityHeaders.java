package io.comfygate.web.security;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The browser-side protections of every answer, pages and API alike, set before anything else
 * runs so that errors carry them too:
 * <ul>
 *   <li>a strict Content-Security-Policy: scripts, styles and connections from this origin only, no
 *       inline script or style, no plugins, no framing ({@code frame-ancestors 'none'}, and
 *       {@code X-Frame-Options: DENY} for older browsers); images may also be {@code data:} and
 *       {@code blob:} URLs (live previews);</li>
 *   <li>{@code X-Content-Type-Options: nosniff}: a file is never run as another type than it says;</li>
 *   <li>{@code Referrer-Policy: same-origin}: job and image ids in our URLs never leave the site;</li>
 *   <li>{@code Cache-Control: no-store} on everything under {@code /api/} (jobs, images, the CSRF
 *       token): no browser or proxy keeps a copy of someone's data. A resource may say otherwise for
 *       its own answer.</li>
 * </ul>
 */
public final class SecurityHeaders implements Filter {
  public static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self';"
      + " img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none';"
      + " form-action 'self'; frame-ancestors 'none'";

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
    HttpServletRequest request = (HttpServletRequest) req;
    HttpServletResponse response = (HttpServletResponse) res;
    response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    response.setHeader("X-Frame-Options", "DENY");
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("Referrer-Policy", "same-origin");
    // The servlet path, as the container mapped it: no spelling of the URL moves a request out of /api.
    if (request.getServletPath().equals("/api") || request.getServletPath().startsWith("/api/")) {
      response.setHeader("Cache-Control", "no-store");
    }
    chain.doFilter(req, res);
  }
}
