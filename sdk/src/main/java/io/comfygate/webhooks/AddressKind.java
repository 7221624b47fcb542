package io.comfygate.webhooks;

/**
 * What kind of address a webhook receiver is on, for messages. Only {@link #PUBLIC} ones are called
 * unless the operator allows a host with {@code WEBHOOK_ALLOWED_HOSTS}: the others reach the server
 * itself, its private network, the cloud's metadata service (server-side request forgery), or are
 * blocks no real receiver lives in. Which block is which: {@link SpecialBlocks}.
 */
enum AddressKind {
  PUBLIC("a public address"),
  LOOPBACK("a loopback address"),
  PRIVATE("a private-network address"),
  LINK_LOCAL("a link-local address"),
  UNIQUE_LOCAL("a unique-local IPv6 address"),
  SHARED("a carrier-grade NAT address"),
  UNSPECIFIED("an unspecified address"),
  MULTICAST("a multicast address"),
  BROADCAST("a broadcast address"),
  DOCUMENTATION("a documentation address"),
  EMBEDDED_IPV4("an IPv6 form of an IPv4 address"),
  RESERVED("a reserved address"),
  OWN("an address of this server");

  private final String label;

  AddressKind(String label) {
    this.label = label;
  }

  /** For messages: "a loopback address". */
  String label() {
    return label;
  }
}
