package io.comfygate.webhooks;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The addresses of this server's own network interfaces (a receiver there would be the server
 * itself, whatever kind of address it is), enumerated at most once per refresh interval so that an
 * address added or moved later (DHCP, a new container network) is seen within it. Thread-safe: a
 * check uses one snapshot; two threads may enumerate at once after an expiry, which is harmless.
 */
final class OwnAddresses {
  /** The interfaces' addresses; {@link NetworkInterface} enumeration outside tests. */
  interface Source {
    Set<InetAddress> addresses() throws SocketException;
  }

  static final Duration REFRESH = Duration.ofMinutes(1);
  private static final Logger LOG = LoggerFactory.getLogger(OwnAddresses.class);

  private record Snapshot(Set<InetAddress> addresses, long takenAt) {}

  private final Source source;
  private final LongSupplier nanoTime;
  private final long refreshNanos;
  private volatile Snapshot snapshot;

  OwnAddresses(Source source, LongSupplier nanoTime, Duration refresh) {
    this.source = source;
    this.nanoTime = nanoTime;
    this.refreshNanos = refresh.toNanos();
  }

  /** This machine's interfaces, refreshed every minute. */
  static OwnAddresses system() {
    return new OwnAddresses(OwnAddresses::enumerate, System::nanoTime, REFRESH);
  }

  /** Whether {@code address} is one of this server's own (as last enumerated). */
  boolean contains(InetAddress address) {
    return current().contains(address);
  }

  private Set<InetAddress> current() {
    Snapshot s = snapshot;
    long now = nanoTime.getAsLong();
    if (s == null || now - s.takenAt() >= refreshNanos) {
      Set<InetAddress> found;
      try {
        found = Set.copyOf(source.addresses());
      } catch (SocketException | RuntimeException e) {
        LOG.warn("could not list this server's network interfaces; keeping the last list: {}", e.toString());
        found = s == null ? Set.of() : s.addresses();
      }
      s = new Snapshot(found, now);
      snapshot = s;
    }
    return s.addresses();
  }

  private static Set<InetAddress> enumerate() throws SocketException {
    Set<InetAddress> out = new HashSet<>();
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      out.addAll(Collections.list(nic.getInetAddresses()));
    }
    return out;
  }
}
