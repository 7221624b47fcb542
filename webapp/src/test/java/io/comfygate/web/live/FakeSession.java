package io.comfygate.web.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A session for the hub and its outboxes: records what is sent and on which thread; completes
 * each send at once, or only when the test says ({@link #completeAll()}, {@link #failNext()}).
 */
final class FakeSession implements SessionOutbox.Transport {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final boolean immediate;
  private final List<String> sent = new ArrayList<>();
  private final List<String> threads = new ArrayList<>();
  private final List<Consumer<Throwable>> inFlight = new ArrayList<>();
  volatile Integer closedWith;

  FakeSession(boolean immediate) {
    this.immediate = immediate;
  }

  @Override
  public void send(String text, Consumer<Throwable> done) {
    synchronized (this) {
      if (!inFlight.isEmpty()) {
        throw new IllegalStateException("a send is already in flight"); // as Tomcat's async remote
      }
      sent.add(text);
      threads.add(Thread.currentThread().getName());
      notifyAll();
      if (!immediate) {
        inFlight.add(done);
        return;
      }
    }
    done.accept(null);
  }

  @Override
  public void close(int code, String reason) {
    closedWith = code;
  }

  /** Completes the send in flight, if any; true if there was one. */
  boolean completeOne() {
    Consumer<Throwable> next;
    synchronized (this) {
      if (inFlight.isEmpty()) {
        return false;
      }
      next = inFlight.remove(0);
    }
    next.accept(null);
    return true;
  }

  /** Fails the send in flight, as a broken connection would. */
  void failNext() {
    Consumer<Throwable> next;
    synchronized (this) {
      next = inFlight.remove(0);
    }
    next.accept(new java.io.IOException("broken pipe"));
  }

  synchronized int sentCount() {
    return sent.size();
  }

  synchronized List<String> texts() {
    return List.copyOf(sent);
  }

  synchronized List<String> threads() {
    return List.copyOf(threads);
  }

  /** Waits (bounded) until {@code count} messages were sent. */
  synchronized boolean awaitSent(int count, long millis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    while (sent.size() < count) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        return false;
      }
      wait(left);
    }
    return true;
  }

  synchronized List<String> types() throws Exception {
    List<String> types = new ArrayList<>();
    for (String s : sent) {
      types.add(JSON.readTree(s).get("type").asText());
    }
    return types;
  }

  /** "type" or, for job messages, "job:event". */
  synchronized List<String> kinds() throws Exception {
    List<String> kinds = new ArrayList<>();
    for (String s : sent) {
      JsonNode m = JSON.readTree(s);
      kinds.add(m.get("type").asText() + (m.has("event") ? ":" + m.get("event").asText() : ""));
    }
    return kinds;
  }

  synchronized JsonNode json(int i) throws Exception {
    return JSON.readTree(sent.get(i));
  }
}
