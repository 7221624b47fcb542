package io.comfygate.remote;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A job to submit: a template (null: the server's default), its params, an optional webhook URL
 * (API keys only) and the Idempotency-Key that makes retries safe (generated when not given).
 * Immutable; build with {@link #builder()} or {@link #prompt(String)}.
 */
public final class JobRequest {
  private final String template;
  private final Map<String, Object> params;
  private final URI webhookUrl;
  private final String idempotencyKey;

  private JobRequest(Builder b) {
    this.template = b.template;
    this.params = Collections.unmodifiableMap(new LinkedHashMap<>(b.params));
    this.webhookUrl = b.webhookUrl;
    this.idempotencyKey = b.idempotencyKey != null ? b.idempotencyKey : UUID.randomUUID().toString();
  }

  /** The default template with just a prompt. */
  public static JobRequest prompt(String prompt) {
    return builder().param("prompt", prompt).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder with this request's values (and its Idempotency-Key: call {@code idempotencyKey} for a new job). */
  public Builder toBuilder() {
    Builder b = new Builder().template(template).params(params).webhookUrl(webhookUrl);
    b.idempotencyKey = idempotencyKey;
    return b;
  }

  public String template() {
    return template;
  }

  public Map<String, Object> params() {
    return params;
  }

  public URI webhookUrl() {
    return webhookUrl;
  }

  /** The key every attempt of this submit carries: the same key never makes a second job. */
  public String idempotencyKey() {
    return idempotencyKey;
  }

  /** The JSON body. */
  Map<String, Object> body() {
    Map<String, Object> body = new LinkedHashMap<>();
    if (template != null) {
      body.put("template", template);
    }
    body.put("params", params);
    if (webhookUrl != null) {
      body.put("webhook_url", webhookUrl.toString());
    }
    return body;
  }

  /** Builds a {@link JobRequest}. */
  public static final class Builder {
    private String template;
    private final Map<String, Object> params = new LinkedHashMap<>();
    private URI webhookUrl;
    private String idempotencyKey;

    private Builder() {}

    /** The template's name; null for the server's DEFAULT_TEMPLATE. */
    public Builder template(String name) {
      if (name != null && name.isBlank()) {
        throw new IllegalArgumentException("template must not be blank (null means the default one)");
      }
      template = name;
      return this;
    }

    /** One parameter: a String, Number, Boolean, or an upload's id for an image parameter. */
    public Builder param(String name, Object value) {
      if (Objects.requireNonNull(name, "name").isBlank()) {
        throw new IllegalArgumentException("a parameter name must not be blank");
      }
      params.put(name, Objects.requireNonNull(value, () -> "value of " + name));
      return this;
    }

    public Builder params(Map<String, ?> values) {
      values.forEach(this::param);
      return this;
    }

    /** Where the job's state changes are POSTed (API keys only); null: the key's default. */
    public Builder webhookUrl(URI url) {
      if (url != null && !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
        throw new IllegalArgumentException("webhookUrl must be http or https: " + url);
      }
      webhookUrl = url;
      return this;
    }

    /** 1 to 255 printable ASCII characters, unique per job wanted; generated (a UUID) when not set. */
    public Builder idempotencyKey(String key) {
      if (key == null || key.isEmpty() || key.length() > 255 || !key.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
        throw new IllegalArgumentException("idempotencyKey must be 1 to 255 printable ASCII characters: " + key);
      }
      idempotencyKey = key;
      return this;
    }

    public JobRequest build() {
      return new JobRequest(this);
    }
  }
}
