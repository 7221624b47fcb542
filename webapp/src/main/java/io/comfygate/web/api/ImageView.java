package io.comfygate.web.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.comfygate.json.JsonMappers;
import io.comfygate.store.StoredImage;

/** An image's metadata. {@code url} serves the file (owner or admin only). */
public record ImageView(String id, String jobId, String userId, String url, int width, int height, long sizeBytes,
    String template, JsonNode params, String createdAt, String deletedAt, boolean deleted) {
  private static final ObjectMapper JSON = JsonMappers.newMapper();

  public static ImageView of(StoredImage image, String apiBase) {
    JsonNode params;
    try {
      params = JSON.readTree(image.paramsJson());
    } catch (Exception e) {
      params = JSON.createObjectNode();
    }
    return new ImageView(image.id().value(), image.jobId().value(), image.userId(), fileUrl(apiBase, image.id().value()),
        image.width(), image.height(), image.sizeBytes(), image.template(), params, Times.iso(image.createdAt()),
        Times.iso(image.deletedAt()), image.isDeleted());
  }

  static String fileUrl(String apiBase, String imageId) {
    return apiBase + "v1/images/" + imageId + "/file";
  }
}
