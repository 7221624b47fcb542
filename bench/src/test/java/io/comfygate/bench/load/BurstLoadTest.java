package io.comfygate.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A short run of the burst load in the build (100 users for 8 s against the WAR in Tomcat with two
 * simulated GPUs): no 5xx, limits never exceeded, every job ended; once on SQLite, once spread over
 * two instances on one PostgreSQL. The long run and its figures are in RELIABILITY.md.
 */
class BurstLoadTest {
  @Test
  void oneHundredUsersInBurstsGetNo5xxAndNeverExceedTheirLimits() throws Exception {
    BurstLoad.Result r = BurstLoad.run(new BurstLoad.Config(100, Duration.ofSeconds(8), 3, 1), System.out);
    assertEveryLimitHeld(r);
  }

  @Test
  void oneHundredUsersSpreadOverTwoInstancesOnOnePostgresqlNeverExceedTheirLimits() throws Exception {
    BurstLoad.Config config = new BurstLoad.Config(100, Duration.ofSeconds(8), 3, 1)
        .onInstances(2, BurstLoad.testPostgresql());

    BurstLoad.Result r = BurstLoad.run(config, System.out);

    assertEveryLimitHeld(r);
  }

  private static void assertEveryLimitHeld(BurstLoad.Result r) {
    System.out.println(BurstLoad.report(r));
    assertThat(r.serverErrorCount()).as("5xx or no answer: %s", r.serverErrors()).isZero();
    assertThat(r.count(202)).as("accepted submits").isPositive();
    assertThat(r.count(429)).as("submits over the limit refused").isPositive();
    assertThat(r.audit().jobs()).as("every accepted submit is one stored job").isEqualTo((int) r.count(202));
    assertThat(r.audit().violations()).isEmpty();
    assertThat(r.liveViolations()).isEmpty();
    assertThat(r.liveSamples()).isPositive();
  }

  @Test
  void overlapCountingTreatsTouchingIntervalsAsSequential() {
    assertThat(Audit.mostAtOnce(List.of(new long[] {0, 10}, new long[] {10, 20}))).isEqualTo(1);
    assertThat(Audit.mostAtOnce(List.of(new long[] {0, 10}, new long[] {5, 20}, new long[] {6, 7}))).isEqualTo(3);
  }
}
