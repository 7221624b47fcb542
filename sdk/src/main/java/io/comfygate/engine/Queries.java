package io.comfygate.engine;

import io.comfygate.errors.ComfyInterruptedException;
import io.comfygate.errors.ComfyTimeoutException;
import io.comfygate.errors.JobNotFoundException;
import io.comfygate.events.Subscription;
import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.store.JobStore;
import io.comfygate.store.Page;
import io.comfygate.store.PageRequest;
import io.comfygate.store.StoredJob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Reading jobs and the queue: a job that is active comes from the engine's memory (position, ETA,
 * progress), an ended one from the store. The public contracts are on {@link JobEngine}.
 */
final class Queries {
  private final JobBoard board;
  private final JobStore jobs;
  private final Snapshots snapshots;
  private final Listeners listeners;

  Queries(JobBoard board, JobStore jobs, Snapshots snapshots, Listeners listeners) {
    this.board = board;
    this.jobs = jobs;
    this.snapshots = snapshots;
    this.listeners = listeners;
  }

  Job get(JobId id, String userId) {
    Job job = find(id).orElseThrow(() -> new JobNotFoundException(id.value()));
    if (userId != null && !job.userId().equals(userId)) {
      throw new JobNotFoundException(id.value());
    }
    return job;
  }

  Optional<Job> find(JobId id) {
    synchronized (board.lock) {
      ActiveJob job = board.active.get(id);
      if (job != null && !job.stored.state().isTerminal()) {
        return Optional.of(snapshots.ofActiveLocked(job));
      }
    }
    // Ended (maybe a moment ago, before its slot was released): the store has it all, images too.
    return jobs.find(id).map(snapshots::ofStored);
  }

  Page<Job> list(String userId, PageRequest page) {
    Page<StoredJob> stored = jobs.listByUser(userId, page);
    List<Job> items = new ArrayList<>();
    for (StoredJob s : stored.items()) {
      items.add(find(s.id()).orElseGet(() -> snapshots.ofStored(s)));
    }
    return new Page<>(items, stored.page(), stored.size(), stored.total());
  }

  Job await(JobId id, Duration timeout) {
    CountDownLatch ended = new CountDownLatch(1);
    try (Subscription watch = listeners.add(event -> {
      if (event.job().id().equals(id) && event.job().state().isTerminal()) {
        ended.countDown();
      }
    })) {
      Job now = find(id).orElseThrow(() -> new JobNotFoundException(id.value()));
      if (!now.state().isTerminal() && !ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new ComfyTimeoutException("job " + id + " did not end within " + timeout, timeout, null);
      }
      return find(id).orElseThrow(() -> new JobNotFoundException(id.value()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ComfyInterruptedException("interrupted while waiting for job " + id, e);
    }
  }

  Optional<JobEngine.Preview> preview(JobId id, String userId) {
    synchronized (board.lock) {
      ActiveJob job = board.active.get(id);
      if (job == null || job.preview == null || (userId != null && !job.stored.userId().equals(userId))) {
        return Optional.empty();
      }
      return Optional.of(new JobEngine.Preview(job.preview.clone(), job.previewType));
    }
  }

  List<JobEngine.BackendStatus> backends() {
    synchronized (board.lock) {
      List<JobEngine.BackendStatus> out = new ArrayList<>();
      for (Backend b : board.backends.values()) {
        List<Job> onIt = new ArrayList<>();
        for (JobId id : b.dispatched) {
          onIt.add(snapshots.ofActiveLocked(board.active.get(id)));
        }
        out.add(new JobEngine.BackendStatus(b.name, b.healthy, b.downReason, onIt));
      }
      return out;
    }
  }

  QueueDepth queueDepth() {
    synchronized (board.lock) {
      List<QueueDepth.BackendLoad> loads = new ArrayList<>();
      for (Backend b : board.backends.values()) {
        int running = 0;
        for (JobId id : b.dispatched) {
          ActiveJob job = board.active.get(id);
          if (job != null && job.stored.state() == JobState.RUNNING) {
            running++;
          }
        }
        loads.add(new QueueDepth.BackendLoad(b.name, b.healthy, b.dispatched.size() - running, running));
      }
      return new QueueDepth(board.waiting.waitingByUser(), loads);
    }
  }

  List<Job> waitingJobs() {
    synchronized (board.lock) {
      List<JobId> order = board.waiting.inDispatchOrder();
      List<Job> out = new ArrayList<>(order.size());
      for (int position = 0; position < order.size(); position++) {
        ActiveJob job = board.active.get(order.get(position));
        if (job != null) {
          out.add(snapshots.ofActiveLocked(job, position));
        }
      }
      return out;
    }
  }
}
