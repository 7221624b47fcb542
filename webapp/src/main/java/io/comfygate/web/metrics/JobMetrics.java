package io.comfygate.web.metrics;

import io.comfygate.engine.DispatchTiming;
import io.comfygate.engine.Job;
import io.comfygate.engine.JobEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;

/**
 * Counters and histograms fed by the engine's events: jobs submitted (by template), jobs finished
 * (by template and outcome), run time, queue wait, dispatch latency, and refused submits (by
 * reason). Label values come from bounded sets: template names, the four end states, backend
 * host:ports, three refusal reasons. Meters are created on first use, then found again by the
 * registry. Thread-safe: events arrive on the engine's event thread, refusals on request threads.
 */
final class JobMetrics {
  /** Why a submit was refused; the {@code reason} label. */
  enum Refusal {
    /** 429: the user's waiting limit. */
    QUOTA,
    /** 503: no healthy ComfyUI (or shutting down). */
    UNHEALTHY,
    /** 400 and kin: bad parameters, unknown template, malformed JSON. */
    INVALID,
    /** anything else that ended a submit with an error (a 500). */
    ERROR;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final MeterRegistry registry;

  JobMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (Refusal r : Refusal.values()) { // present from the start: a rate() of 0 is an answer too
      rejected(r);
    }
  }

  /** Counts and times what a job event tells. */
  void onEvent(JobEvent event) {
    Job job = event.job();
    if (event instanceof JobEvent.Enqueued) {
      Counter.builder("comfygate.jobs.submitted").description("Jobs accepted into the queue, by template")
          .tag("template", job.template()).register(registry).increment();
    } else if (event instanceof JobEvent.Started && job.startedAt() != null) {
      timer("comfygate.job.queue.wait", "Time from submit until the job started running on ComfyUI", Buckets.QUEUE_WAIT)
          .register(registry).record(between(job.createdAt(), job.startedAt()));
    } else if (job.state().isTerminal()) {
      String outcome = job.state().wireName();
      Counter.builder("comfygate.jobs.finished").description("Jobs that ended, by template and outcome")
          .tag("template", job.template()).tag("outcome", outcome).register(registry).increment();
      if (job.startedAt() != null && job.finishedAt() != null) {
        timer("comfygate.job.run", "Run time of jobs that started (start to end), by outcome", Buckets.RUN)
            .tag("outcome", outcome).register(registry).record(between(job.startedAt(), job.finishedAt()));
      }
    }
  }

  /** Times a hand-over to ComfyUI. */
  void onDispatched(DispatchTiming timing) {
    timer("comfygate.job.dispatch.latency", "Time from submit until ComfyUI accepted the prompt, by backend", Buckets.DISPATCH)
        .tag("backend", timing.backend()).register(registry).record(timing.sinceSubmit());
    timer("comfygate.comfyui.prompt.request", "Round trip of POST /prompt to ComfyUI, by backend", Buckets.REQUEST)
        .tag("backend", timing.backend()).register(registry).record(timing.request());
  }

  /** Counts a refused submit. */
  void refused(Refusal reason) {
    rejected(reason).increment();
  }

  private Counter rejected(Refusal reason) {
    return Counter.builder("comfygate.jobs.rejected").description("Submits refused, by reason (quota, unhealthy, invalid, error)")
        .tag("reason", reason.label()).register(registry);
  }

  static Timer.Builder timer(String name, String help, Duration[] buckets) {
    return Timer.builder(name).description(help).serviceLevelObjectives(buckets).publishPercentileHistogram(false);
  }

  private static Duration between(Instant from, Instant to) {
    Duration d = Duration.between(from, to);
    return d.isNegative() ? Duration.ZERO : d;
  }
}
