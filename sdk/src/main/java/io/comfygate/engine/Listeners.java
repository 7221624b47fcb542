package io.comfygate.engine;

import io.comfygate.events.Subscription;
import io.comfygate.internal.concurrent.NamedThreads;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's listeners and the one thread ({@code comfygate-job-events-1}) that calls them, in
 * the order the events happened. A listener that throws is logged and skipped; after
 * {@link #close()} events are dropped (their state is in the store already).
 */
final class Listeners implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobEngine.class); // engine logs keep one name

  private final List<JobListener> jobListeners = new CopyOnWriteArrayList<>();
  private final List<DispatchListener> dispatchListeners = new CopyOnWriteArrayList<>();
  private final ExecutorService thread = Executors.newSingleThreadExecutor(NamedThreads.factory("job-events"));
  private final Duration closeWait;

  Listeners(Duration closeWait) {
    this.closeWait = closeWait;
  }

  Subscription add(JobListener listener) {
    jobListeners.add(Objects.requireNonNull(listener, "listener"));
    return () -> jobListeners.remove(listener);
  }

  Subscription addDispatch(DispatchListener listener) {
    dispatchListeners.add(Objects.requireNonNull(listener, "listener"));
    return () -> dispatchListeners.remove(listener);
  }

  void emit(JobEvent event) {
    deliver(jobListeners, l -> l.onEvent(event), "job listener", () -> event.name() + " of " + event.job().id());
  }

  void emitDispatched(DispatchTiming timing) {
    deliver(dispatchListeners, l -> l.onDispatched(timing), "dispatch listener", () -> "dispatch timing of " + timing.jobId());
  }

  /** @param what names the event in a log line; made only for one (emit runs under the board's lock) */
  private <L> void deliver(List<L> targets, Consumer<L> call, String kind, Supplier<String> what) {
    if (targets.isEmpty()) {
      return;
    }
    try {
      thread.execute(() -> {
        for (L target : targets) {
          try {
            call.accept(target);
          } catch (RuntimeException e) {
            LOG.warn("{} threw on {}; ignored", kind, what.get(), e);
          }
        }
      });
    } catch (RejectedExecutionException e) {
      LOG.debug("engine closed; {} not delivered to listeners", what.get());
    }
  }

  @Override
  public void close() {
    NamedThreads.shutdown(thread, closeWait, "job events");
  }
}
