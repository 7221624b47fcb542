package io.comfygate.web.resources;

import io.comfygate.errors.LlmException;
import io.comfygate.errors.QuotaExceededException;
import io.comfygate.llm.PromptHelper;
import io.comfygate.web.api.AssistRequest;
import io.comfygate.web.api.AssistStatusView;
import io.comfygate.web.api.AssistView;
import io.comfygate.web.api.ErrorMessage;
import io.comfygate.web.errors.BadParameterException;
import io.comfygate.web.security.Identity;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The prompt assistant: an LLM translates a prompt into English or expands a short idea. Off (503
 * {@code llm_unavailable}) unless {@code LLM_BASE_URL} is set; each user may ask
 * {@code LLM_ASSIST_PER_MINUTE} times a minute.
 */
@Path("/v1/prompt/assist")
@Tag(name = "prompt")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Identity.USER, Identity.ADMIN})
public final class PromptResource {
  private static final List<String> MODES =
      Arrays.stream(PromptHelper.Mode.values()).map(m -> m.name().toLowerCase(Locale.ROOT)).toList();

  private final PromptHelper helper;
  private final PerUserRateLimit limit;
  private final String disabledReason;

  /**
   * @param perMinute requests one user may make within any minute ({@code LLM_ASSIST_PER_MINUTE})
   * @param disabledReason why the assistant is off, shown when {@code helper} is not enabled
   */
  public PromptResource(PromptHelper helper, int perMinute, Clock clock, String disabledReason) {
    this.helper = helper;
    this.limit = new PerUserRateLimit(perMinute, Duration.ofMinutes(1), clock);
    this.disabledReason = disabledReason;
  }

  @GET
  @Operation(operationId = "promptAssistStatus", summary = "Whether the prompt assistant is offered, and its modes",
      description = "The form shows its Translate and Improve buttons only when enabled is true.")
  @ApiResponse(responseCode = "200", description = "The assistant's state", useReturnTypeSchema = true)
  public AssistStatusView status() {
    return new AssistStatusView(helper.enabled(), MODES, limit.limit(), helper.enabled() ? null : disabledReason);
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(operationId = "assistPrompt", summary = "Translate a prompt into English, or expand a short idea",
      description = "mode translate: into an English image prompt, the meaning kept; mode expand: a richer English"
          + " prompt (details, style, lighting, composition). The answer is a suggestion; nothing is stored."
          + " Waits at most LLM_TIMEOUT_SECONDS for the LLM.")
  @ApiResponse(responseCode = "200", description = "The suggested prompt", useReturnTypeSchema = true)
  @ApiResponse(responseCode = "400", description = "Empty or over-long prompt (2000 characters), or an unknown mode",
      content = @Content(schema = @Schema(implementation = ErrorMessage.class)))
  @ApiResponse(responseCode = "429", description = "Over LLM_ASSIST_PER_MINUTE requests in the last minute",
      headers = @Header(name = "Retry-After", description = "seconds until one more request is allowed",
          schema = @Schema(type = "integer")),
      content = @Content(schema = @Schema(implementation = ErrorMessage.class)))
  @ApiResponse(responseCode = "503", description = "llm_unavailable: no LLM configured, or it failed or did not"
      + " answer in time (the message says which)", content = @Content(schema = @Schema(implementation = ErrorMessage.class)))
  public AssistView assist(AssistRequest request, @Context SecurityContext security) {
    Caller caller = Caller.of(security);
    PromptHelper.Mode mode = modeOf(request);
    String prompt = promptOf(request);
    if (!helper.enabled()) {
      throw new LlmException(LlmException.Kind.DISABLED, "The prompt assistant is off: " + disabledReason);
    }
    Optional<Duration> wait = limit.tryAcquire(caller.user());
    if (wait.isPresent()) {
      long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
      throw new QuotaExceededException(caller.user(), "At most " + limit.limit()
          + " prompt assistant requests per minute; try again in " + seconds + " s", limit.limit(), Duration.ofSeconds(seconds));
    }
    String suggestion = helper.assist(prompt, mode);
    return new AssistView(suggestion, mode.name().toLowerCase(Locale.ROOT), helper.model());
  }

  private static PromptHelper.Mode modeOf(AssistRequest request) {
    String mode = request == null ? null : request.mode();
    if (mode == null || !MODES.contains(mode)) {
      throw new BadParameterException("mode", "must be one of " + String.join(", ", MODES)
          + (mode == null ? "" : " (got " + mode + ")"));
    }
    return PromptHelper.Mode.valueOf(mode.toUpperCase(Locale.ROOT));
  }

  private static String promptOf(AssistRequest request) {
    String prompt = request.prompt();
    if (prompt == null || prompt.isBlank()) {
      throw new BadParameterException("prompt", "must not be blank");
    }
    String stripped = prompt.strip();
    int length = stripped.codePointCount(0, stripped.length());
    if (length > PromptHelper.MAX_LENGTH) {
      throw new BadParameterException("prompt", "is " + length + " characters long; at most "
          + PromptHelper.MAX_LENGTH + " allowed");
    }
    return stripped;
  }
}
