package io.comfygate.webhooks;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * Which receiver URLs are accepted (checked when a job is submitted or a key's default is set, so
 * a bad URL is refused with a 400 instead of failing later): absolute {@code http} or {@code https}
 * URLs with a host, no user info, at most 2000 characters, and, when an allow-list is set
 * ({@code WEBHOOK_ALLOWED_HOSTS}), a host that is on it. An entry {@code example.com} allows that
 * host only; {@code .example.com} (or {@code *.example.com}) allows its subdomains. Immutable.
 */
public final class WebhookUrlPolicy {
  private static final int MAX_LENGTH = 2000;
  private final List<String> allowed;

  private WebhookUrlPolicy(List<String> allowed) {
    this.allowed = allowed.stream().map(String::strip).filter(s -> !s.isEmpty())
        .map(s -> (s.startsWith("*.") ? s.substring(1) : s).toLowerCase(Locale.ROOT)).toList();
  }

  /** Any host. */
  public static WebhookUrlPolicy anyHost() {
    return new WebhookUrlPolicy(List.of());
  }

  /** Only these hosts and suffixes; an empty list allows any host. */
  public static WebhookUrlPolicy allowing(List<String> hostsAndSuffixes) {
    return new WebhookUrlPolicy(hostsAndSuffixes);
  }

  /**
   * The URL, if acceptable.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public URI check(String raw) {
    if (raw == null || raw.isBlank()) {
      throw new IllegalArgumentException("must be an http(s) URL");
    }
    if (raw.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("must be at most " + MAX_LENGTH + " characters");
    }
    URI url;
    try {
      url = new URI(raw.strip());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("is not a valid URL: " + e.getReason());
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("must start with http:// or https://");
    }
    if (url.getHost() == null || url.getHost().isEmpty()) {
      throw new IllegalArgumentException("must name a host");
    }
    if (url.getRawUserInfo() != null) {
      throw new IllegalArgumentException("must not contain credentials (user:password@)");
    }
    String host = url.getHost().toLowerCase(Locale.ROOT);
    if (!allowed.isEmpty() && allowed.stream().noneMatch(a -> a.startsWith(".") ? host.endsWith(a) : host.equals(a))) {
      throw new IllegalArgumentException("host " + host + " is not allowed (WEBHOOK_ALLOWED_HOSTS)");
    }
    return url;
  }
}
