package io.comfygate.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ReceiverGuardTest {
  private static final ReceiverAddresses NO_OWN =
      new ReceiverAddresses(new OwnAddresses(java.util.Set::of, () -> 0, Duration.ofMinutes(1)));
  /** A DNS of our own: names to their addresses. */
  private static final Map<String, List<String>> DNS = Map.of(
      "hooks.example.com", List.of("93.184.216.34", "2606:2800:220:1::1"),
      "sneaky.example.com", List.of("93.184.216.34", "10.0.0.7"),
      "metadata.example.com", List.of("169.254.169.254"),
      "mapped.example.com", List.of("::ffff:127.0.0.1"),
      "hooks.internal", List.of("10.1.2.3"));

  private static InetAddress[] lookUp(String host) throws UnknownHostException {
    List<String> found = DNS.get(host);
    if (found == null) {
      throw new UnknownHostException(host);
    }
    InetAddress[] out = new InetAddress[found.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = InetAddress.getByName(found.get(i).contains(":") ? "[" + found.get(i) + "]" : found.get(i));
    }
    return out;
  }

  private static ReceiverGuard.Refusal check(List<String> allowed, String url) throws InterruptedException {
    try (ReceiverGuard guard = new ReceiverGuard(AllowedHosts.of(allowed), NO_OWN, ReceiverGuardTest::lookUp,
        Duration.ofSeconds(5), 1)) {
      return guard.check(URI.create(url));
    }
  }

  @Test
  void aHostWhoseAddressesAreAllPublicIsCalled() throws Exception {
    assertThat(check(List.of(), "https://hooks.example.com/x")).isNull();
    assertThat(check(List.of(), "https://93.184.216.34/x")).isNull();
  }

  @Test
  void aHostWithAnyNonPublicAddressIsRefusedForGood() throws Exception {
    ReceiverGuard.Refusal sneaky = check(List.of(), "https://sneaky.example.com/x");
    assertThat(sneaky.permanent()).isTrue();
    assertThat(sneaky.reason()).isEqualTo("sneaky.example.com resolves to 10.0.0.7, a private-network address"
        + " (10.0.0.0/8, Private-Use): not sent; allow it with WEBHOOK_ALLOWED_HOSTS");
    assertThat(check(List.of("*"), "http://metadata.example.com/").reason()).contains("link-local");
    assertThat(check(List.of(), "http://mapped.example.com/").reason()).contains("loopback");
  }

  @Test
  void theOperatorCanAllowAnInternalReceiverByNameSuffixAddressOrBlock() throws Exception {
    assertThat(check(List.of("hooks.internal"), "http://hooks.internal/x")).isNull();
    assertThat(check(List.of(".internal"), "http://hooks.internal/x")).isNull();
    assertThat(check(List.of("*", "10.1.2.0/24"), "http://hooks.internal/x")).as("by its address").isNull();
    assertThat(check(List.of("*", "10.9.0.0/16"), "http://hooks.internal/x")).isNotNull();
    assertThat(check(List.of("127.0.0.1"), "http://127.0.0.1:9000/x")).isNull();
  }

  @Test
  void aHostTheListDoesNotAllowIsRefusedForGoodEvenIfTheUrlWasNeverChecked() throws Exception {
    ReceiverGuard.Refusal refusal = check(List.of("hooks.internal"), "https://hooks.example.com/x");
    assertThat(refusal.permanent()).isTrue();
    assertThat(refusal.reason()).contains("not allowed (WEBHOOK_ALLOWED_HOSTS)");
  }

  @Test
  void theRealResolverSeesThatLocalhostIsLoopback() throws Exception {
    try (ReceiverGuard guard = new ReceiverGuard(AllowedHosts.of(List.of()), NO_OWN, InetAddress::getAllByName,
        Duration.ofSeconds(5), 1)) {
      ReceiverGuard.Refusal refusal = guard.check(URI.create("http://localhost:8188/prompt"));
      assertThat(refusal.permanent()).isTrue();
      assertThat(refusal.reason()).startsWith("localhost resolves to").contains("loopback");
      assertThat(guard.check(URI.create("http://[::1]/")).reason()).contains("loopback");
    }
  }

  @Test
  void aHostOnOneOfThisServersOwnAddressesIsRefusedEvenIfThatAddressIsPublic() throws Exception {
    InetAddress own = InetAddress.getByName("93.184.216.34");
    ReceiverAddresses server = new ReceiverAddresses(new OwnAddresses(() -> java.util.Set.of(own), () -> 0,
        Duration.ofMinutes(1)));
    try (ReceiverGuard guard = new ReceiverGuard(AllowedHosts.of(List.of()), server, ReceiverGuardTest::lookUp,
        Duration.ofSeconds(5), 1)) {
      ReceiverGuard.Refusal refusal = guard.check(URI.create("https://hooks.example.com/x"));
      assertThat(refusal.permanent()).isTrue();
      assertThat(refusal.reason()).isEqualTo("hooks.example.com resolves to 93.184.216.34, an address of this server"
          + " (one of its network interfaces): not sent; allow it with WEBHOOK_ALLOWED_HOSTS");
    }
    try (ReceiverGuard guard = new ReceiverGuard(AllowedHosts.of(List.of("*", "93.184.216.34")), server,
        ReceiverGuardTest::lookUp, Duration.ofSeconds(5), 1)) {
      assertThat(guard.check(URI.create("https://hooks.example.com/x"))).as("allowed by the operator").isNull();
    }
  }

  @Test
  void aNameThatCannotBeResolvedIsAnOrdinaryRetriedFailure() throws Exception {
    ReceiverGuard.Refusal refusal = check(List.of(), "https://nowhere.example.com/x");
    assertThat(refusal.permanent()).isFalse();
    assertThat(refusal.reason()).startsWith("cannot resolve nowhere.example.com");
  }

  @Test
  void aLookupThatDoesNotAnswerIsGivenUpAfterTheTimeoutAndRetriedLater() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    try (ReceiverGuard guard = new ReceiverGuard(AllowedHosts.of(List.of()), NO_OWN, host -> {
      try {
        never.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new UnknownHostException(host);
    }, Duration.ofMillis(100), 1)) {
      ReceiverGuard.Refusal refusal = guard.check(URI.create("https://slow.example.com/x"));
      assertThat(refusal.permanent()).isFalse();
      assertThat(refusal.reason()).startsWith("cannot resolve slow.example.com within");
    }
  }
}
