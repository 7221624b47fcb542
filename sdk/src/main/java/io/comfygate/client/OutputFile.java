package io.comfygate.client;

import java.util.Objects;

/**
 * A file a node wrote, as named in history or in an {@code executed} event; pass it to
 * {@link ComfyClient#download}.
 *
 * @param nodeId the node that produced it
 * @param filename the file name (no directories)
 * @param subfolder the subfolder below the type's directory, empty for none
 * @param type {@code output}, {@code temp} (e.g. PreviewImage) or {@code input}
 */
public record OutputFile(String nodeId, String filename, String subfolder, String type) {
  public OutputFile {
    Objects.requireNonNull(filename, "filename");
    nodeId = nodeId == null ? "" : nodeId;
    subfolder = subfolder == null ? "" : subfolder;
    type = type == null || type.isEmpty() ? "output" : type;
  }
}
