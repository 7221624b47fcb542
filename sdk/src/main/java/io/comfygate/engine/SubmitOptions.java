package io.comfygate.engine;

import io.comfygate.jobs.IdempotencyKey;
import io.comfygate.webhooks.WebhookTarget;
import java.util.Objects;
import java.util.Optional;

/**
 * The optional parts of a submit ({@link JobEngine#submit(String, String,
 * com.fasterxml.jackson.databind.JsonNode, SubmitOptions)}): an idempotency key and a webhook
 * target. Start from {@link #none()} and add what applies:
 *
 * <pre>{@code
 * SubmitOptions options = SubmitOptions.none()
 *     .withIdempotencyKey(IdempotencyKey.of("order-42"))
 *     .withWebhook(new WebhookTarget(url, apiKeyId));
 * }</pre>
 *
 * <p>Immutable and thread-safe: each {@code with…} returns a new value.
 */
public final class SubmitOptions {
  private static final SubmitOptions NONE = new SubmitOptions(null, null);

  private final IdempotencyKey idempotencyKey;
  private final WebhookTarget webhook;

  private SubmitOptions(IdempotencyKey idempotencyKey, WebhookTarget webhook) {
    this.idempotencyKey = idempotencyKey;
    this.webhook = webhook;
  }

  /** No idempotency key, no webhook: a plain submit. */
  public static SubmitOptions none() {
    return NONE;
  }

  /**
   * Submit at most once per key: when this user submitted the same request (template and params)
   * under {@code key} within the retention window (IDEMPOTENCY_RETENTION_HOURS), no job is created
   * and that earlier job is returned as it is now ({@link Submission#replayed()}), even if the user
   * is at the limit or no backend is healthy at the moment. The key is stored with the job in one
   * transaction, so concurrent submits with one key (also from other engines on the same database)
   * create one job, and a restart keeps the key. A refused submit does not use up the key.
   *
   * @param key the caller's key, or {@code null} for none
   */
  public SubmitOptions withIdempotencyKey(IdempotencyKey key) {
    return new SubmitOptions(key, webhook);
  }

  /**
   * POST the job's state changes to {@code target}; needs an engine built with
   * {@link JobEngine.Builder#webhooks}. The subscription and the first event ({@code job.queued})
   * are written in the job's own insert, and every later event in the transaction of its change
   * (see {@link io.comfygate.webhooks.Webhooks}). A replayed submit subscribes nothing new.
   *
   * @param target where its events go, or {@code null} for none
   */
  public SubmitOptions withWebhook(WebhookTarget target) {
    return new SubmitOptions(idempotencyKey, target);
  }

  public Optional<IdempotencyKey> idempotencyKey() {
    return Optional.ofNullable(idempotencyKey);
  }

  public Optional<WebhookTarget> webhook() {
    return Optional.ofNullable(webhook);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SubmitOptions other && Objects.equals(idempotencyKey, other.idempotencyKey)
        && Objects.equals(webhook, other.webhook);
  }

  @Override
  public int hashCode() {
    return Objects.hash(idempotencyKey, webhook);
  }

  /** Names the webhook's URL but not the key's value, which callers may treat as private. */
  @Override
  public String toString() {
    return "SubmitOptions[idempotencyKey=" + (idempotencyKey == null ? "none" : "set")
        + ", webhook=" + (webhook == null ? "none" : webhook.url()) + "]";
  }
}
