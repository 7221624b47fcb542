package io.comfygate.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.comfygate.errors.ComfyException;
import io.comfygate.internal.json.Json;
import io.comfygate.jobs.JobState;
import io.comfygate.store.JobStore;
import io.comfygate.store.StoredJob;
import io.comfygate.templates.TemplateRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks up where the last run stopped, at start: waiting jobs queue again in their order; jobs that
 * were handed to a backend are looked up there (still queued or running: followed; finished: their
 * outcome collected; not there: sent again if they never started, else failed with the reason).
 */
final class Recovery {
  private static final Logger LOG = LoggerFactory.getLogger(JobEngine.class); // engine logs keep one name
  private static final ObjectMapper JSON = Json.newMapper();

  private final JobBoard board;
  private final JobStore jobs;
  private final TemplateRegistry templates;
  private final Transitions transitions;
  private final JobRunner runner;

  Recovery(JobBoard board, JobStore jobs, TemplateRegistry templates, Transitions transitions, JobRunner runner) {
    this.board = board;
    this.jobs = jobs;
    this.templates = templates;
    this.transitions = transitions;
    this.runner = runner;
  }

  void recover() {
    List<ActiveJob> toFollow = new ArrayList<>();
    Map<ActiveJob, String> toFail = new LinkedHashMap<>(); // ended in the order the store lists them
    for (StoredJob stored : jobs.listActive()) {
      ObjectNode workflow;
      try {
        workflow = templates.get(stored.template()).bind(JSON.readTree(stored.paramsJson()), ThreadLocalRandom.current()).workflow();
      } catch (Exception e) {
        toFail.put(new ActiveJob(stored, JSON.createObjectNode()), "cannot be resumed after a restart: " + e.getMessage());
        continue;
      }
      ActiveJob job = new ActiveJob(stored, workflow);
      if (stored.backend() == null) {
        waitAgain(job);
        continue;
      }
      Backend backend = board.backends.get(stored.backend());
      if (backend == null) {
        toFail.put(job, "its ComfyUI backend " + stored.backend() + " is no longer configured");
        continue;
      }
      try {
        if (backend.knows(stored.promptId())) {
          synchronized (board.lock) {
            board.active.put(stored.id(), job);
            job.backend = backend;
            backend.dispatched.add(stored.id());
            board.waiting.addDispatched(stored.userId(), stored.id());
          }
          toFollow.add(job);
        } else if (stored.state() == JobState.QUEUED) {
          // Recorded as dispatched, but the request never reached ComfyUI: send it again.
          jobs.assignBackend(stored.id(), backend.name, null);
          job.recordBackend(null);
          waitAgain(job);
        } else {
          toFail.put(job, "not found on ComfyUI at " + backend.name + " after a restart (ComfyUI may have restarted too)");
        }
      } catch (ComfyException e) {
        toFail.put(job, "ComfyUI at " + backend.name + " could not be reached after a restart: " + e.getMessage());
      }
    }
    toFail.forEach((job, reason) -> {
      synchronized (board.lock) {
        board.active.put(job.stored.id(), job);
      }
      transitions.end(job, JobState.FAILED, reason);
    });
    for (ActiveJob job : toFollow) {
      runner.follow(job, job.backend.client.track(job.stored.promptId()));
    }
    List<ActiveJob> next;
    int waiting;
    synchronized (board.lock) {
      next = board.promoteLocked();
      waiting = board.waiting.totalWaiting();
    }
    LOG.atInfo().setMessage("recovered").addKeyValue("event", "recover").addKeyValue("followed", toFollow.size())
        .addKeyValue("failed", toFail.size()).addKeyValue("waiting", waiting).log();
    board.send(next);
  }

  private void waitAgain(ActiveJob job) {
    synchronized (board.lock) {
      board.active.put(job.stored.id(), job);
      board.waiting.add(job.stored.userId(), job.stored.id());
    }
  }
}
