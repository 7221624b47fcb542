package io.comfygate.events;

/** Removes a listener. {@link #close()} is idempotent and never throws. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
  @Override
  void close();
}
