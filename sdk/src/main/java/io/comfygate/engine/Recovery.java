package io.comfygate.engine;

import com.fasterxml.jackson.databind.JsonNode;
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
    List<ActiveJob> toWait = new ArrayList<>();
    List<ActiveJob> toFollow = new ArrayList<>();
    Map<ActiveJob, String> toFail = new LinkedHashMap<>(); // ended in the order the store lists them
    for (StoredJob stored : jobs.listActive()) {
      if (board.activeJob(stored.id()).isPresent()) {
        continue; // submitted here since the board was emptied: already on its way
      }
      JsonNode params = Snapshots.params(stored);
      ObjectNode workflow;
      try {
        workflow = templates.get(stored.template()).bind(JSON.readTree(stored.paramsJson()), ThreadLocalRandom.current()).workflow();
      } catch (Exception e) {
        toFail.put(board.newJob(stored, JSON.createObjectNode(), params), "cannot be resumed after a restart: " + e.getMessage());
        continue;
      }
      if (stored.backend() == null) {
        toWait.add(board.newJob(stored, null, params)); // bound again at its hand-over
        continue;
      }
      Backend backend = board.backend(stored.backend());
      if (backend == null) {
        toFail.put(board.newJob(stored, workflow, params), "its ComfyUI backend " + stored.backend() + " is no longer configured");
        continue;
      }
      try {
        if (backend.knows(stored.promptId())) {
          toFollow.add(board.newJob(stored, workflow, params));
        } else if (stored.state() == JobState.QUEUED) {
          // Recorded as dispatched, but the request never reached ComfyUI: send it again.
          jobs.assignBackend(stored.id(), backend.name, null);
          toWait.add(board.newJob(withoutBackend(stored), null, params));
        } else {
          toFail.put(board.newJob(stored, workflow, params),
              "not found on ComfyUI at " + backend.name + " after a restart (ComfyUI may have restarted too)");
        }
      } catch (ComfyException e) {
        toFail.put(board.newJob(stored, workflow, params),
            "ComfyUI at " + backend.name + " could not be reached after a restart: " + e.getMessage());
      }
    }
    toFail.forEach((job, reason) -> {
      board.adoptForEnding(job);
      transitions.end(job, JobState.FAILED, reason);
    });
    // The same pick-up as a submit's: into the waiting room (and onto the backends ComfyUI has them on).
    int waiting = board.pickUpRecovered(toWait, toFollow);
    for (ActiveJob job : toFollow) {
      runner.follow(job, job.backend().client.track(job.stored().promptId()));
    }
    LOG.atInfo().setMessage("recovered").addKeyValue("event", "recover").addKeyValue("followed", toFollow.size())
        .addKeyValue("failed", toFail.size()).addKeyValue("waiting", waiting).log();
  }

  /**
   * The view of an instance that does not dispatch: every active job as the store has it, waiting
   * or on its backend, without asking ComfyUI and without a write or an event (the dispatcher
   * does those). Later changes arrive through the job-change feed.
   */
  void mirror() {
    List<ActiveJob> toWait = new ArrayList<>();
    List<ActiveJob> onBackends = new ArrayList<>();
    for (StoredJob stored : jobs.listActive()) {
      if (stored.backend() == null) {
        toWait.add(board.newJob(stored, null, Snapshots.params(stored)));
      } else if (board.backend(stored.backend()) != null) {
        onBackends.add(board.newJob(stored, null, Snapshots.params(stored)));
      }
    }
    int waiting = board.pickUpRecovered(toWait, onBackends);
    LOG.atInfo().setMessage("mirrored").addKeyValue("event", "mirror").addKeyValue("on_backends", onBackends.size())
        .addKeyValue("waiting", waiting).log();
  }

  private static StoredJob withoutBackend(StoredJob s) {
    return new StoredJob(s.id(), s.userId(), s.template(), s.paramsJson(), s.state(), null, s.promptId(),
        s.createdAt(), s.startedAt(), s.finishedAt(), s.error());
  }
}
