package io.comfygate.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IdempotencyKeyTest {

  @Test
  void printableAsciiFromOneTo255CharactersIsAKey() {
    assertThat(IdempotencyKey.of("a").value()).isEqualTo("a");
    assertThat(IdempotencyKey.of(" ~!\"#order 42/x").value()).isEqualTo(" ~!\"#order 42/x");
    assertThat(IdempotencyKey.of("k".repeat(255)).value()).hasSize(255);
  }

  @Test
  void emptyTooLongAndNonAsciiKeysAreRefusedSayingWhy() {
    assertThatThrownBy(() -> IdempotencyKey.of("")).hasMessageContaining("got none");
    assertThatThrownBy(() -> IdempotencyKey.of(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IdempotencyKey.of("k".repeat(256))).hasMessageContaining("got 256");
    assertThatThrownBy(() -> IdempotencyKey.of("caf\u00e9")).hasMessageContaining("character 4 is U+00E9");
    assertThatThrownBy(() -> IdempotencyKey.of("a\tb")).hasMessageContaining("character 2 is U+0009");
  }
}
