package io.comfygate.web.errors;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;

/**
 * An {@code Accept} header that does not parse ({@code application/json;q=x}) is a 400 naming
 * the header, in the one error shape. Jersey reads it while it matches a request and answers a
 * value it cannot parse with a bare 400 of its own, past every exception mapper; so it is read
 * here first, before matching. (A bad {@code Content-Type} fails even earlier, in Jersey's
 * servlet: {@link ContentTypeFilter} sees to that one.)
 */
@Provider
@PreMatching
@Priority(Priorities.HEADER_DECORATOR)
public final class HeaderSyntaxFilter implements ContainerRequestFilter {
  @Override
  public void filter(ContainerRequestContext request) {
    try {
      request.getAcceptableMediaTypes();
    } catch (ProcessingException e) {
      String value = request.getHeaderString(HttpHeaders.ACCEPT);
      request.abortWith(Errors.json(400, ContentTypeFilter.badHeader(HttpHeaders.ACCEPT, value,
          "is not a list of media types (like application/json, */*;q=0.8)")));
    }
  }
}
