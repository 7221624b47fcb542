package io.comfygate.web.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The real send threads: lanes, names, and that nothing is left after close. */
class SendPoolTest {
  private final SendPool pool = new SendPool(1, Duration.ofSeconds(5));

  @AfterEach
  void close() {
    pool.close();
  }

  @Test
  void urgentTasksOvertakeBackgroundOnesQueuedBeforeThem() throws Exception {
    CountDownLatch hold = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch allDone = new CountDownLatch(4);
    List<String> order = new CopyOnWriteArrayList<>();
    pool.execute(() -> {
      started.countDown();
      await(hold);
    });
    assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
    for (String name : List.of("b1", "b2")) {
      pool.executeInBackground(() -> {
        order.add(name);
        allDone.countDown();
      });
    }
    for (String name : List.of("u1", "u2")) {
      pool.execute(() -> {
        order.add(name + " on " + Thread.currentThread().getName());
        allDone.countDown();
      });
    }
    hold.countDown();

    assertThat(allDone.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(order).containsExactly("u1 on comfygate-live-send-1", "u2 on comfygate-live-send-1", "b1", "b2");
  }

  @Test
  void closeDropsDelayedTasksRejectsNewOnesAndLeavesNoThread() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    pool.execute(ran::countDown);
    assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
    CountDownLatch late = new CountDownLatch(1);
    pool.schedule(late::countDown, TimeUnit.MILLISECONDS.toNanos(100));

    pool.close();

    assertThatThrownBy(() -> pool.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith(SendPool.THREAD_PREFIX)) {
        t.join(5_000);
      }
    }
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().startsWith(SendPool.THREAD_PREFIX) && t.isAlive());
    assertThat(late.getCount()).as("the delayed task, which no thread is left to run").isOne();
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
