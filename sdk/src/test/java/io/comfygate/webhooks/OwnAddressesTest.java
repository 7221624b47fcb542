package io.comfygate.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class OwnAddressesTest {

  @Test
  void theListIsTakenOncePerIntervalAndAnAddressAddedLaterIsSeenAfterIt() throws Exception {
    InetAddress first = InetAddress.getByName("93.184.216.34");
    InetAddress later = InetAddress.getByName("93.184.216.35");
    Deque<Set<InetAddress>> answers = new ArrayDeque<>(java.util.List.of(Set.of(first), Set.of(first, later)));
    AtomicInteger enumerations = new AtomicInteger();
    AtomicLong now = new AtomicLong();
    OwnAddresses own = new OwnAddresses(() -> {
      enumerations.incrementAndGet();
      return answers.size() > 1 ? answers.poll() : answers.peek();
    }, now::get, Duration.ofSeconds(60));

    assertThat(own.contains(first)).isTrue();
    assertThat(own.contains(later)).isFalse();
    now.addAndGet(Duration.ofSeconds(59).toNanos());
    assertThat(own.contains(later)).as("cached within the interval").isFalse();
    assertThat(enumerations).hasValue(1);
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(own.contains(later)).as("refreshed after it").isTrue();
    assertThat(enumerations).hasValue(2);
  }

  @Test
  void aFailedEnumerationKeepsTheLastList() throws Exception {
    InetAddress first = InetAddress.getByName("93.184.216.34");
    AtomicInteger calls = new AtomicInteger();
    AtomicLong now = new AtomicLong();
    OwnAddresses own = new OwnAddresses(() -> {
      if (calls.incrementAndGet() > 1) {
        throw new SocketException("interfaces went away");
      }
      return Set.of(first);
    }, now::get, Duration.ofSeconds(1));
    assertThat(own.contains(first)).isTrue();
    now.addAndGet(Duration.ofSeconds(2).toNanos());
    assertThat(own.contains(first)).isTrue();
    assertThat(calls).hasValue(2);
  }

  @Test
  void theSystemListHoldsEveryAddressOfThisMachinesInterfaces() throws Exception {
    OwnAddresses own = OwnAddresses.system();
    int seen = 0;
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress address : Collections.list(nic.getInetAddresses())) {
        assertThat(own.contains(address)).as(nic.getName() + " " + address).isTrue();
        seen++;
      }
    }
    assertThat(seen).as("addresses on this machine (loopback at least)").isPositive();
    assertThat(own.contains(InetAddress.getByName("93.184.216.34"))).isFalse();
  }
}
