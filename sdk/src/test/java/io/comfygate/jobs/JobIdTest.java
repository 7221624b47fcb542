package io.comfygate.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JobIdTest {
  private static Clock at(String instant) {
    return Clock.fixed(Instant.parse(instant), ZoneOffset.UTC);
  }

  @Test
  void generatedIdsAreWellFormedAndSortByTime() {
    JobId earlier = JobId.generate(at("2026-01-01T00:00:00.001Z"));
    JobId later = JobId.generate(at("2026-01-01T00:00:00.002Z"));

    assertThat(earlier.value()).matches("j[0-9a-z]{26}");
    assertThat(earlier).isLessThan(later);
    assertThat(JobId.of(earlier.value())).isEqualTo(earlier);
  }

  @Test
  void idsMadeInTheSameMillisecondDiffer() {
    Clock clock = at("2026-01-01T00:00:00Z");

    assertThat(JobId.generate(clock)).isNotEqualTo(JobId.generate(clock));
  }

  @Test
  void promptIdIsADeterministicUuidOfTheJobId() {
    JobId id = JobId.generate(Clock.systemUTC());
    JobId other = JobId.generate(Clock.systemUTC());

    assertThat(UUID.fromString(id.promptId()).toString()).isEqualTo(id.promptId());
    assertThat(JobId.of(id.value()).promptId()).isEqualTo(id.promptId());
    assertThat(other.promptId()).isNotEqualTo(id.promptId());
  }

  @Test
  void rejectsMalformedIds() {
    for (String bad : new String[] {null, "", "j123", "x" + "0".repeat(26), "j" + "0".repeat(25)
        + "u", "J" + "0".repeat(26), "j" + "0".repeat(27)}) {
      assertThatThrownBy(() -> JobId.of(bad)).as(String.valueOf(bad))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void statesHaveLowercaseWireNamesAndKnowWhetherTheyAreTerminal() {
    assertThat(JobState.fromWireName("timeout")).isEqualTo(JobState.TIMEOUT);
    assertThat(JobState.CANCELLED.wireName()).isEqualTo("cancelled");
    assertThat(JobState.QUEUED.isTerminal()).isFalse();
    assertThat(JobState.RUNNING.isTerminal()).isFalse();
    assertThat(JobState.SUCCEEDED.isTerminal()).isTrue();
    assertThat(JobState.FAILED.isTerminal()).isTrue();
    assertThat(JobState.TIMEOUT.isTerminal()).isTrue();
    assertThat(JobState.CANCELLED.isTerminal()).isTrue();
    assertThatThrownBy(() -> JobState.fromWireName("QUEUED"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allowed");
  }
}
