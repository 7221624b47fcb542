package io.comfygate.remote.live;

/**
 * A running live subscription: it reconnects by itself until closed. {@link #close()} is idempotent,
 * returns within a few seconds and ends the subscription's thread; closing the client closes it too.
 */
public interface LiveSubscription extends AutoCloseable {
  /** Whether the socket is open now. */
  boolean isConnected();

  @Override
  void close();
}
