package io.comfygate.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.UUID;

/**
 * One prompt to queue. Immutable; build with {@link #builder(ObjectNode)}, derive with
 * {@link #toBuilder()}. The workflow and extra data are copied on build, so later changes to the
 * caller's trees do not leak in.
 *
 * <p>Defaults: a fresh random {@code promptId} (chosen by the client so that events can be matched
 * before the server answers), no {@code clientId} ({@link ComfyClient#submit} fills in its
 * WebSocket's id), no extra data, not {@code front}.
 */
public final class PromptRequest {
  private final ObjectNode workflow;
  private final String promptId;
  private final String clientId;
  private final ObjectNode extraData;
  private final boolean front;

  private PromptRequest(Builder b) {
    this.workflow = b.workflow.deepCopy();
    this.promptId = b.promptId != null ? b.promptId : UUID.randomUUID().toString();
    this.clientId = b.clientId;
    this.extraData = b.extraData == null ? null : b.extraData.deepCopy();
    this.front = b.front;
  }

  /** Starts a request for {@code workflow} in ComfyUI's API format (node id → class_type/inputs). */
  public static Builder builder(ObjectNode workflow) {
    return new Builder(workflow);
  }

  public Builder toBuilder() {
    return new Builder(workflow).promptId(promptId).clientId(clientId).extraData(extraData).front(front);
  }

  /** A copy of the workflow. */
  public ObjectNode workflow() {
    return workflow.deepCopy();
  }

  public String promptId() {
    return promptId;
  }

  /** The client id to send, or null to let the client use its WebSocket's id. */
  public String clientId() {
    return clientId;
  }

  /** A copy of the extra data, or null. */
  public ObjectNode extraData() {
    return extraData == null ? null : extraData.deepCopy();
  }

  public boolean front() {
    return front;
  }

  /** Builds a {@link PromptRequest}. Not thread-safe. */
  public static final class Builder {
    private final ObjectNode workflow;
    private String promptId;
    private String clientId;
    private ObjectNode extraData;
    private boolean front;

    private Builder(ObjectNode workflow) {
      this.workflow = Objects.requireNonNull(workflow, "workflow");
    }

    /** The prompt id to request; null picks a random UUID. Must not be blank. */
    public Builder promptId(String promptId) {
      if (promptId != null && promptId.isBlank()) {
        throw new IllegalArgumentException("promptId must not be blank: '" + promptId + "'");
      }
      this.promptId = promptId;
      return this;
    }

    /** The WebSocket client id that should receive this prompt's events; null for the client's own. */
    public Builder clientId(String clientId) {
      if (clientId != null && clientId.isBlank()) {
        throw new IllegalArgumentException("clientId must not be blank: '" + clientId + "'");
      }
      this.clientId = clientId;
      return this;
    }

    /** Free-form {@code extra_data}, e.g. {@code extra_pnginfo}; null for none. */
    public Builder extraData(ObjectNode extraData) {
      this.extraData = extraData;
      return this;
    }

    /** Queue ahead of normal prompts. */
    public Builder front(boolean front) {
      this.front = front;
      return this;
    }

    public PromptRequest build() {
      return new PromptRequest(this);
    }
  }
}
