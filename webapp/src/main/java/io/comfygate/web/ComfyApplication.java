package io.comfygate.web;

import io.comfygate.web.errors.BadParameterMapper;
import io.comfygate.web.errors.CatchAllMapper;
import io.comfygate.web.errors.ComfyExceptionMapper;
import io.comfygate.web.errors.JsonInputMapper;
import io.comfygate.web.errors.WebApplicationExceptionMapper;
import io.comfygate.web.resources.AdminImagesResource;
import io.comfygate.web.resources.AdminQueueResource;
import io.comfygate.web.resources.AdminWebhooksResource;
import io.comfygate.web.resources.ApiKeysResource;
import io.comfygate.web.resources.ImagesResource;
import io.comfygate.web.resources.JobsResource;
import io.comfygate.web.resources.SimulatedBackends;
import io.comfygate.web.resources.StatusResource;
import io.comfygate.web.resources.UploadsResource;
import io.comfygate.web.resources.TemplatesResource;
import io.comfygate.web.security.RoleCheck;
import io.comfygate.web.security.SessionResource;
import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

/**
 * The REST API under {@code /api}: every resource and provider is listed here (nothing is
 * scanned), built with the services they need. {@link AppLifecycle} mounts it.
 */
public final class ComfyApplication extends ResourceConfig {

  public ComfyApplication(AppServices services) {
    register(new JobsResource(services.engine(), services.webhooks()));
    register(new ImagesResource(services.engine()));
    register(new UploadsResource(services.engine().uploads()
        .orElseThrow(() -> new IllegalStateException("the engine has no upload store"))));
    register(new AdminImagesResource(services.engine()));
    register(new AdminQueueResource(services.engine()));
    register(new ApiKeysResource(services.apiKeys(), services.webhooks()));
    register(new AdminWebhooksResource(services.webhooks()));
    register(new TemplatesResource(services.engine().templates()));
    register(new StatusResource(services.engine(), new SimulatedBackends(services.settings().comfyUiServers())));
    register(SessionResource.class);

    register(RoleCheck.class);
    register(JsonConfig.class);
    register(JacksonFeature.withoutExceptionMappers());
    register(ComfyExceptionMapper.class);
    register(BadParameterMapper.class);
    register(JsonInputMapper.class);
    register(WebApplicationExceptionMapper.class);
    register(CatchAllMapper.class);

    // Jackson even where the server prefers JSON-B (Payara).
    property("jersey.config.jsonFeature", "JacksonFeature");
    // No JAXB here: without this Tomcat logs a WADL warning at every deploy.
    property(ServerProperties.WADL_FEATURE_DISABLE, true);
    // Errors are ours (JSON), never the container's HTML page.
    property(ServerProperties.RESPONSE_SET_STATUS_OVER_SEND_ERROR, true);
  }
}
