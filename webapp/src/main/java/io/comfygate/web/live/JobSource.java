package io.comfygate.web.live;

import io.comfygate.engine.Job;
import io.comfygate.engine.JobEngine;
import io.comfygate.engine.JobListener;
import io.comfygate.events.Subscription;
import io.comfygate.store.PageRequest;
import java.util.ArrayList;
import java.util.List;

/** What the hub reads from the engine; an interface so the hub can be tested without one. */
interface JobSource {
  /** How many finished jobs a snapshot shows besides the active ones. */
  int RECENT_FINISHED = 5;

  /** The user's queued and running jobs and their few latest finished ones, newest first. */
  List<Job> snapshot(String user);

  /** Every waiting job, with its current position and ETA. */
  List<Job> waiting();

  Subscription subscribe(JobListener listener);

  static JobSource of(JobEngine engine) {
    return new JobSource() {
      @Override
      public List<Job> snapshot(String user) {
        // Per-user queue limits keep the active jobs well inside the newest 50.
        List<Job> out = new ArrayList<>();
        int finished = 0;
        for (Job job : engine.list(user, new PageRequest(1, 50)).items()) {
          if (!job.state().isTerminal()) {
            out.add(job);
          } else if (finished < RECENT_FINISHED) {
            out.add(job);
            finished++;
          }
        }
        return out;
      }

      @Override
      public List<Job> waiting() {
        return engine.waitingJobs();
      }

      @Override
      public Subscription subscribe(JobListener listener) {
        return engine.addListener(listener);
      }
    };
  }
}
