package io.comfygate.web.api;

import io.comfygate.store.Page;
import java.util.List;
import java.util.function.Function;

/** One page of a list, with the total across all pages. {@code page} counts from 1. */
public record PageView<T>(List<T> items, int page, int size, long total, long totalPages) {
  public static <S, T> PageView<T> of(Page<S> page, Function<S, T> view) {
    return new PageView<>(page.items().stream().map(view).toList(), page.page(), page.size(), page.total(),
        page.totalPages());
  }
}
