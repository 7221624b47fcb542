package io.comfygate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Store value types reject bad input with a message naming the field. */
class ValuesTest {

  @Test
  void pageRequestIsOneBasedAndBounded() {
    assertThat(new PageRequest(3, 20).offset()).isEqualTo(40);
    assertThatThrownBy(() -> new PageRequest(0, 20)).hasMessageContaining("page");
    assertThatThrownBy(() -> new PageRequest(1, 0)).hasMessageContaining("size");
    assertThatThrownBy(() -> new PageRequest(1, PageRequest.MAX_SIZE + 1))
        .hasMessageContaining("size");
  }

  @Test
  void pageCountsPages() {
    assertThat(new Page<>(List.of(), 1, 10, 0).totalPages()).isZero();
    assertThat(new Page<>(List.of("a"), 1, 10, 21).totalPages()).isEqualTo(3);
  }

  @Test
  void includeParsesWireNamesIgnoringCase() {
    assertThat(Include.fromWireName("Deleted")).isEqualTo(Include.DELETED);
    assertThat(Include.ALL.wireName()).isEqualTo("all");
    assertThatThrownBy(() -> Include.fromWireName("trash"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("active, deleted, all");
  }

  @Test
  void imageQueryNeedsFromBeforeTo() {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    assertThatThrownBy(() -> ImageQuery.all().withRange(t, t))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("from");
    assertThat(ImageQuery.all().withRange(t, null).from()).isEqualTo(t);
  }

  @Test
  void newImageRejectsPathsOutsideTheOutputDirectoryAndBadSizes() {
    assertThat(new NewImage("alice/x.png", 1, 1, 0).file()).isEqualTo("alice/x.png");
    assertThatThrownBy(() -> new NewImage("../x.png", 1, 1, 0)).hasMessageContaining("relative");
    assertThatThrownBy(() -> new NewImage("/x.png", 1, 1, 0)).hasMessageContaining("relative");
    assertThatThrownBy(() -> new NewImage("x.png", 0, 1, 0)).hasMessageContaining("width");
    assertThatThrownBy(() -> new NewImage("x.png", 1, 1, -1)).hasMessageContaining("sizeBytes");
  }

  @Test
  void storedJobRequiresItsIdentityFields() {
    assertThatThrownBy(() -> StoredJob.queued(
        io.comfygate.jobs.JobId.generate(java.time.Clock.systemUTC()), " ", "t", "{}",
        Instant.EPOCH)).hasMessageContaining("userId");
  }
}
