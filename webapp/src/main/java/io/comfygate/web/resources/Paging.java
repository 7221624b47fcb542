package io.comfygate.web.resources;

import io.comfygate.store.PageRequest;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.ws.rs.QueryParam;

/**
 * The paging query parameters of every list ({@code @BeanParam}), read as text so that a bad value
 * is a 400 naming it (see {@link Params#page}), and documented once. The fields are public because
 * the OpenAPI reader finds bean parameters the way Jackson finds properties.
 */
public final class Paging {
  @QueryParam("page")
  @Parameter(description = "Page from 1 (default 1)", schema = @Schema(type = "integer", minimum = "1"))
  public String page;

  @QueryParam("size")
  @Parameter(description = "Items per page, 1 to 100 (default 20)",
      schema = @Schema(type = "integer", minimum = "1", maximum = "100"))
  public String size;

  PageRequest request() {
    return Params.page(page, size);
  }
}
