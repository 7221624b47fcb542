package io.comfygate.client;

import io.comfygate.errors.ComfyException;
import io.comfygate.events.ComfyEvent;
import io.comfygate.events.ComfyEventListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Confirms how watched prompts end, without ever losing one.
 *
 * <p>ComfyUI drops messages for a socket that is not connected at that instant, and it sends
 * {@code execution_success} before it writes history. So an outcome is only ever taken from
 * {@code /history/{id}}: a WebSocket {@code executing {node:null}} (or a terminal event) merely
 * triggers the history fetch, retried with backoff while history lags. A poll covers what the
 * socket cannot tell us: prompts submitted under an older clientId (every reconnect uses a fresh
 * one), and any time the link is down or silent. A slow safety poll checks everything.
 *
 * <p>Event callbacks run on the client's event thread; history and queue calls run on the poll
 * thread, so a slow server never stalls event delivery.
 */
final class CompletionTracker {
  private static final Logger LOG = LoggerFactory.getLogger(CompletionTracker.class);
  private static final int CONFIRM_ATTEMPTS = 6;
  private static final long CONFIRM_FIRST_DELAY_MS = 25;

  /** What the tracker needs from the rest of the client. */
  interface Backend {
    Optional<HistoryEntry> history(String promptId);

    QueueSnapshot queue();

    /** The clientId whose events currently reach us, or null while disconnected. */
    String liveClientId();

    /** Nanos of the last WebSocket frame. */
    long lastFrameNanos();
  }

  /** One prompt being watched. */
  static final class Watch {
    final String promptId;
    final CompletableFuture<PromptOutcome> outcome = new CompletableFuture<>();
    final List<ComfyEventListener> listeners = new CopyOnWriteArrayList<>();
    volatile String clientId;
    volatile boolean accepted;
    volatile ComfyEvent.ExecutionError lastError;

    Watch(String promptId, String clientId) {
      this.promptId = promptId;
      this.clientId = clientId;
    }
  }

  private final Backend backend;
  private final ScheduledExecutorService poller;
  private final Duration pollInterval;
  private final Duration safetyPollInterval;
  private final Map<String, Watch> watches = new ConcurrentHashMap<>();
  private volatile String runningPromptId;
  private volatile long lastSafetyPollNanos = System.nanoTime();

  CompletionTracker(Backend backend, ScheduledExecutorService poller, Duration pollInterval, Duration safetyPollInterval) {
    this.backend = backend;
    this.poller = poller;
    this.pollInterval = pollInterval;
    this.safetyPollInterval = safetyPollInterval;
    poller.scheduleWithFixedDelay(this::pollTick, pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
  }

  boolean isWatching() {
    return !watches.isEmpty();
  }

  /** Registers a watch before the prompt is sent, so no early event can be missed. */
  Watch watch(String promptId, String clientId) {
    Watch w = watches.computeIfAbsent(promptId, id -> new Watch(id, clientId));
    w.clientId = clientId;
    return w;
  }

  /** The server accepted the prompt (possibly under another id, for servers before 0.3.45). */
  void accepted(Watch w, String serverPromptId) {
    if (!serverPromptId.equals(w.promptId)) {
      watches.remove(w.promptId, w);
      Watch replacement = watches.computeIfAbsent(serverPromptId, id -> new Watch(id, w.clientId));
      replacement.listeners.addAll(w.listeners);
      replacement.outcome.whenComplete((o, e) -> {
        if (e != null) {
          w.outcome.completeExceptionally(e);
        } else {
          w.outcome.complete(o);
        }
      });
      replacement.accepted = true;
      return;
    }
    w.accepted = true;
  }

  void abandon(Watch w) {
    watches.remove(w.promptId, w);
  }

  /** Fails every open watch; used by close(). */
  void closeAll(RuntimeException reason) {
    watches.values().forEach(w -> w.outcome.completeExceptionally(reason));
    watches.clear();
  }

  /** Called on the event thread for every event. */
  void onEvent(ComfyEvent event) {
    Optional<String> related = event.relatedPromptId();
    if (event instanceof ComfyEvent.ExecutionStart s) {
      runningPromptId = s.promptId();
    } else if (event instanceof ComfyEvent.Executing e && e.promptId() != null && !e.isPromptDone()) {
      runningPromptId = e.promptId();
    }
    // Type-1 previews carry no prompt id; they belong to whatever runs for our clientId.
    String promptId = related.orElse(event instanceof ComfyEvent.Preview ? runningPromptId : null);
    Watch w = promptId == null ? null : watches.get(promptId);
    if (w == null) {
      return;
    }
    for (ComfyEventListener l : w.listeners) {
      try {
        l.onEvent(event);
      } catch (RuntimeException ex) {
        LOG.warn("listener of prompt {} threw; ignored", w.promptId, ex);
      }
    }
    if (event instanceof ComfyEvent.ExecutionError err && !err.isBlocked()) {
      w.lastError = err;
      confirmSoon(w, 0);
    } else if (event instanceof ComfyEvent.Executing e && e.isPromptDone()) {
      runningPromptId = null;
      confirmSoon(w, 0);
    } else if (event instanceof ComfyEvent.ExecutionSuccess || event instanceof ComfyEvent.ExecutionInterrupted) {
      // Older servers lack the final executing{node:null}; history lags, so start one step later.
      confirmSoon(w, 1);
    }
  }

  /** The link dropped: poll soon instead of waiting for the next tick. */
  void onDisconnected() {
    if (!watches.isEmpty()) {
      submit(this::pollAll);
    }
  }

  private void confirmSoon(Watch w, int attempt) {
    long delay = attempt == 0 ? 0 : CONFIRM_FIRST_DELAY_MS << (attempt - 1);
    try {
      poller.schedule(() -> confirm(w, attempt), delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // Closing.
    }
  }

  private void confirm(Watch w, int attempt) {
    if (w.outcome.isDone()) {
      return;
    }
    try {
      Optional<HistoryEntry> h = backend.history(w.promptId);
      if (h.isPresent()) {
        complete(w, outcomeOf(w, h.get()));
        return;
      }
    } catch (ComfyException e) {
      LOG.debug("history of {} not available yet: {}", w.promptId, e.getMessage());
    }
    if (attempt + 1 < CONFIRM_ATTEMPTS) {
      confirmSoon(w, attempt + 1);
    }
    // Otherwise the poll takes over.
  }

  private void pollTick() {
    if (watches.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    boolean safety = now - lastSafetyPollNanos >= safetyPollInterval.toNanos();
    String live = backend.liveClientId();
    boolean silent = now - backend.lastFrameNanos() > pollInterval.multipliedBy(3).toNanos();
    List<Watch> due = new ArrayList<>();
    for (Watch w : watches.values()) {
      // A prompt submitted under another clientId never gets events to this socket.
      boolean orphaned = live == null || !live.equals(w.clientId);
      if (w.accepted && (safety || orphaned || silent)) {
        due.add(w);
      }
    }
    if (safety) {
      lastSafetyPollNanos = now;
    }
    poll(due);
  }

  private void pollAll() {
    poll(new ArrayList<>(watches.values()));
  }

  private void poll(List<Watch> due) {
    due.removeIf(w -> !w.accepted || w.outcome.isDone());
    if (due.isEmpty()) {
      return;
    }
    try {
      QueueSnapshot queue = backend.queue();
      for (Watch w : due) {
        if (queue.contains(w.promptId)) {
          continue;
        }
        Optional<HistoryEntry> h = backend.history(w.promptId);
        if (h.isPresent()) {
          complete(w, outcomeOf(w, h.get()));
        } else if (!backend.queue().contains(w.promptId) && backend.history(w.promptId).isEmpty()) {
          // Checked twice: a prompt leaves the queue and enters history in one step on the
          // server, but a second look costs little and guards against other implementations.
          complete(w, new PromptOutcome.Vanished(w.promptId));
        }
      }
    } catch (ComfyException e) {
      LOG.debug("completion poll failed; will retry: {}", e.getMessage());
    }
  }

  private void complete(Watch w, PromptOutcome outcome) {
    watches.remove(w.promptId, w);
    w.outcome.complete(outcome);
  }

  static PromptOutcome outcomeOf(Watch w, HistoryEntry h) {
    switch (h.status()) {
      case SUCCESS:
        return new PromptOutcome.Succeeded(h.promptId(), h);
      case INTERRUPTED:
        return new PromptOutcome.Interrupted(h.promptId(), h);
      case ERROR: {
        ComfyEvent.ExecutionError err = h.error().orElse(w.lastError);
        return err != null
            ? PromptOutcome.Failed.from(h.promptId(), err, h)
            : new PromptOutcome.Failed(h.promptId(), "failed (no error details recorded)", null, null, h);
      }
      default:
        return w.lastError != null
            ? PromptOutcome.Failed.from(h.promptId(), w.lastError, h)
            : new PromptOutcome.Succeeded(h.promptId(), h);
    }
  }

  private void submit(Runnable r) {
    try {
      poller.execute(r);
    } catch (RejectedExecutionException e) {
      // Closing.
    }
  }
}
