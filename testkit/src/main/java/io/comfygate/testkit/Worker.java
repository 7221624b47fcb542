package io.comfygate.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * ComfyUI's prompt_worker: one named daemon thread that runs queued prompts one at a time. Owned by
 * {@link FakeComfyUi}; {@link #close()} is idempotent and bounded.
 */
final class Worker implements AutoCloseable {
  private final FakeServerState st;
  private final Thread thread;
  private final AtomicBoolean interrupt = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final RunCache cache = new RunCache();
  private volatile PromptRun current;

  Worker(FakeServerState st, String name) {
    this.st = st;
    this.thread = new Thread(this::loop, name);
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Global interrupt (null) or targeted: only if that prompt is running, as since 0.3.57. */
  void interrupt(String promptId) {
    PromptRun run = current;
    if (promptId == null || (run != null && promptId.equals(run.promptId()))) {
      interrupt.set(true);
    }
  }

  /** The node to announce to a reconnecting client whose prompt is running, or null. */
  String executingNodeFor(String clientId) {
    PromptRun run = current;
    return run != null && clientId.equals(run.clientId()) ? run.executingNode() : null;
  }

  void clearCache() {
    cache.clear();
  }

  private void loop() {
    try {
      while (!closed.get()) {
        QueueState.Taken taken = st.queue().takeNext(200, TimeUnit.MILLISECONDS);
        if (taken != null) {
          runOne(taken);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // close() asked us to stop; the thread ends here
    }
  }

  private void runOne(QueueState.Taken taken) throws InterruptedException {
    QueuedPrompt p = taken.prompt();
    // Each prompt clears the flag at start, so an interrupt sent while idle is lost, as in ComfyUI.
    interrupt.set(false);
    cache.beginRun();
    PromptRun run = new PromptRun(st, p, taken.generation(), interrupt, cache);
    current = run;
    try {
      run.checkpoint();
      st.broadcastStatus();
      ObjectNode entry = run.execute();
      run.checkpoint();
      if (st.queue().finish(p, entry, taken.generation())) {
        current = null;
        st.broadcastStatus();
        if (p.clientId() != null) {
          ObjectNode done = Json.object();
          done.putNull("node");
          done.put("prompt_id", p.promptId());
          st.hub().send(p.clientId(), Json.event("executing", done));
        }
      }
    } catch (PromptRun.Abandoned e) {
      // A restart wiped the queue while this prompt ran: like a killed process, say nothing.
    } finally {
      current = null;
      cache.endRun();
    }
  }

  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    thread.interrupt();
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
