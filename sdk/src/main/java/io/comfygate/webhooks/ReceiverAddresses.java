package io.comfygate.webhooks;

import java.net.InetAddress;
import java.util.Optional;

/**
 * Which addresses a receiver may not be on (unless {@code WEBHOOK_ALLOWED_HOSTS} covers them): a
 * special-purpose block ({@link SpecialBlocks}) or one of this server's own interface addresses
 * ({@link OwnAddresses}). One instance serves the check of a URL when it is set and the check of
 * its resolved addresses before each delivery. Thread-safe.
 */
final class ReceiverAddresses {
  private final OwnAddresses own;

  ReceiverAddresses(OwnAddresses own) {
    this.own = own;
  }

  /** Why {@code address} is not a public receiver's ("a loopback address (127.0.0.0/8, Loopback)"), or empty if it is. */
  Optional<String> notPublic(InetAddress address) {
    Optional<SpecialBlocks.Block> block = SpecialBlocks.of(address);
    if (block.isPresent()) {
      return Optional.of(block.get().kind().label() + " (" + block.get().describe() + ")");
    }
    if (own.contains(address)) {
      return Optional.of(AddressKind.OWN.label() + " (one of its network interfaces)");
    }
    return Optional.empty();
  }
}
