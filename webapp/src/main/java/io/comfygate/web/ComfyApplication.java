package io.comfygate.web;

import io.comfygate.llm.LlmClient;
import io.comfygate.llm.PromptHelper;
import io.comfygate.llm.SystemPrompts;
import io.comfygate.web.errors.BadParameterMapper;
import io.comfygate.web.errors.CatchAllMapper;
import io.comfygate.web.errors.ComfyExceptionMapper;
import io.comfygate.web.errors.HeaderSyntaxFilter;
import io.comfygate.web.errors.JsonInputMapper;
import io.comfygate.web.errors.WebApplicationExceptionMapper;
import io.comfygate.web.resources.AdminImagesResource;
import io.comfygate.web.resources.AdminQueueResource;
import io.comfygate.web.resources.AdminWebhooksResource;
import io.comfygate.web.resources.ApiKeysResource;
import io.comfygate.web.resources.ImagesResource;
import io.comfygate.web.resources.JobsResource;
import io.comfygate.web.resources.PromptResource;
import io.comfygate.web.resources.SimulatedBackends;
import io.comfygate.web.resources.StatusResource;
import io.comfygate.web.resources.UploadsResource;
import io.comfygate.web.resources.TemplatesResource;
import io.comfygate.web.security.RoleCheck;
import io.comfygate.web.security.SessionResource;
import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import java.time.Clock;

/**
 * The REST API under {@code /api}: every resource and provider is listed here (nothing is
 * scanned), built with the services they need. {@link AppLifecycle} mounts it. Resource objects go
 * in as resource models ({@link InstanceResources}), so Jersey does not also take them for providers.
 */
public final class ComfyApplication extends ResourceConfig {

  public ComfyApplication(AppServices services) {
    resource(new JobsResource(services.engine(), services.webhooks()));
    resource(new ImagesResource(services.engine()));
    resource(new UploadsResource(services.engine().uploads()
        .orElseThrow(() -> new IllegalStateException("the engine has no upload store"))));
    resource(new AdminImagesResource(services.engine()));
    resource(new AdminQueueResource(services.engine()));
    resource(new ApiKeysResource(services.apiKeys(), services.webhooks()));
    resource(new AdminWebhooksResource(services.webhooks()));
    resource(new TemplatesResource(services.engine().templates()));
    resource(new StatusResource(services.engine(), new SimulatedBackends(services.settings().comfyUiServers())));
    resource(promptResource(services));
    register(SessionResource.class);

    register(RoleCheck.class);
    register(HeaderSyntaxFilter.class);
    register(JsonConfig.class);
    register(PlainEntities.class);
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

  /** Registers a resource object we built (see {@link InstanceResources}). */
  private void resource(Object resource) {
    registerResources(InstanceResources.of(resource));
  }

  /** The prompt assistant on the engine's LLM client, with the system prompts of LLM_PROMPTS_FILE (or the shipped ones). */
  private static PromptResource promptResource(AppServices services) {
    LlmClient llm = services.engine().llm();
    PromptHelper helper = new PromptHelper(llm, SystemPrompts.from(services.settings().llmPromptsFile()));
    String disabledReason = llm.enabled() ? null : llm.ready().reason();
    return new PromptResource(helper, services.settings().llmAssistPerMinute(), Clock.systemUTC(), disabledReason);
  }
}
