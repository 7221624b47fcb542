package io.comfygate.web.resources;

import io.comfygate.templates.TemplateRegistry;
import io.comfygate.web.api.TemplateView;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** The workflow templates jobs may name, with their typed parameters, sorted by name. */
@Path("/v1/templates")
@Produces(MediaType.APPLICATION_JSON)
public final class TemplatesResource {
  private final TemplateRegistry templates;

  public TemplatesResource(TemplateRegistry templates) {
    this.templates = templates;
  }

  @GET
  public List<TemplateView> list() {
    String defaultName = templates.defaultTemplate().name();
    return templates.all().stream().map(t -> TemplateView.of(t, t.name().equals(defaultName))).toList();
  }
}
