package io.comfygate.engine;

import io.comfygate.client.QueueSnapshot;
import io.comfygate.errors.ComfyException;
import io.comfygate.health.HealthChange;
import io.comfygate.health.HealthReport;
import io.comfygate.health.Status;
import io.comfygate.jobs.JobState;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes backends out of service and back. A backend whose health check goes DOWN, or that a
 * dispatch finds unreachable, receives nothing new and its jobs end failed; UP again, it is fed
 * again, and prompts of jobs failed while it was away are deleted there.
 */
final class BackendHealth {
  private static final Logger LOG = LoggerFactory.getLogger(JobEngine.class); // engine logs keep one name
  /** Health check names of backends: this prefix and the backend's host:port. */
  static final String CHECK_PREFIX = "comfyui:";

  private final JobBoard board;
  private final Transitions transitions;
  private final Workers workers;
  private final Clock clock;

  BackendHealth(JobBoard board, Transitions transitions, Workers workers, Clock clock) {
    this.board = board;
    this.transitions = transitions;
    this.workers = workers;
    this.clock = clock;
  }

  /** The health monitor's listener: backends follow their checks; other checks going DOWN are logged. */
  void onHealthChange(HealthChange change) {
    if (!change.check().startsWith(CHECK_PREFIX)) {
      if (change.to() == Status.DOWN) {
        LOG.atWarn().setMessage("health_change").addKeyValue("event", "health_change").addKeyValue("check", change.check())
            .addKeyValue("status", change.to().name()).addKeyValue("reason", change.result().reason()).log();
      }
      return;
    }
    Backend backend = board.backend(change.check().substring(CHECK_PREFIX.length()));
    if (backend == null) {
      return;
    }
    if (change.to() == Status.DOWN) {
      down(backend, change.result().reason());
    } else if (change.to() == Status.UP) {
      up(backend);
    }
  }

  /**
   * A backend marked down here (a dispatch found it unreachable) while its health check stayed UP
   * gets no change event; it is taken back once a health round newer than the failure says UP.
   */
  void revive(HealthReport report) {
    for (Backend backend : board.backends()) {
      if (!backend.healthy() && report.check(CHECK_PREFIX + backend.name)
          .filter(c -> c.status() == Status.UP && c.checkedAt().isAfter(backend.downSince())).isPresent()) {
        up(backend);
      }
    }
  }

  void down(Backend backend, String reason) {
    List<ActiveJob> lost = board.markDown(backend, reason, clock.instant());
    if (lost == null) {
      return; // down already
    }
    LOG.atWarn().setMessage("backend_down").addKeyValue("event", "backend_down").addKeyValue("backend", backend.name)
        .addKeyValue("reason", reason).log();
    for (ActiveJob job : lost) {
      transitions.end(job, JobState.FAILED, "ComfyUI at " + backend.name + " went down: " + reason);
    }
  }

  private void up(Backend backend) {
    if (!board.markUp(backend)) {
      return;
    }
    LOG.atInfo().setMessage("backend_up").addKeyValue("event", "backend_up").addKeyValue("backend", backend.name).log();
    workers.run(() -> clearOrphans(backend));
  }

  /** Deletes from a returning backend the prompts of jobs that were failed while it was away. */
  private void clearOrphans(Backend backend) {
    List<String> orphans = board.takeOrphans(backend);
    if (orphans.isEmpty()) {
      return;
    }
    try {
      QueueSnapshot queue = backend.client.queue();
      List<String> pending = orphans.stream().filter(queue::isPending).toList();
      if (!pending.isEmpty()) {
        backend.client.deleteFromQueue(pending);
      }
      for (String id : orphans) {
        if (queue.isRunning(id)) {
          backend.client.interrupt(id);
        }
      }
      LOG.atInfo().setMessage("orphans_cleared").addKeyValue("event", "orphans_cleared").addKeyValue("backend", backend.name)
          .addKeyValue("deleted", pending.size()).log();
    } catch (ComfyException e) {
      LOG.warn("could not clear {} orphaned prompts on {}: {}", orphans.size(), backend.name, e.getMessage());
    }
  }
}
