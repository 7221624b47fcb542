package io.comfygate.store;

import java.util.List;

/**
 * One page of a listing, with the total across all pages.
 *
 * @param items the items on this page (unmodifiable; empty past the last page)
 * @param page the 1-based page number asked for
 * @param size the page size asked for
 * @param total how many items match across all pages
 * @param <T> the item type
 */
public record Page<T>(List<T> items, int page, int size, long total) {
  public Page {
    items = List.copyOf(items);
    if (page < 1 || size < 1 || total < 0) {
      throw new IllegalArgumentException(
          "bad page: page=" + page + ", size=" + size + ", total=" + total);
    }
  }

  /** Pages needed to show {@link #total} items; 0 when there are none. */
  public long totalPages() {
    return (total + size - 1) / size;
  }
}
