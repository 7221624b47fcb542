package io.comfygate.web.live;

import java.util.concurrent.RejectedExecutionException;

/**
 * Where the hub's sends run: soon ({@link #execute}), when nothing more urgent waits
 * ({@link #executeInBackground}: queue positions, which a browser can do without for a moment), or
 * after a delay ({@link #schedule}: the trailing progress of a throttled job). {@link SendPool} in
 * production; tests run the tasks themselves, in order and on a fake clock.
 */
interface Scheduler extends AutoCloseable {
  /** Runs {@code task} soon, on another thread. @throws RejectedExecutionException once closed */
  void execute(Runnable task);

  /**
   * Runs {@code task} once no task given to {@link #execute} waits any more.
   *
   * @throws RejectedExecutionException once closed
   */
  void executeInBackground(Runnable task);

  /** Runs {@code task} once {@code delayNanos} have passed. @throws RejectedExecutionException once closed */
  void schedule(Runnable task, long delayNanos);

  /** Rejects new tasks, drops delayed ones and waits a bounded time for those running. Idempotent. */
  @Override
  void close();
}
