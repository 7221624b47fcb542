package io.comfygate.events;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One message from ComfyUI's WebSocket, parsed. Text frames become the JSON records; binary frames
 * become {@link Preview} or {@link ProgressText}. Any text type this SDK does not know (ComfyUI keeps
 * adding them) becomes {@link Unknown}, so new servers never break parsing.
 *
 * <p>Fields that older servers omit are nullable and say so; numbers that ComfyUI sends as ints or
 * floats are widened to {@code double} or {@code long}. Java 17 has no pattern switch, so dispatch
 * with {@code if (event instanceof ComfyEvent.Progress p) …}.
 *
 * <p>All records are immutable and safe to share between threads; {@code JsonNode} fields are
 * parsed trees that nobody mutates.
 */
public sealed interface ComfyEvent {

  /** The {@code type} of the frame, e.g. {@code "executing"}; binary frames use {@code "b_preview"} / {@code "b_text"}. */
  String type();

  /** The prompt this event belongs to, if the frame says. */
  default Optional<String> relatedPromptId() {
    return Optional.empty();
  }

  /** Queue size changed; {@code sid} is set only in the first frame after connecting. */
  record Status(int queueRemaining, String sid) implements ComfyEvent {
    @Override public String type() { return "status"; }
  }

  /** A prompt started running. {@code timestamp} is epoch ms, 0 on servers before 2024-07. */
  record ExecutionStart(String promptId, long timestamp) implements ComfyEvent {
    @Override public String type() { return "execution_start"; }
    @Override public Optional<String> relatedPromptId() { return Optional.ofNullable(promptId); }
  }

  /** Nodes whose output is reused from cache. */
  record ExecutionCached(String promptId, List<String> nodes, long timestamp) implements ComfyEvent {
    public ExecutionCached { nodes = List.copyOf(nodes); }
    @Override public String type() { return "execution_cached"; }
    @Override public Optional<String> relatedPromptId() { return Optional.ofNullable(promptId); }
  }

  /**
   * A node started, or (with {@code node == null}) the prompt finished and its history is written.
   * {@code promptId} is null in the frame sent on reconnect and on very old servers;
   * {@code displayNode} is null before 2024-08.
   */
  record Executing(String node, String displayNode, String promptId) implements ComfyEvent {
    @Override public String type() { return "executing"; }
    @Override public Optional<String> relatedPromptId() { return Optional.ofNullable(promptId); }

    /** True for the end-of-prompt signal {@code {"node": null}}. */
    public boolean isPromptDone() { return node == null; }

    /** The node to show: {@code display_node} if present, else {@code node} (as the frontend does). */
    public String nodeToDisplay() { return displayNode != null ? displayNode : node; }
  }

  /** Step progress of one node; {@code promptId} and {@code node} are null before 2024-01. */
  record Progress(double value, double max, String promptId, String node) implements ComfyEvent {
    @Override public String type() { return "progress"; }
    @Override public Optional<String> relatedPromptId() { return Optional.ofNullable(promptId); }
  }

  /** Cumulative per-node state (since 0.3.45). Pending nodes are not listed. */
  record ProgressState(String promptId, Map<String, NodeState> nodes) implements ComfyEvent {
    public ProgressState { nodes = Map.copyOf(nodes); }
    @Override public String type() { return "progress_state"; }
    @Override public Optional<String> relatedPromptId() { return Optional.ofNullable(promptId); }
  }

  /** One entry of {@link ProgressState}; {@code state} is {@code running} or {@code finished}. */
  record NodeState(String nodeId, double value, double max, String state, String displayNodeId) {}

  /**
   * A node produced UI output. {@code output} is null for a cache hit without stored output;
   * {@code images} lists {@code output.images} (empty if none).
   */
  record Executed(String node, String displayNode, JsonNode output, List<ImageRef> images, String promptId)
      implements ComfyEvent {
    public Executed { images = List.copyOf(images); }
    @Override public String type() { return "executed"; }
    @Override public Optional<String> relatedPromptId() { return Optional.ofNullable(promptId); }
  }

  /** An image named in an {@link Executed} output. {@code type} is {@code output}, {@code temp} or {@code input}. */
  record ImageRef(String filename, String subfolder, String type) {}

  /** Sent before history is written: do not fetch history on this alone. */
  record ExecutionSuccess(String promptId, long timestamp) implements ComfyEvent {
    @Override public String type() { return "execution_success"; }
    @Override public Optional<String> relatedPromptId() { return Optional.ofNullable(promptId); }
  }

  /**
   * A node failed. {@code currentInputs} is the raw JSON (a dict normally, a list for
   * {@code ExecutionBlocked} and dependency cycles). An {@code ExecutionBlocked} error has no
   * timestamp ({@code 0}) and the prompt goes on running: see {@link #isBlocked()}.
   */
  record ExecutionError(String promptId, String nodeId, String nodeType, String exceptionType,
      String exceptionMessage, List<String> traceback, JsonNode currentInputs, long timestamp)
      implements ComfyEvent {
    public ExecutionError { traceback = List.copyOf(traceback); }
    @Override public String type() { return "execution_error"; }
    @Override public Optional<String> relatedPromptId() { return Optional.ofNullable(promptId); }

    /** True for ComfyUI's non-fatal "execution blocked" variant. */
    public boolean isBlocked() { return "ExecutionBlocked".equals(exceptionType); }
  }

  /** The prompt was interrupted at {@code nodeId}. */
  record ExecutionInterrupted(String promptId, String nodeId, String nodeType, List<String> executed, long timestamp)
      implements ComfyEvent {
    public ExecutionInterrupted { executed = List.copyOf(executed); }
    @Override public String type() { return "execution_interrupted"; }
    @Override public Optional<String> relatedPromptId() { return Optional.ofNullable(promptId); }
  }

  /** The server's answer to our {@code feature_flags} handshake (since 0.3.45). */
  record FeatureFlags(boolean supportsPreviewMetadata, long maxUploadSize, JsonNode raw) implements ComfyEvent {
    @Override public String type() { return "feature_flags"; }
  }

  /**
   * A preview image (binary type 1, or type 4 with metadata). The bytes are a private copy.
   * {@code promptId}/{@code nodeId} are known only for type 4.
   */
  record Preview(String mimeType, byte[] bytes, String promptId, String nodeId) implements ComfyEvent {
    @Override public String type() { return "b_preview"; }
    @Override public Optional<String> relatedPromptId() { return Optional.ofNullable(promptId); }

    @Override public byte[] bytes() { return bytes.clone(); }

    /** Size of the image without copying it. */
    public int size() { return bytes.length; }

    @Override public boolean equals(Object o) {
      return o instanceof Preview p && mimeType.equals(p.mimeType) && java.util.Arrays.equals(bytes, p.bytes)
          && java.util.Objects.equals(promptId, p.promptId) && java.util.Objects.equals(nodeId, p.nodeId);
    }

    @Override public int hashCode() { return java.util.Objects.hash(mimeType, java.util.Arrays.hashCode(bytes), promptId, nodeId); }

    @Override public String toString() {
      return "Preview[mimeType=" + mimeType + ", size=" + bytes.length + ", promptId=" + promptId + ", nodeId=" + nodeId + "]";
    }
  }

  /** Progress text from a node (binary type 3, since 0.3.34). Broadcast to every socket. */
  record ProgressText(String nodeId, String text) implements ComfyEvent {
    @Override public String type() { return "b_text"; }
  }

  /** A text frame of a type this SDK does not model; {@code raw} is the whole frame. */
  record Unknown(String type, JsonNode raw) implements ComfyEvent {}
}
