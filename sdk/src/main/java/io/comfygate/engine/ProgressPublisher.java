package io.comfygate.engine;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.comfygate.jobs.JobId;
import io.comfygate.store.jdbc.JobFeed;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the progress of the jobs this instance dispatches to the other instances, as notifications
 * (job id, percent, node; no previews): a listener on the job-events thread, so in the order of the
 * job's events. Only a change of percent or node is sent, not each preview. A notification that
 * cannot be sent is dropped: the next one carries the newer state.
 */
final class ProgressPublisher implements JobListener {
  private static final Logger LOG = LoggerFactory.getLogger(JobEngine.class); // engine logs keep one name

  private final JobFeed feed;
  private final ClusterRole role;
  /** The last progress sent per running job; only the job-events thread touches it. */
  private final Map<JobId, Job.Progress> sent = new HashMap<>();

  ProgressPublisher(JobFeed feed, ClusterRole role) {
    this.feed = feed;
    this.role = role;
  }

  @Override
  public void onEvent(JobEvent event) {
    JobId id = event.job().id();
    if (!(event instanceof JobEvent.Progress)) {
      if (event.job().state().isTerminal()) {
        sent.remove(id);
      }
      return;
    }
    Job.Progress now = event.job().progress();
    if (!role.dispatching() || Objects.equals(sent.get(id), now)) {
      return;
    }
    sent.put(id, now);
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("j", id.value());
    body.put("p", now.percent());
    body.put("n", now.node());
    try {
      feed.publish(JobFeed.PROGRESS, body);
    } catch (RuntimeException e) {
      LOG.debug("progress of {} not sent to the other instances: {}", id, e.getMessage());
    }
  }
}
