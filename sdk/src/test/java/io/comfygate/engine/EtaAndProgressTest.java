package io.comfygate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EtaAndProgressTest {

  @Test
  void runTimeIsTheMovingAverageOfTheLastJobsOfTheTemplate() {
    EtaEstimator eta = new EtaEstimator(3, Duration.ofSeconds(30));
    assertThat(eta.runTime("txt2img")).as("nothing known yet").isEqualTo(Duration.ofSeconds(30));
    eta.record("txt2img", Duration.ofSeconds(10));
    eta.record("txt2img", Duration.ofSeconds(20));
    assertThat(eta.runTime("txt2img")).isEqualTo(Duration.ofSeconds(15));
    eta.record("txt2img", Duration.ofSeconds(30));
    eta.record("txt2img", Duration.ofSeconds(40)); // the 10 s run leaves the window
    assertThat(eta.runTime("txt2img")).isEqualTo(Duration.ofSeconds(30));
    assertThat(eta.runTime("img2img")).as("another template borrows the overall average").isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void etaGrowsWithPositionAndShrinksWithSlots() {
    Duration run = Duration.ofSeconds(10);
    assertThat(EtaEstimator.eta(0, 1, Duration.ofSeconds(4), run)).isEqualTo(Duration.ofSeconds(14));
    assertThat(EtaEstimator.eta(2, 1, Duration.ofSeconds(4), run)).isEqualTo(Duration.ofSeconds(34));
    assertThat(EtaEstimator.eta(2, 2, Duration.ofSeconds(4), run)).isEqualTo(Duration.ofSeconds(24));
    assertThat(EtaEstimator.eta(3, 0, Duration.ZERO, run)).as("no slot counts as one").isEqualTo(Duration.ofSeconds(40));
    assertThat(EtaEstimator.remaining(run, Duration.ofSeconds(12))).isEqualTo(Duration.ZERO);
  }

  @Test
  void progressIsLoggedPerStepAndNotTooOften() {
    ProgressThrottle throttle = new ProgressThrottle(20, 1000);
    List<Integer> logged = new ArrayList<>();
    long t = 0;
    for (int percent = 0; percent <= 100; percent += 5) {
      t += 300;
      if (throttle.shouldLog(percent, t)) {
        logged.add(percent);
      }
    }
    // Steps at 20, 40, 60, 80 are crossed every 1200 ms here, which is above the 1000 ms floor.
    assertThat(logged).containsExactly(20, 40, 60, 80, 100);
  }

  @Test
  void minimumIntervalSkipsStepsCrossedTooQuickly() {
    ProgressThrottle throttle = new ProgressThrottle(20, 1000);
    assertThat(throttle.shouldLog(20, 0)).isTrue();
    assertThat(throttle.shouldLog(45, 100)).isFalse();
    assertThat(throttle.shouldLog(65, 1200)).isTrue();
    assertThat(throttle.shouldLog(100, 1300)).as("the end is always logged").isTrue();
    assertThat(throttle.shouldLog(100, 5000)).as("but once").isFalse();
  }
}
