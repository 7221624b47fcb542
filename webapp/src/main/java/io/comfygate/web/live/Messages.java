package io.comfygate.web.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.comfygate.engine.Job;
import io.comfygate.json.JsonMappers;
import io.comfygate.web.api.JobView;
import java.util.Base64;
import java.util.List;

/**
 * The JSON text messages of the live endpoint, named in snake_case like the REST API. Each
 * message has a {@code type}: {@code snapshot}, {@code job}, {@code progress} or {@code preview}.
 */
final class Messages {
  private final ObjectMapper json = JsonMappers.newMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
  private final String apiBase;

  /** @param apiBase the API's path, e.g. {@code /comfygate/api/}, for the image URLs in jobs */
  Messages(String apiBase) {
    this.apiBase = apiBase;
  }

  record Snapshot(String type, List<JobView> jobs) {}

  record JobMessage(String type, String event, JobView job) {}

  record ProgressMessage(String type, String jobId, int percent, String node, Long etaSeconds, int position) {}

  record PreviewMessage(String type, String jobId, String mime, String data) {}

  String snapshot(List<Job> jobs) {
    return write(new Snapshot("snapshot", jobs.stream().map(this::view).toList()));
  }

  /** A state change; {@code event} is the engine's event name or {@code queue_update}. */
  String job(String event, Job job) {
    return write(new JobMessage("job", event, view(job)));
  }

  String progress(Job job) {
    JobView v = view(job);
    return write(new ProgressMessage("progress", v.id(), v.progress().percent(), v.progress().node(), v.etaSeconds(),
        v.position()));
  }

  String preview(Job job, byte[] image, String mime) {
    return write(new PreviewMessage("preview", job.id().value(), mime, Base64.getEncoder().encodeToString(image)));
  }

  private JobView view(Job job) {
    return JobView.of(job, apiBase);
  }

  private String write(Object message) {
    try {
      return json.writeValueAsString(message);
    } catch (JsonProcessingException e) {
      // Our own records of strings and numbers: cannot happen short of a bug.
      throw new IllegalStateException("cannot write live message " + message.getClass().getSimpleName(), e);
    }
  }
}
