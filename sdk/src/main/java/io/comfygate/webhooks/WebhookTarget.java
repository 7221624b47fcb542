package io.comfygate.webhooks;

import java.net.URI;
import java.util.Objects;

/**
 * Where a job's events go and which API key's secret signs them.
 *
 * @param url the receiver, already checked by {@link WebhookUrlPolicy}
 * @param keyId the id of the API key the job was submitted with
 */
public record WebhookTarget(URI url, String keyId) {
  public WebhookTarget {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(keyId, "keyId");
  }
}
