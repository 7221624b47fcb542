package io.comfygate.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Requests the fake received: a queue for {@code takeRequest} and a list for {@code requests()}. */
final class RequestLog {
  private final LinkedBlockingQueue<RecordedRequest> unread = new LinkedBlockingQueue<>();
  private final List<RecordedRequest> all = new CopyOnWriteArrayList<>();

  void add(RecordedRequest r) {
    all.add(r);
    unread.add(r);
  }

  RecordedRequest take(Duration timeout) throws InterruptedException {
    return unread.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  List<RecordedRequest> all() {
    return new ArrayList<>(all);
  }

  void clear() {
    unread.clear();
    all.clear();
  }
}
