package io.comfygate.client;

/**
 * Where ComfyUI stored an upload. {@code name} may differ from the name sent: without overwrite
 * ComfyUI renames a clashing file to {@code name (1).ext}. Use it as a {@code LoadImage} input
 * ({@code subfolder/name} when a subfolder is set).
 */
public record UploadedImage(String name, String subfolder, String type) {
  /** The value for a {@code LoadImage} node's {@code image} input: {@code name}, or {@code subfolder/name}. */
  public String loadImageValue() {
    return subfolder == null || subfolder.isEmpty() ? name : subfolder + "/" + name;
  }
}
