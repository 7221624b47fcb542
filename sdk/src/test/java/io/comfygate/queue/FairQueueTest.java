package io.comfygate.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FairQueueTest {
  private final FairQueue<String> queue = new FairQueue<>(new QuotaPolicy(3, 1));

  @Test
  void roundRobinServesALightUserBetweenAHeavyOnesJobs() {
    for (int i = 1; i <= 5; i++) {
      queue.add("heavy", "h" + i);
    }
    queue.add("light", "l1");
    // Plenty of slots, but one running job per user: first turn each.
    assertThat(queue.promote(10)).containsExactly("h1", "l1");
    queue.finished("h1");
    queue.finished("l1");
    queue.add("light", "l2");
    assertThat(queue.promote(1)).containsExactly("h2");
    queue.finished("h2");
    // light has waited since the last turn: it goes before heavy's third job.
    assertThat(queue.promote(1)).containsExactly("l2");
  }

  @Test
  void dispatchOrderAlternatesUsersWithHigherConcurrency() {
    FairQueue<String> q = new FairQueue<>(new QuotaPolicy(10, 5));
    for (int i = 1; i <= 3; i++) {
      q.add("a", "a" + i);
      q.add("b", "b" + i);
    }
    q.add("c", "c1");
    assertThat(q.promote(7)).containsExactly("a1", "b1", "c1", "a2", "b2", "a3", "b3");
  }

  @Test
  void usersAtTheirConcurrencyLimitAreSkippedNotBlocking() {
    queue.add("a", "a1");
    queue.add("a", "a2");
    queue.add("b", "b1");
    assertThat(queue.promote(1)).containsExactly("a1");
    assertThat(queue.promote(5)).containsExactly("b1"); // a2 waits for a1 although slots are free
    assertThat(queue.dispatchedCount("a")).isEqualTo(1);
    queue.finished("a1");
    assertThat(queue.promote(5)).containsExactly("a2");
  }

  @Test
  void waitingLimitRefusesTheOneTooMany() {
    // a1 would start at once: it needs no waiting place.
    assertThat(queue.refusal("a", 1)).isEmpty();
    queue.add("a", "a1");
    queue.promote(1);
    for (int i = 2; i <= 4; i++) {
      assertThat(queue.refusal("a", 1)).as("waiting job %d", i - 1).isEmpty();
      queue.add("a", "a" + i);
    }
    assertThat(queue.refusal("a", 1)).hasValue(3);
    assertThat(queue.refusal("b", 1)).isEmpty();
  }

  @Test
  void zeroWaitingAllowsOnlyJobsThatStartAtOnce() {
    FairQueue<String> q = new FairQueue<>(new QuotaPolicy(0, 1));
    assertThat(q.refusal("a", 0)).as("no free slot").hasValue(0);
    assertThat(q.refusal("a", 1)).isEmpty();
    q.add("a", "a1");
    q.promote(1);
    assertThat(q.refusal("a", 1)).as("over the concurrency limit").hasValue(0);
  }

  @Test
  void positionsFollowTheRoundRobin() {
    queue.add("a", "a1");
    queue.add("a", "a2");
    queue.add("b", "b1");
    assertThat(List.of(queue.position("a1"), queue.position("b1"), queue.position("a2"))).containsExactly(0, 1, 2);
    assertThat(queue.position("zz")).isEqualTo(-1);
    queue.promote(1);
    assertThat(queue.position("a1")).isEqualTo(-1);
    assertThat(queue.position("b1")).isZero();
  }

  @Test
  void cancellingAWaitingJobFreesItsPlace() {
    queue.add("a", "a1");
    queue.add("a", "a2");
    assertThat(queue.removeWaiting("a1")).isTrue();
    assertThat(queue.removeWaiting("a1")).isFalse();
    assertThat(queue.waitingCount("a")).isEqualTo(1);
    assertThat(queue.promote(1)).containsExactly("a2");
    assertThat(queue.removeWaiting("a2")).as("dispatched jobs are not removed here").isFalse();
  }

  @Test
  void requeuedJobKeepsItsPlaceAtTheFront() {
    queue.add("a", "a1");
    queue.add("a", "a2");
    queue.add("b", "b1");
    assertThat(queue.promote(1)).containsExactly("a1");
    queue.requeueFirst("a1");
    assertThat(queue.dispatchedCount("a")).isZero();
    assertThat(queue.promote(3)).containsExactly("a1", "b1");
  }

  @Test
  void jobsRecoveredOnABackendCountAgainstTheirUser() {
    queue.addDispatched("a", "a0");
    queue.add("a", "a1");
    assertThat(queue.promote(5)).isEmpty();
    queue.finished("a0");
    assertThat(queue.promote(5)).containsExactly("a1");
  }

  @Test
  void aJobIsQueuedOnlyOnce() {
    queue.add("a", "a1");
    assertThatThrownBy(() -> queue.add("b", "a1")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void finishingIsIdempotent() {
    queue.add("a", "a1");
    queue.add("a", "a2");
    queue.promote(1);
    queue.finished("a1");
    queue.finished("a1");
    queue.finished("a2"); // still waiting: not a dispatched job, ignored
    assertThat(queue.waitingCount("a")).isEqualTo(1);
    List<String> promoted = new ArrayList<>(queue.promote(1));
    assertThat(promoted).containsExactly("a2");
  }

  @Test
  void positionIsTheOrderInWhichJobsWouldBePromoted() {
    // Two queues take the same random history; one answers positions, the other is drained one
    // slot at a time, which is the order the positions promise.
    for (long seed = 1; seed <= 200; seed++) {
      Random random = new Random(seed);
      FairQueue<String> asked = new FairQueue<>(new QuotaPolicy(8, 100));
      FairQueue<String> drained = new FairQueue<>(new QuotaPolicy(8, 100));
      List<String> added = new ArrayList<>();
      List<String> promoted = new ArrayList<>();
      for (int step = 0; step < 40; step++) {
        int op = random.nextInt(12);
        if (op >= 10 && !promoted.isEmpty()) { // a refused hand-over: back to the head of its line
          String job = promoted.remove(random.nextInt(promoted.size()));
          asked.requeueFirst(job);
          drained.requeueFirst(job);
        } else if (op == 9 && !added.isEmpty()) { // a cancel that could not be written: waits again
          String job = added.get(random.nextInt(added.size()));
          if (asked.removeWaiting(job)) {
            drained.removeWaiting(job);
            asked.restoreFirst(job.substring(0, job.indexOf('-')), job);
            drained.restoreFirst(job.substring(0, job.indexOf('-')), job);
          }
        } else if (op < 6) {
          String user = "u" + random.nextInt(5);
          String job = user + "-" + step;
          asked.add(user, job);
          drained.add(user, job);
          added.add(job);
        } else if (op < 8 && !added.isEmpty()) {
          String job = added.get(random.nextInt(added.size()));
          asked.removeWaiting(job);
          drained.removeWaiting(job);
        } else {
          promoted.addAll(asked.promote(1));
          drained.promote(1);
        }
      }
      List<String> order = new ArrayList<>();
      for (List<String> next = drained.promote(1); !next.isEmpty(); next = drained.promote(1)) {
        order.addAll(next);
      }
      for (String job : added) {
        assertThat(asked.position(job)).as("seed %d, job %s", seed, job).isEqualTo(order.indexOf(job));
      }
      assertThat(asked.inDispatchOrder()).as("seed %d: all waiting jobs in one pass", seed).isEqualTo(order);
    }
  }
}
