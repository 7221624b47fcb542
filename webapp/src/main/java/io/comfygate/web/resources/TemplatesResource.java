package io.comfygate.web.resources;

import jakarta.annotation.security.RolesAllowed;
import io.comfygate.web.security.Identity;
import io.comfygate.templates.TemplateRegistry;
import io.comfygate.web.api.TemplateView;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** The workflow templates jobs may name, with their typed parameters, sorted by name. */
@RolesAllowed({Identity.USER, Identity.ADMIN})
@Path("/v1/templates")
@Tag(name = "jobs")
@Produces(MediaType.APPLICATION_JSON)
public final class TemplatesResource {
  private final TemplateRegistry templates;

  public TemplatesResource(TemplateRegistry templates) {
    this.templates = templates;
  }

  @GET
  @Operation(operationId = "listTemplates", summary = "The workflow templates and their typed parameters",
      description = "What a form or an external caller needs to build a job's params: each parameter's type,"
          + " whether it is required, its default, limits and choices.")
  @ApiResponse(responseCode = "200", description = "Every template, sorted by name", useReturnTypeSchema = true)
  public List<TemplateView> list() {
    String defaultName = templates.defaultTemplate().name();
    return templates.all().stream().map(t -> TemplateView.of(t, t.name().equals(defaultName))).toList();
  }
}
