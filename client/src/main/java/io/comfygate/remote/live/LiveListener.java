package io.comfygate.remote.live;

/**
 * Receives live events of one subscription, one at a time and in order, on that subscription's own
 * thread ({@code comfygate-live-N}). Return quickly: the next event waits. An exception thrown here
 * is logged nowhere and does not stop the subscription.
 */
@FunctionalInterface
public interface LiveListener {
  void onEvent(LiveEvent event);
}
