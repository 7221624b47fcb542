package io.comfygate.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Everything one fake owns, wired once: HTTP handlers, WebSocket endpoints and the worker reach
 * the fake's state only through this object, so two fakes in one JVM never share anything.
 */
final class FakeServerState {
  private final FakeConfig config;
  private final Faults faults = new Faults();
  private final SocketHub hub = new SocketHub(faults);
  private final QueueState queue = new QueueState();
  private final FileStore files = new FileStore();
  private final NodeCatalog catalog = new NodeCatalog(files::inputFiles);
  private final PromptValidator validator = new PromptValidator(catalog, files::inputExists);
  private final NodeSimulator simulator = new NodeSimulator(files);
  private final RequestLog requests = new RequestLog();
  private final Worker worker;

  FakeServerState(FakeConfig config, String name) {
    this.config = config;
    this.worker = new Worker(this, name);
  }

  FakeConfig config() {
    return config;
  }

  Faults faults() {
    return faults;
  }

  SocketHub hub() {
    return hub;
  }

  QueueState queue() {
    return queue;
  }

  FileStore files() {
    return files;
  }

  NodeCatalog catalog() {
    return catalog;
  }

  PromptValidator validator() {
    return validator;
  }

  NodeSimulator simulator() {
    return simulator;
  }

  RequestLog requests() {
    return requests;
  }

  Worker worker() {
    return worker;
  }

  /** {@code {"exec_info": {"queue_remaining": N}}}. */
  ObjectNode statusNode() {
    ObjectNode status = Json.object();
    status.putObject("exec_info").put("queue_remaining", queue.remaining());
    return status;
  }

  /**
   * Queues a prompt and announces it. Serialised with {@link #broadcastStatus()} so that the
   * worker's dequeue status never overtakes this one, as on the real server's single event loop.
   */
  synchronized void enqueue(QueuedPrompt p) {
    queue.put(p);
    broadcastStatus();
  }

  /** The {@code status} event ComfyUI sends to every socket on each queue change. */
  synchronized void broadcastStatus() {
    ObjectNode data = Json.object();
    data.set("status", statusNode());
    hub.send(null, Json.event("status", data));
  }
}
