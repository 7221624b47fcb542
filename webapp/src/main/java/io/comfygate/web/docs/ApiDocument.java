package io.comfygate.web.docs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.comfygate.web.api.ErrorMessage;
import io.comfygate.web.api.HealthView;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.jaxrs2.Reader;
import io.swagger.v3.oas.integration.SwaggerConfiguration;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.Paths;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import io.swagger.v3.oas.models.tags.Tag;
import io.comfygate.web.security.DeclaredRoles;
import io.comfygate.web.security.Identity;
import io.comfygate.web.security.RoleCheck;
import io.comfygate.web.security.ServletAccess;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import jakarta.ws.rs.core.Application;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The OpenAPI 3 document of the whole HTTP API, built from the JAX-RS and OpenAPI
 * annotations of the resources registered in the REST application, plus what lives outside Jersey
 * ({@code /healthz}, the live WebSocket, this document). The rules that hold for every endpoint are
 * applied here rather than repeated on each method, as the filters and mappers apply them: every
 * error response has the one JSON error shape ({@value #ERROR_SCHEMA}); everything but signing in
 * needs an identity (Basic, an API key or the session cookie), so 401 and 403 apply; anything may
 * fail with 500.
 */
public final class ApiDocument {
  /** The component name of the JSON error shape. */
  public static final String ERROR_SCHEMA = "ErrorMessage";
  /** Where the REST application is mounted, relative to the web application. */
  public static final String API_ROOT = "/api";
  /** The extension of each operation that says who may call it. */
  public static final String ACCESS = "x-access";
  static final String SESSION_PATH = API_ROOT + "/v1/session";
  private static final String JSON = jakarta.ws.rs.core.MediaType.APPLICATION_JSON;

  private ApiDocument() {}

  /**
   * The document as JSON. Takes a second or more (swagger's model resolution): build it once.
   *
   * @param resources the REST application's resource classes ({@link #resourceClasses})
   * @param contextPath the web application's context path ({@code ""} at the root), the server URL
   */
  public static byte[] json(Set<Class<?>> resources, String contextPath) {
    try {
      // Swagger's mapper, but without its thread-local buffers (see the SDK's JsonMappers).
      return io.comfygate.json.JsonMappers.recycledLikeOurs(Json.mapper())
          .writeValueAsString(build(resources, contextPath)).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the OpenAPI document cannot be written", e);
    }
  }

  /** The document; see {@link #json}. */
  public static OpenAPI build(Set<Class<?>> resources, String contextPath) {
    OpenAPI base = new OpenAPI()
        .info(new Info().title("ComfyGate API").version("v1").description(DESCRIPTION))
        .servers(List.of(new Server().url(contextPath.isEmpty() ? "/" : contextPath)
            .description("this ComfyGate (paths below include /api)")))
        .components(new Components()
            .addSecuritySchemes("basic", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("basic")
                .description("HTTP Basic against the server's realm (users with role user or admin)"))
            .addSecuritySchemes("apiKey", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                .bearerFormat("cgk_…").description("An API key issued by an admin: Authorization: Bearer cgk_…"))
            .addSecuritySchemes("session", new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                .in(SecurityScheme.In.COOKIE).name("JSESSIONID")
                .description("The browser's session after POST /api/v1/session; every change must also send"
                    + " the session's csrf_token in the X-CSRF-Token header")))
        .security(List.of(new SecurityRequirement().addList("basic"), new SecurityRequirement().addList("apiKey"),
            new SecurityRequirement().addList("session")));
    Reader reader = new Reader(new SwaggerConfiguration().openAPI(base).prettyPrint(false)) {
      @Override
      protected String resolveApplicationPath() {
        return API_ROOT;
      }
    };
    OpenAPI doc = reader.read(resources);
    addSchemas(doc, ErrorMessage.class);
    addSchemas(doc, HealthView.class);
    addOutsideJersey(doc);
    addAccess(doc, resources);
    snakeCaseProperties(doc);
    ApiTypes.apply(doc);
    applyCommonResponses(doc);
    return doc;
  }

  /**
   * Who may call each operation, as {@code x-access}: for the REST application from the declarations
   * that {@link RoleCheck} enforces ({@code anyone}, {@code user} for the user or admin role,
   * {@code admin}, {@code nobody}), for the rest from {@link ServletAccess}.
   */
  private static void addAccess(OpenAPI doc, Set<Class<?>> resources) {
    for (Class<?> type : resources) {
      String root = type.getAnnotation(Path.class).value();
      for (Method method : type.getMethods()) {
        String http = httpMethod(method);
        if (http == null) {
          continue;
        }
        Path sub = method.getAnnotation(Path.class);
        PathItem item = doc.getPaths().get(API_ROOT + templatePath(root, sub == null ? "" : sub.value()));
        Operation operation = item == null ? null : item.readOperationsMap().get(PathItem.HttpMethod.valueOf(http));
        if (operation != null) {
          operation.addExtension(ACCESS, access(DeclaredRoles.of(type, method)));
        }
      }
    }
    for (ServletAccess outside : ServletAccess.values()) {
      PathItem item = doc.getPaths().get(outside.path());
      if (item != null) {
        item.readOperations().forEach(operation -> operation.addExtension(ACCESS, outside.who()));
      }
    }
  }

  private static String access(DeclaredRoles declared) {
    switch (declared.kind()) {
      case PERMIT_ALL:
        return "anyone";
      case ROLES:
        return declared.roles().contains(Identity.USER) ? "user" : String.join(" or ", declared.sortedRoles());
      default:
        return "nobody";
    }
  }

  /** The HTTP method a resource method answers, else {@code null} (not a resource method). */
  public static String httpMethod(Method method) {
    for (Annotation a : method.getAnnotations()) {
      HttpMethod http = a.annotationType().getAnnotation(HttpMethod.class);
      if (http != null) {
        return http.value();
      }
    }
    return null;
  }

  /** Class and method paths joined as JAX-RS does, templates without their regular expressions. */
  public static String templatePath(String root, String sub) {
    String path = ("/" + root + "/" + sub).replaceAll("/+", "/");
    path = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return path.replaceAll("\\{\\s*(\\w+)\\s*:[^}]*}", "{$1}");
  }

  /** Every registered class or instance with {@code @Path}: what Jersey serves. */
  public static Set<Class<?>> resourceClasses(Application api) {
    Set<Class<?>> all = new LinkedHashSet<>(api.getClasses());
    api.getSingletons().forEach(o -> all.add(o.getClass()));
    if (api instanceof org.glassfish.jersey.server.ResourceConfig config) {
      config.getInstances().forEach(o -> all.add(o.getClass()));
      config.getResources().forEach(r -> addHandlerClasses(r, all));
    }
    all.removeIf(c -> !c.isAnnotationPresent(Path.class));
    return all;
  }

  /** The classes whose objects handle a resource model's methods, its sub-resources' included. */
  private static void addHandlerClasses(org.glassfish.jersey.server.model.Resource resource, Set<Class<?>> into) {
    resource.getHandlerInstances().forEach(o -> into.add(o.getClass()));
    into.addAll(resource.getHandlerClasses());
    resource.getChildResources().forEach(child -> addHandlerClasses(child, into));
  }

  private static void addSchemas(OpenAPI doc, Class<?> type) {
    ModelConverters.getInstance().readAll(type).forEach(doc.getComponents()::addSchemas);
  }

  /** The endpoints the container serves outside the REST application. */
  private static void addOutsideJersey(OpenAPI doc) {
    Paths paths = doc.getPaths() == null ? new Paths() : doc.getPaths();
    paths.addPathItem("/healthz", new PathItem().get(new Operation().operationId("healthz").addTagsItem("operations")
        .summary("Health of every dependency").security(List.of())
        .description("200 when every check passes, 503 when one fails: each ComfyUI backend, a database write,"
            + " free disk and a probe write under OUTPUT_DIR, and the LLM helper (or disabled). Open to anyone (load balancers,"
            + " monitors), who get each check's name and status only, a backend named by its number (comfyui#1);"
            + " administrators (API key, Basic or session) also get each check's reason and latency, and the"
            + " backends' addresses in their names. Wrong credentials are a 401.")
        .responses(new ApiResponses()
            .addApiResponse("200", jsonResponse("Every check passes", HealthView.class.getSimpleName()))
            .addApiResponse("503", jsonResponse("A check fails; for administrators the failing ones carry their reason",
                HealthView.class.getSimpleName())))));
    paths.addPathItem("/openapi.json", new PathItem().get(new Operation().operationId("openApi")
        .addTagsItem("operations").summary("This document").security(List.of())
        .description("The OpenAPI 3 document of the whole API. Open to anyone: it describes shapes, not data.")
        .responses(new ApiResponses().addApiResponse("200", new ApiResponse().description("The document")
            .content(new Content().addMediaType(JSON, new MediaType().schema(new Schema<>().type("object"))))))));
    paths.addPathItem("/metrics", new PathItem().get(new Operation().operationId("metrics").addTagsItem("operations")
        .summary("Prometheus metrics")
        .description("Jobs, queue depth, backends, health and the JVM as Prometheus text, or OpenMetrics when the"
            + " Accept header asks for it. For administrators, the METRICS_TOKEN bearer, or anyone with METRICS_PUBLIC=true.")
        .responses(new ApiResponses().addApiResponse("200", new ApiResponse().description("The metrics")
            .content(new Content().addMediaType("text/plain", new MediaType().schema(new StringSchema())))))));
    paths.addPathItem(API_ROOT + "/v1/live", new PathItem().get(new Operation().operationId("live")
        .addTagsItem("jobs").summary("Live job updates (WebSocket)")
        .description("A WebSocket (GET with Upgrade: websocket) that pushes the caller's job updates as JSON text"
            + " messages: snapshot, job, progress, preview (see the README). Browsers, which cannot set headers,"
            + " may pass an API key as ?access_token=…; a socket without an identity is closed with 1008.")
        .addParametersItem(new io.swagger.v3.oas.models.parameters.Parameter().in("query").name("access_token")
            .required(false).description("An API key, for clients that cannot send Authorization")
            .schema(new StringSchema()))
        .responses(new ApiResponses().addApiResponse("101", new ApiResponse().description("Switching Protocols:"
            + " the socket is open")))));
    doc.setPaths(paths);
    List<Tag> tags = new ArrayList<>(doc.getTags() == null ? List.of() : doc.getTags());
    if (tags.stream().noneMatch(t -> t.getName().equals("operations"))) {
      tags.add(new Tag().name("operations").description("Health and this document; open to anyone"));
    }
    doc.setTags(tags);
  }

  /**
   * The API speaks snake_case (as JsonConfig's mapper writes it); the schemas must say so too. A
   * JsonNode (job params, a parameter's default) is any JSON value, not necessarily an object.
   */
  private static void snakeCaseProperties(OpenAPI doc) {
    if (doc.getComponents().getSchemas().containsKey("JsonNode")) {
      doc.getComponents().addSchemas("JsonNode", new Schema<>().description("Any JSON value"));
    }
    PropertyNamingStrategies.NamingBase snake = (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;
    for (Schema<?> schema : doc.getComponents().getSchemas().values()) {
      if (schema.getProperties() != null) {
        Map<String, Schema> renamed = new LinkedHashMap<>();
        schema.getProperties().forEach((name, property) -> renamed.put(snake.translate(name), property));
        schema.setProperties(renamed);
      }
      if (schema.getRequired() != null) {
        schema.setRequired(schema.getRequired().stream().map(snake::translate).toList());
      }
    }
  }

  /**
   * What holds for every operation: each 4xx and 5xx response carries the JSON error shape; every
   * operation but signing in needs an identity (401 without one, 403 without the role it needs or
   * without the CSRF token of a cookie session); anything may fail with 500 (with an error id).
   */
  private static void applyCommonResponses(OpenAPI doc) {
    doc.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
      ApiResponses responses = operation.getResponses() == null ? new ApiResponses() : operation.getResponses();
      boolean open = operation.getSecurity() != null && operation.getSecurity().isEmpty();
      if (path.startsWith(SESSION_PATH)) {
        operation.setSecurity(List.of()); // signing in needs no identity; each method says what it answers
      } else if (!open && path.startsWith(API_ROOT)) {
        responses.putIfAbsent("401", errorResponse("No identity, or a wrong password or API key")
            .addHeaderObject("WWW-Authenticate", new Header().schema(new StringSchema())));
        responses.putIfAbsent("403", errorResponse(path.startsWith(API_ROOT + "/v1/admin")
            ? "Not an administrator, or a session change without its X-CSRF-Token"
            : "Neither the user nor the admin role, or a session change without its X-CSRF-Token"));
      }
      responses.putIfAbsent("500", errorResponse("Unexpected failure; error_id is also in the server log"));
      responses.forEach((status, response) -> {
        if (status.startsWith("4") || status.startsWith("5")) {
          if (response.getContent() == null || response.getContent().isEmpty()) {
            response.setContent(errorContent());
          }
        }
      });
      operation.setResponses(responses);
    }));
  }

  private static ApiResponse errorResponse(String description) {
    return new ApiResponse().description(description).content(errorContent());
  }

  private static Content errorContent() {
    return new Content().addMediaType(JSON,
        new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + ERROR_SCHEMA)));
  }

  private static ApiResponse jsonResponse(String description, String schema) {
    return new ApiResponse().description(description).content(new Content().addMediaType(JSON,
        new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + schema))));
  }

  private static final String DESCRIPTION = "ComfyGate queues image jobs for ComfyUI fairly across users, with"
      + " per-user limits, progress, a gallery with trash, and health checks. Everything under /api answers"
      + " JSON, errors included, as {\"error\": code, \"message\": text, …}. Sign in with HTTP Basic, an API key"
      + " (Authorization: Bearer cgk_…) or the browser session (POST /api/v1/session, then X-CSRF-Token on"
      + " every change).";
}
