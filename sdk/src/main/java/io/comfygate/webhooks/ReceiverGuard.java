package io.comfygate.webhooks;

import io.comfygate.internal.concurrent.NamedThreads;
import io.comfygate.internal.net.IpLiteral;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The check before each delivery attempt: the receiver's host is looked up (for at most the
 * webhook timeout) and the attempt is refused if <i>any</i> of its addresses is not public
 * ({@link ReceiverAddresses}: a special-purpose block or this server's own), unless {@code WEBHOOK_ALLOWED_HOSTS} names the host or lists that address
 * (a host that list does not allow at all is refused too).
 * This catches what the check at registration cannot see: names that resolve to internal addresses,
 * DNS that changed since, and targets built in code without the policy. Such a refusal is final
 * (retrying cannot help); a host that cannot be resolved is an ordinary, retried failure.
 *
 * <p>The HTTP client looks the name up once more when it connects, so a DNS server that answers
 * differently within those milliseconds (DNS rebinding) is not caught here; an egress firewall is
 * the complete defence (docs/webhooks.md says so).
 */
final class ReceiverGuard implements AutoCloseable {
  /** Looks a host up; {@link InetAddress#getAllByName} outside tests. */
  interface Lookup {
    InetAddress[] all(String host) throws UnknownHostException;
  }

  /** Why an attempt is not made; {@code permanent} if retrying cannot help. */
  record Refusal(String reason, boolean permanent) {}

  private final AllowedHosts allowed;
  private final ReceiverAddresses receivers;
  private final Lookup lookup;
  private final Duration timeout;
  private final ThreadPoolExecutor lookups;

  ReceiverGuard(AllowedHosts allowed, ReceiverAddresses addresses, Lookup lookup, Duration timeout, int threads) {
    this.allowed = allowed;
    this.receivers = addresses;
    this.lookup = lookup;
    this.timeout = timeout;
    this.lookups = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        NamedThreads.factory("webhook-dns"));
    lookups.allowCoreThreadTimeOut(true);
  }

  /**
   * Why {@code url} must not be called now, or {@code null} if it may be.
   *
   * @throws InterruptedException if the wait for the lookup is interrupted (the deliverer closes)
   */
  Refusal check(URI url) throws InterruptedException {
    if (url.getHost() == null) {
      return new Refusal("the URL names no host: not sent", true);
    }
    String host = url.getHost().toLowerCase(Locale.ROOT);
    if (allowed.names(host)) {
      return null;
    }
    if (!allowed.anyPublic()) {
      return new Refusal("host " + host + " is not allowed (WEBHOOK_ALLOWED_HOSTS): not sent", true);
    }
    InetAddress[] addresses;
    try {
      Optional<InetAddress> literal = IpLiteral.parse(host);
      addresses = literal.isPresent() ? new InetAddress[] {literal.get()} : resolve(host);
    } catch (IllegalArgumentException e) {
      return new Refusal(e.getMessage() + ": not sent", true);
    } catch (UnknownHostException e) {
      return new Refusal(e.getMessage(), false);
    }
    for (InetAddress address : addresses) {
      Optional<String> why = receivers.notPublic(address);
      if (why.isPresent() && !allowed.covers(address)) {
        return new Refusal(host + " resolves to " + address.getHostAddress() + ", " + why.get()
            + ": not sent; " + WebhookUrlPolicy.ALLOW_HINT, true);
      }
    }
    return null;
  }

  /** The host's addresses, looked up on a pool thread for at most the timeout. */
  private InetAddress[] resolve(String host) throws InterruptedException, UnknownHostException {
    Future<InetAddress[]> answer;
    try {
      answer = lookups.submit(() -> lookup.all(host));
    } catch (RejectedExecutionException e) {
      throw new InterruptedException("closing");
    }
    try {
      return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      answer.cancel(true);
      throw new UnknownHostException("cannot resolve " + host + " within " + timeout.toSeconds() + " s");
    } catch (ExecutionException e) {
      throw new UnknownHostException("cannot resolve " + host + ": " + e.getCause());
    }
  }

  @Override
  public void close() {
    NamedThreads.shutdown(lookups, Duration.ofSeconds(1), "webhook dns");
  }
}
