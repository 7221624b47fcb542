package io.comfygate.engine;

/**
 * Receives the {@link DispatchTiming} of every job ComfyUI accepted. Called like a
 * {@link JobListener}: on the engine's event thread, in order; it must return quickly.
 */
@FunctionalInterface
public interface DispatchListener {
  void onDispatched(DispatchTiming timing);
}
