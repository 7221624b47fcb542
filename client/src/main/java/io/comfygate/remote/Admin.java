package io.comfygate.remote;

import io.comfygate.remote.internal.Rest;
import io.comfygate.remote.model.ApiKey;
import io.comfygate.remote.model.Health;
import io.comfygate.remote.model.Image;
import io.comfygate.remote.model.ImageFilter;
import io.comfygate.remote.model.IssuedApiKey;
import io.comfygate.remote.model.Job;
import io.comfygate.remote.model.Page;
import io.comfygate.remote.model.PurgeResult;
import io.comfygate.remote.model.Queue;
import io.comfygate.remote.model.WebhookDelivery;
import jakarta.ws.rs.core.GenericType;
import java.net.URI;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The administrators' operations of a {@link ComfyGateClient} ({@link ComfyGateClient#admin()}):
 * status, queue, every user's images, purge, API keys, webhook deliveries. They need a caller with
 * the admin role; anyone else gets {@link io.comfygate.remote.errors.ForbiddenException}. Thread-safe.
 */
public final class Admin {
  private static final String ADMIN = "api/v1/admin/";
  private static final GenericType<Page<Image>> IMAGE_PAGE = new GenericType<>() {};
  private static final GenericType<List<ApiKey>> KEYS = new GenericType<>() {};
  private static final GenericType<Page<WebhookDelivery>> DELIVERIES = new GenericType<>() {};

  private final Rest rest;
  private final RetryPolicy retry;

  Admin(ComfyGateClient client) {
    this.rest = client.rest();
    this.retry = client.retry();
  }

  /** The health checks behind the admin banner. */
  @CallsOperation("adminStatus")
  public Health status() {
    return rest.call("GET", ADMIN + "status").describedAs("admin status").retry(retry).as(Health.class);
  }

  /** Jobs on each backend, and jobs waiting in dispatch order. */
  @CallsOperation("adminQueue")
  public Queue queue() {
    return rest.call("GET", ADMIN + "queue").describedAs("admin queue").retry(retry).as(Queue.class);
  }

  /** Cancels any user's job. */
  @CallsOperation("adminCancelJob")
  public Job cancel(String jobId) {
    return rest.call("POST", ADMIN + "queue/{id}/cancel").param("id", jobId).describedAs("admin cancel " + jobId)
        .retry(retry).as(Job.class);
  }

  /** One page of every user's images that match {@code filter}, newest first. */
  @CallsOperation("adminListImages")
  public Page<Image> images(ImageFilter filter, int page, int size) {
    ComfyGateClient.checkPage(page, size);
    Objects.requireNonNull(filter, "filter");
    return rest.call("GET", ADMIN + "images").query("user_id", filter.userId())
        .query("include", filter.include() == null ? null : filter.include().wireName())
        .query("from_date", filter.from()).query("to_date", filter.to())
        .query("page", page).query("size", size).describedAs("admin list images").retry(retry).as(IMAGE_PAGE);
  }

  /** Empties every user's trash: files, then rows. Not retried (a second purge would find nothing, but count nothing). */
  @CallsOperation("purgeTrash")
  public PurgeResult purgeTrash() {
    return rest.call("POST", ADMIN + "purge-trash").describedAs("purge trash").as(PurgeResult.class);
  }

  /** Every API key (never the key itself). */
  @CallsOperation("listApiKeys")
  public List<ApiKey> apiKeys() {
    return rest.call("GET", ADMIN + "api-keys").describedAs("list API keys").retry(retry).as(KEYS);
  }

  /**
   * Issues an API key for {@code userId}; the key and its webhook secret are in the answer only.
   * Not retried: a lost answer would leave a key nobody knows (revoke it from the list).
   *
   * @param webhookUrl the key's default webhook URL, or null
   */
  @CallsOperation("issueApiKey")
  public IssuedApiKey issueApiKey(String userId, String name, boolean admin, URI webhookUrl) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("user_id", userId);
    body.put("name", name);
    body.put("admin", admin);
    if (webhookUrl != null) {
      body.put("webhook_url", webhookUrl.toString());
    }
    return rest.call("POST", ADMIN + "api-keys").json(body).describedAs("issue API key").as(IssuedApiKey.class);
  }

  /** Revokes a key at once, for good. */
  @CallsOperation("revokeApiKey")
  public ApiKey revokeApiKey(String id) {
    return rest.call("POST", ADMIN + "api-keys/{id}/revoke").param("id", id).describedAs("revoke API key")
        .retry(retry).as(ApiKey.class);
  }

  /** Sets (or, with null, clears) a key's default webhook URL. */
  @CallsOperation("setApiKeyWebhook")
  public ApiKey setWebhook(String keyId, URI url) {
    Map<String, Object> body = new HashMap<>();
    body.put("webhook_url", url == null ? null : url.toString());
    return rest.call("PUT", ADMIN + "api-keys/{id}/webhook").param("id", keyId).json(new NullKeeping(body))
        .describedAs("set webhook of API key").retry(retry).as(ApiKey.class);
  }

  /** A new webhook signing secret for a key, shown this once; the old one stops working at once. */
  @CallsOperation("rotateApiKeyWebhookSecret")
  public String rotateWebhookSecret(String keyId) {
    return rest.call("POST", ADMIN + "api-keys/{id}/webhook-secret").param("id", keyId)
        .describedAs("rotate webhook secret").as(SecretView.class).webhookSecret();
  }

  /**
   * One page of webhook deliveries, newest first.
   *
   * @param state only these (null: all)
   * @param jobId only this job's (null: all)
   */
  @CallsOperation("listWebhookDeliveries")
  public Page<WebhookDelivery> webhookDeliveries(WebhookDelivery.State state, String jobId, int page, int size) {
    ComfyGateClient.checkPage(page, size);
    return rest.call("GET", ADMIN + "webhooks").query("state", state == null ? null : state.wireName())
        .query("job_id", jobId).query("page", page).query("size", size).describedAs("list webhook deliveries")
        .retry(retry).as(DELIVERIES);
  }

  /** Sends a delivered or failed webhook event again now (same event id). */
  @CallsOperation("redeliverWebhook")
  public WebhookDelivery redeliver(String eventId) {
    return rest.call("POST", ADMIN + "webhooks/{id}/redeliver").param("id", eventId).describedAs("redeliver " + eventId)
        .retry(retry).as(WebhookDelivery.class);
  }

  /** {@code {"webhook_secret": …}} */
  record SecretView(String webhookSecret) {}

  /** A body whose null values are written (the client's mapper leaves nulls out elsewhere). */
  @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.ALWAYS)
  record NullKeeping(@com.fasterxml.jackson.annotation.JsonValue Map<String, Object> body) {}
}
