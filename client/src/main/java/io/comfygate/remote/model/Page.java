package io.comfygate.remote.model;

import java.util.List;

/** One page of a list, newest first, with the total across all pages; {@code page} counts from 1. */
public record Page<T>(List<T> items, int page, int size, long total, long totalPages) {
  public Page {
    items = items == null ? List.of() : List.copyOf(items);
  }

  /** Whether a later page has items. */
  public boolean hasNext() {
    return page < totalPages;
  }
}
