package io.comfygate.web.resources;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/** What this server is: product name and version, for operators and clients checking a deployment. */
@Path("/v1/about")
@Produces(MediaType.APPLICATION_JSON)
public class AboutResource {

  @GET
  public Map<String, String> about() {
    String version = AboutResource.class.getPackage().getImplementationVersion();
    return Map.of("name", "ComfyGate", "version", version == null ? "dev" : version);
  }
}
