package io.comfygate.engine;

import io.comfygate.internal.concurrent.NamedThreads;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's pool of named daemon threads ({@code comfygate-engine-*}) for work that may block
 * on a backend or the disk: fetching outputs, telling ComfyUI to stop a prompt, clearing orphans.
 * Work handed in after {@link #close()} is dropped: the job's stored state lets the next start
 * pick it up.
 */
final class Workers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobEngine.class); // engine logs keep one name

  private final ExecutorService pool = Executors.newCachedThreadPool(NamedThreads.factory("engine"));
  private final Duration closeWait;

  Workers(Duration closeWait) {
    this.closeWait = closeWait;
  }

  void run(Runnable task) {
    try {
      pool.execute(task);
    } catch (RejectedExecutionException e) {
      LOG.debug("engine closing; dropped a task");
    }
  }

  @Override
  public void close() {
    NamedThreads.shutdown(pool, closeWait, "engine workers");
  }
}
