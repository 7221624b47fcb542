package io.comfygate.engine;

import io.comfygate.errors.ComfyInterruptedException;
import io.comfygate.errors.ComfyTimeoutException;
import io.comfygate.errors.JobNotFoundException;
import io.comfygate.events.Subscription;
import io.comfygate.jobs.JobId;
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
    Optional<Job> active = board.snapshot(id);
    if (active.isPresent()) {
      return active;
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
    ActiveJob job = board.activeJob(id).orElse(null);
    byte[] bytes = job == null ? null : job.preview();
    if (bytes == null || (userId != null && !job.stored().userId().equals(userId))) {
      return Optional.empty();
    }
    return Optional.of(new JobEngine.Preview(bytes.clone(), job.previewType()));
  }

  List<JobEngine.BackendStatus> backends() {
    return board.backendStatuses();
  }

  QueueDepth queueDepth() {
    return board.queueDepth();
  }

  List<Job> waitingJobs() {
    return board.waitingJobs();
  }
}
