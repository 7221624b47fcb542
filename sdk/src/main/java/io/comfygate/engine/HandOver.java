package io.comfygate.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.comfygate.client.PromptHandle;
import io.comfygate.client.PromptRequest;
import io.comfygate.errors.ComfyException;
import io.comfygate.errors.ComfyIoException;
import io.comfygate.errors.ComfyTimeoutException;
import io.comfygate.errors.ComfyUnavailableException;
import io.comfygate.errors.ComfyValidationException;
import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.store.JobStore;
import io.comfygate.store.StoredJob;
import io.comfygate.store.jdbc.LeaseLostException;
import io.comfygate.templates.Template;
import io.comfygate.templates.TemplateRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a promoted job to its backend, on that backend's sender thread: records the hand-over,
 * sends its input images and its prompt, then lets {@link JobRunner} follow it. A prompt that never
 * reached ComfyUI goes back to the head of the queue; one that may have reached it is looked for
 * there before it is sent again.
 */
final class HandOver {
  private static final Logger LOG = LoggerFactory.getLogger(JobEngine.class); // engine logs keep one name

  private final JobBoard board;
  private final JobStore jobs;
  private final TemplateRegistry templates;
  private final InputForwarder inputs;
  private final DurableWrites durable;
  private final ProgressTracker progress;
  private final JobRunner runner;
  private final Transitions transitions;
  private final BackendHealth backendHealth;
  private final Listeners listeners;
  private final ClusterRole role;
  private final Clock clock;

  HandOver(JobBoard board, JobStore jobs, TemplateRegistry templates, InputForwarder inputs, DurableWrites durable,
      ProgressTracker progress, JobRunner runner, Transitions transitions, BackendHealth backendHealth,
      Listeners listeners, ClusterRole role, Clock clock) {
    this.board = board;
    this.jobs = jobs;
    this.templates = templates;
    this.inputs = inputs;
    this.durable = durable;
    this.progress = progress;
    this.runner = runner;
    this.transitions = transitions;
    this.backendHealth = backendHealth;
    this.listeners = listeners;
    this.role = role;
    this.clock = clock;
  }

  /**
   * Records the job as handed to its backend, then sends it. With several instances the record
   * commits only while this one holds the dispatcher lease (checked in its transaction), and the
   * prompt is POSTed only within this instance's send window ({@link ClusterRole#maySend}): past
   * it, the sender waits for the next renewal, and sends then. If this instance stops dispatching
   * meanwhile (or the lease lapses by its clock) nothing is sent, and the next dispatcher's
   * recovery sends it: the record is there, the prompt is not on ComfyUI.
   */
  void dispatch(ActiveJob job) {
    if (!board.isActive(job)) {
      return; // let go when this instance stopped dispatching
    }
    Backend backend = job.backend();
    JobId id = job.id();
    boolean assigned;
    try {
      assigned = durable.record("hand-over of " + id.value(), () -> jobs.assignBackend(id, null, backend.name));
    } catch (LeaseLostException e) {
      role.lost();
      return;
    }
    if (!assigned) {
      endedMeanwhile(job); // cancelled while waiting for this thread (here or by another instance)
      return;
    }
    board.handedOver(job, backend.name);
    try {
      Sent sent = submitWithInputs(job, backend);
      LOG.atDebug().setMessage("dispatched").addKeyValue("event", "dispatch").addKeyValue("job_id", id.value())
          .addKeyValue("backend", backend.name).addKeyValue("prompt_id", job.stored().promptId())
          .addKeyValue("latency_ms", sent.took.toMillis()).log();
      listeners.emitDispatched(new DispatchTiming(id, job.stored().userId(), job.stored().template(), backend.name,
          Duration.between(job.stored().createdAt(), clock.instant()), sent.took));
      runner.follow(job, sent.handle);
    } catch (NotSent e) {
      // recorded, not sent: whoever dispatches next sends it (recovery)
    } catch (InputFailure e) {
      transitions.end(job, JobState.FAILED, e.getMessage());
    } catch (ComfyValidationException e) {
      transitions.end(job, JobState.FAILED, "ComfyUI refused the workflow: " + e.getMessage());
    } catch (ComfyUnavailableException e) {
      // The request never reached ComfyUI: safe to send again later, elsewhere or here.
      requeue(job, backend);
      backendHealth.down(backend, e.getMessage());
    } catch (ComfyTimeoutException | ComfyIoException e) {
      recoverAmbiguousDispatch(job, backend, e);
    } catch (RuntimeException e) {
      transitions.end(job, JobState.FAILED, "could not hand the job to ComfyUI at " + backend.name + ": " + e.getMessage());
    }
  }

  /** A prompt ComfyUI accepted, and how long its POST /prompt took (input uploads not included). */
  private record Sent(PromptHandle handle, Duration took) {}

  /**
   * Sends the job's input images to the backend (unless it has them), then the prompt. A backend
   * that refuses the workflow after being sent inputs earlier may have lost them (restarted in
   * between two health checks): they are sent again and the prompt once more.
   */
  private Sent submitWithInputs(ActiveJob job, Backend backend) {
    Template template = templates.get(job.stored().template());
    ObjectNode workflow = job.workflow();
    if (workflow == null) { // it waited: bound again from the stored parameters, as after a restart
      workflow = template.bind(job.params.deepCopy(), ThreadLocalRandom.current()).workflow();
      board.recordWorkflow(job, workflow);
    }
    if (!inputs.hasImages(template)) {
      return post(job, backend, workflow);
    }
    JsonNode params = job.params;
    boolean sentBefore = inputs.sentBefore(template, params, backend);
    try {
      return post(job, backend, forwardInputs(template, params, job, backend));
    } catch (ComfyValidationException e) {
      backend.inputs.clear();
      if (!sentBefore) {
        throw e;
      }
      return post(job, backend, forwardInputs(template, params, job, backend));
    }
  }

  /** POSTs the prompt, within the send window (waiting for it if need be: see {@link #dispatch}). */
  private Sent post(ActiveJob job, Backend backend, ObjectNode workflow) {
    if (!role.awaitSendWindow(() -> board.isActive(job))) {
      throw new NotSent();
    }
    PromptRequest request = PromptRequest.builder(workflow).promptId(job.stored().promptId()).build();
    long started = System.nanoTime();
    PromptHandle handle = backend.client.submit(request, progress.listenerFor(job));
    return new Sent(handle, Duration.ofNanos(System.nanoTime() - started));
  }

  private ObjectNode forwardInputs(Template template, JsonNode params, ActiveJob job, Backend backend) {
    try {
      return inputs.prepare(template, params, job.workflow(), backend);
    } catch (InputForwarder.InputUnavailable e) {
      throw new InputFailure(e.getMessage(), e);
    } catch (ComfyUnavailableException e) {
      throw e;
    } catch (ComfyException e) {
      throw new InputFailure("could not send its input image to ComfyUI at " + backend.name + ": " + e.getMessage(), e);
    }
  }

  /** A job's input image could not be provided to its backend: the job fails with this reason. */
  private static final class InputFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InputFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** This instance stopped dispatching, or let the job go, before the prompt could be sent. */
  private static final class NotSent extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotSent() {
      super("not sent: this instance no longer dispatches", null, false, false);
    }
  }

  /** The POST may or may not have reached ComfyUI: look before sending it again. */
  private void recoverAmbiguousDispatch(ActiveJob job, Backend backend, RuntimeException cause) {
    String promptId = job.stored().promptId();
    try {
      if (backend.knows(promptId)) {
        runner.follow(job, backend.client.track(promptId));
      } else {
        requeue(job, backend);
      }
    } catch (RuntimeException e) {
      transitions.end(job, JobState.FAILED, "lost contact with ComfyUI at " + backend.name
          + " while handing over the job: " + cause.getMessage());
    }
  }

  private void requeue(ActiveJob job, Backend backend) {
    try {
      durable.record("return to the queue of " + job.stored().id().value(),
          () -> jobs.assignBackend(job.stored().id(), backend.name, null));
    } catch (LeaseLostException e) {
      role.lost();
      return;
    }
    board.requeueFirst(job, backend);
  }

  /** A job whose hand-over found it no longer waiting: announced as it ended, else let go. */
  private void endedMeanwhile(ActiveJob job) {
    StoredJob now = jobs.find(job.id()).orElse(null);
    if (now != null && now.state().isTerminal()) {
      transitions.endedElsewhere(job, now);
    }
    board.release(job);
  }
}
