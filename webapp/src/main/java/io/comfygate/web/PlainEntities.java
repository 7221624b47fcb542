package io.comfygate.web;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.ext.Provider;
import java.lang.annotation.Annotation;

/**
 * Hands a response entity to its writer without the resource method's annotations. Jersey passes
 * them along for the writer to read (Jackson looks for {@code @JsonView} and the like, which we do
 * not use), and Jackson's provider hashes every one of them, on every response, to find its cached
 * writer. Our methods carry their OpenAPI description as nested annotations ({@code @Operation},
 * several {@code @ApiResponse}), whose reflective hash codes were most of the cost of writing a
 * response: for {@code GET /api/v1/session}, 87 % of the time spent in the JSON writer.
 */
@Provider
public final class PlainEntities implements ContainerResponseFilter {
  private static final Annotation[] NONE = new Annotation[0];

  @Override
  public void filter(ContainerRequestContext request, ContainerResponseContext response) {
    if (response.hasEntity() && response.getEntityAnnotations().length > 0) {
      response.setEntity(response.getEntity(), NONE, response.getMediaType());
    }
  }
}
