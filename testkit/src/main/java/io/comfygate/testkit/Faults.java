package io.comfygate.testkit;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** The fault knobs of one fake. Thread-safe: tests flip them while Tomcat and the worker read them. */
final class Faults {
  private volatile Duration httpDelay = Duration.ZERO;
  private volatile int httpFailure;
  private volatile boolean muted;
  private volatile Duration nodeDelay = Duration.ZERO;
  private final Map<String, String> failAtNode = new ConcurrentHashMap<>();

  private final ReentrantLock hangLock = new ReentrantLock();
  private final Condition unhung = hangLock.newCondition();
  private boolean hung; // guarded by hangLock

  Duration httpDelay() {
    return httpDelay;
  }

  void httpDelay(Duration d) {
    httpDelay = d;
  }

  int httpFailure() {
    return httpFailure;
  }

  void httpFailure(int status) {
    httpFailure = status;
  }

  boolean muted() {
    return muted;
  }

  void muted(boolean m) {
    muted = m;
  }

  Duration nodeDelay() {
    return nodeDelay;
  }

  void nodeDelay(Duration d) {
    nodeDelay = d;
  }

  void failAtNode(String nodeId, String message) {
    failAtNode.put(nodeId, message);
  }

  /** The message to fail this node with, or null. */
  String failureFor(String nodeId) {
    return failAtNode.get(nodeId);
  }

  void hang(boolean h) {
    hangLock.lock();
    try {
      hung = h;
      unhung.signalAll();
    } finally {
      hangLock.unlock();
    }
  }

  /**
   * Waits up to {@code millis} while the fake is told to hang; returns whether it still hangs. The
   * worker loops on this so it can also notice a restart or its own shutdown.
   */
  boolean waitWhileHung(long millis) throws InterruptedException {
    hangLock.lock();
    try {
      if (hung) {
        unhung.await(millis, TimeUnit.MILLISECONDS);
      }
      return hung;
    } finally {
      hangLock.unlock();
    }
  }

  void clear() {
    httpDelay = Duration.ZERO;
    httpFailure = 0;
    muted = false;
    nodeDelay = Duration.ZERO;
    failAtNode.clear();
    hang(false);
  }
}
