package io.comfygate.web;

import io.comfygate.web.resources.AboutResource;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Map;
import java.util.Set;

/** The JAX-RS application: every resource and provider is listed here, nothing is scanned. */
@ApplicationPath("/api")
public class ComfyApplication extends Application {

  @Override
  public Set<Class<?>> getClasses() {
    return Set.of(AboutResource.class);
  }

  @Override
  public Map<String, Object> getProperties() {
    return Map.of(
        // Jackson even where the server prefers JSON-B (Payara).
        "jersey.config.jsonFeature", "JacksonFeature",
        // No JAXB here: without this Tomcat logs a WADL warning at every deploy.
        "jersey.config.server.wadl.disableWadl", true);
  }
}
