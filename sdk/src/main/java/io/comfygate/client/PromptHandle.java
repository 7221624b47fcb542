package io.comfygate.client;

import io.comfygate.errors.ComfyException;
import io.comfygate.errors.ComfyInterruptedException;
import io.comfygate.errors.ComfyTimeoutException;
import io.comfygate.events.ComfyEventListener;
import io.comfygate.events.Subscription;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A prompt the client is watching, from {@link ComfyClient#submit} or {@link ComfyClient#track}.
 * Thread-safe. The outcome is confirmed from ComfyUI's history or queue, so it arrives even if the
 * WebSocket was down when the prompt finished. Closing the client fails {@link #completion()} with
 * an {@link IllegalStateException}.
 */
public final class PromptHandle {
  private final ComfyClient client;
  private final CompletionTracker.Watch watch;
  private final PromptAccepted accepted;

  PromptHandle(ComfyClient client, CompletionTracker.Watch watch, PromptAccepted accepted) {
    this.client = client;
    this.watch = watch;
    this.accepted = accepted;
  }

  public String promptId() {
    return accepted != null ? accepted.promptId() : watch.promptId;
  }

  /** The server's answer to the submission; null for a handle from {@code track}. */
  public PromptAccepted accepted() {
    return accepted;
  }

  /** Completes with the outcome; never completes exceptionally except when the client closes. */
  public CompletableFuture<PromptOutcome> completion() {
    return watch.outcome.copy();
  }

  /**
   * Waits for the outcome.
   *
   * @throws ComfyTimeoutException if it does not arrive within {@code timeout} (the prompt keeps running)
   * @throws ComfyInterruptedException if the thread is interrupted (flag restored)
   */
  public PromptOutcome await(Duration timeout) {
    try {
      return watch.outcome.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new ComfyTimeoutException("prompt " + promptId() + " did not finish within " + timeout, timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ComfyInterruptedException("interrupted while waiting for prompt " + promptId(), e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw c instanceof RuntimeException re ? re : new ComfyException("waiting for " + promptId() + " failed", c);
    }
  }

  /**
   * Adds a listener for this prompt's events (progress, previews, executed …), delivered on the
   * event thread. Events that arrived before the call are not replayed; pass the listener to
   * {@link ComfyClient#submit(PromptRequest, ComfyEventListener)} to see them all.
   */
  public Subscription onEvent(ComfyEventListener listener) {
    watch.listeners.add(listener);
    return () -> watch.listeners.remove(listener);
  }

  /**
   * Cancels the prompt: removes it from the pending queue and interrupts it if it runs (targeted;
   * old servers interrupt globally). The outcome then arrives as {@code Vanished} or
   * {@code Interrupted}, or as whatever happened first.
   */
  public void cancel() {
    client.deleteFromQueue(java.util.List.of(promptId()));
    client.interrupt(promptId());
  }

  @Override
  public String toString() {
    return "PromptHandle[" + promptId() + (watch.outcome.isDone() ? ", done" : "") + "]";
  }
}
