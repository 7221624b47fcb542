package io.comfygate.engine;

/**
 * Receives job events. Called on the engine's event thread, one event at a time, in order; a
 * listener must return quickly and must not block (hand slow work to its own executor). An
 * exception thrown by a listener is logged and otherwise ignored.
 */
@FunctionalInterface
public interface JobListener {
  void onEvent(JobEvent event);
}
