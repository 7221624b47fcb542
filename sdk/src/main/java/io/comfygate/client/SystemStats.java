package io.comfygate.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * {@code GET /system_stats}: the fields a gateway needs for health and placement; {@code raw} has
 * the rest. Sizes are bytes; unknown values are empty strings or 0.
 */
public record SystemStats(String comfyuiVersion, String os, long ramTotal, long ramFree, List<Device> devices,
    JsonNode raw) {
  public SystemStats {
    devices = List.copyOf(devices);
  }

  /** One compute device, e.g. {@code cuda} or {@code cpu}. */
  public record Device(String name, String type, long vramTotal, long vramFree) {}
}
