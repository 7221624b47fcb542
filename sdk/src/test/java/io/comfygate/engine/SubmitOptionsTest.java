package io.comfygate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.jobs.IdempotencyKey;
import io.comfygate.webhooks.WebhookTarget;
import java.net.URI;
import org.junit.jupiter.api.Test;

class SubmitOptionsTest {
  private static final WebhookTarget HOOK = new WebhookTarget(URI.create("https://hooks.example.com/x"), "k1");

  @Test
  void noneHasNeitherPart() {
    assertThat(SubmitOptions.none().idempotencyKey()).isEmpty();
    assertThat(SubmitOptions.none().webhook()).isEmpty();
  }

  @Test
  void withersReturnNewValuesAndLeaveTheOriginalAlone() {
    SubmitOptions keyed = SubmitOptions.none().withIdempotencyKey(IdempotencyKey.of("order-1"));
    SubmitOptions both = keyed.withWebhook(HOOK);

    assertThat(keyed.webhook()).isEmpty();
    assertThat(both.idempotencyKey()).contains(IdempotencyKey.of("order-1"));
    assertThat(both.webhook()).contains(HOOK);
    assertThat(SubmitOptions.none().idempotencyKey()).isEmpty();
  }

  @Test
  void nullClearsAPartAndEqualValuesAreEqual() {
    SubmitOptions both = SubmitOptions.none().withIdempotencyKey(IdempotencyKey.of("a")).withWebhook(HOOK);

    assertThat(both.withIdempotencyKey(null).withWebhook(null)).isEqualTo(SubmitOptions.none());
    assertThat(SubmitOptions.none().withWebhook(HOOK).withIdempotencyKey(IdempotencyKey.of("a")))
        .isEqualTo(both).hasSameHashCodeAs(both);
  }

  @Test
  void toStringDoesNotShowTheKeysValue() {
    String shown = SubmitOptions.none().withIdempotencyKey(IdempotencyKey.of("secret-order")).withWebhook(HOOK).toString();

    assertThat(shown).doesNotContain("secret-order").contains("hooks.example.com");
  }
}
