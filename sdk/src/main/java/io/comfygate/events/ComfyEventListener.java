package io.comfygate.events;

/**
 * Receives {@link ComfyEvent}s. Calls come one at a time, in arrival order, on the client's event
 * thread ({@code comfygate-events-N}), never on the WebSocket thread. A listener should return
 * quickly; an exception it throws is logged and does not stop delivery.
 */
@FunctionalInterface
public interface ComfyEventListener {
  void onEvent(ComfyEvent event);
}
