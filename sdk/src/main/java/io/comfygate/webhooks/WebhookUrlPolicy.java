package io.comfygate.webhooks;

import io.comfygate.internal.net.IpLiteral;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which receiver URLs are accepted (checked when a job is submitted or a key's default is set, so
 * a bad URL is refused with a 400 instead of failing later): absolute {@code http} or {@code https}
 * URLs with a host, no user info, at most 2000 characters, a host {@code WEBHOOK_ALLOWED_HOSTS}
 * allows ({@link AllowedHosts}), and, unless that list names the host, not a host written as an IP
 * address in a special-purpose block ({@code 127.0.0.1}, {@code 10.0.0.5}, {@code [::1]},
 * {@code 169.254.169.254}, {@code 198.18.0.1}, {@code [2002:a00:1::]} …; {@link SpecialBlocks}) or
 * of this server's own interfaces, nor {@code localhost}. Names are not looked up here: what they
 * resolve to is checked at each delivery, when it matters. Immutable and thread-safe.
 */
public final class WebhookUrlPolicy {
  private static final int MAX_LENGTH = 2000;
  static final String ALLOW_HINT = "allow it with WEBHOOK_ALLOWED_HOSTS";
  private final AllowedHosts allowed;
  private final ReceiverAddresses addresses;

  WebhookUrlPolicy(AllowedHosts allowed, ReceiverAddresses addresses) {
    this.allowed = allowed;
    this.addresses = addresses;
  }

  /** Any host on a public address. */
  public static WebhookUrlPolicy publicHosts() {
    return allowing(List.of());
  }

  /**
   * As {@code WEBHOOK_ALLOWED_HOSTS} says: hosts, {@code .suffixes}, IP addresses, CIDR blocks and
   * {@code *} (any public host); an empty list means {@code *}.
   *
   * @throws IllegalArgumentException if an entry looks like an address but is not one
   */
  public static WebhookUrlPolicy allowing(List<String> entries) {
    return new WebhookUrlPolicy(AllowedHosts.of(entries), new ReceiverAddresses(OwnAddresses.system()));
  }

  AllowedHosts allowedHosts() {
    return allowed;
  }

  ReceiverAddresses addresses() {
    return addresses;
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
    if (allowed.names(host)) {
      return url;
    }
    if (!allowed.anyPublic()) {
      throw new IllegalArgumentException("host " + host + " is not allowed (WEBHOOK_ALLOWED_HOSTS)");
    }
    Optional<InetAddress> literal = IpLiteral.parse(host);
    Optional<String> why = literal.flatMap(addresses::notPublic);
    if (why.isPresent()) {
      throw notPublic(host + " is " + why.get());
    }
    String name = AllowedHosts.withoutFinalDot(host);
    if (name.equals("localhost") || name.endsWith(".localhost")) {
      throw notPublic(host + " is this server");
    }
    return url;
  }

  private static IllegalArgumentException notPublic(String why) {
    return new IllegalArgumentException("points to a non-public address (" + why + "); " + ALLOW_HINT);
  }
}
