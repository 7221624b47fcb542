package io.comfygate.examples.embedded;

import io.comfygate.engine.Job;
import io.comfygate.engine.JobEvent;
import io.comfygate.engine.JobListener;
import io.comfygate.jobs.JobId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's job listener: counts every event by kind, remembers the state events of recent
 * jobs in order (GET /jobs/{id} shows them), and logs how each job ended. Events come one at a time
 * on the engine's event thread, so each call only does quick in-memory work.
 */
final class EventJournal implements JobListener {
  private static final Logger LOG = LoggerFactory.getLogger(EventJournal.class);
  private static final int JOBS_KEPT = 1000;

  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  /** Oldest job first; the oldest is forgotten once more than JOBS_KEPT are known. Guarded by itself. */
  private final Map<JobId, List<String>> history = new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<JobId, List<String>> eldest) {
      return size() > JOBS_KEPT;
    }
  };

  @Override
  public void onEvent(JobEvent event) {
    counts.computeIfAbsent(event.name(), name -> new LongAdder()).increment();
    if (event instanceof JobEvent.Progress) {
      return; // many per job: counted, not kept
    }
    Job job = event.job();
    synchronized (history) {
      history.computeIfAbsent(job.id(), id -> new ArrayList<>()).add(event.name());
    }
    if (event instanceof JobEvent.Completed) {
      LOG.info("job {} of {} done: {} image(s)", job.id(), job.userId(), job.images().size());
    } else if (event instanceof JobEvent.Failed || event instanceof JobEvent.TimedOut) {
      LOG.warn("job {} of {} {}: {}", job.id(), job.userId(), job.state().wireName(), job.error());
    }
  }

  /** The job's events so far, oldest first, progress left out: enqueue, job_start, job_complete … */
  List<String> eventsOf(JobId id) {
    synchronized (history) {
      return List.copyOf(history.getOrDefault(id, List.of()));
    }
  }

  /** How many events of each kind have been seen, by name. */
  Map<String, Long> counts() {
    Map<String, Long> copy = new TreeMap<>();
    counts.forEach((name, n) -> copy.put(name, n.sum()));
    return copy;
  }
}
