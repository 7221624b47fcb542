package io.comfygate.engine;

import io.comfygate.jobs.JobId;
import java.time.Duration;

/**
 * How long one job took to reach ComfyUI, measured when ComfyUI accepted its prompt: for metrics
 * and tuning. Not a state change (the job is still queued, now in ComfyUI's queue), hence not a
 * {@link JobEvent}. A job sent again (its backend refused it or went away) is timed again.
 *
 * @param sinceSubmit from the job's submission until ComfyUI answered the POST of its prompt:
 *     waiting in our queue plus the hand-over
 * @param request the POST /prompt round trip alone: input images sent before it are not counted
 *     (nor is anything else the hand-over does). It does include the client's wait for its
 *     WebSocket, which only the first prompts after a (re)connect of a backend's client see.
 */
public record DispatchTiming(JobId jobId, String userId, String template, String backend,
    Duration sinceSubmit, Duration request) {}
