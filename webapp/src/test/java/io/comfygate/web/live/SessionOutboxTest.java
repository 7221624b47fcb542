package io.comfygate.web.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** One session's outbox, its sends run by a scheduler the test drives. */
class SessionOutboxTest {
  private final ManualScheduler sender = new ManualScheduler(new AtomicLong());
  private final List<Runnable> closes = new ArrayList<>();

  private SessionOutbox outbox(FakeSession session, int limit) {
    return new SessionOutbox(session, limit, closes::add, sender);
  }

  @Test
  void offeringOnlyEnqueuesAndTheSenderWritesInOrder() throws Exception {
    FakeSession session = new FakeSession(true);
    SessionOutbox box = outbox(session, 10);
    box.offer(msg("a"));
    box.start(msg("snapshot"));
    box.offer(msg("b"));

    assertThat(session.sentCount()).as("nothing written by the thread that offers").isZero();
    sender.runAll();
    assertThat(session.types()).containsExactly("snapshot", "a", "b");
  }

  @Test
  void nothingIsSentBeforeTheSnapshot() {
    FakeSession session = new FakeSession(true);
    SessionOutbox box = outbox(session, 10);
    box.offer(msg("a"));
    box.offerLatest("k", msg("b"));

    sender.runAll();
    assertThat(session.sentCount()).isZero();
    assertThat(sender.executedCount()).isZero();
  }

  @Test
  void aNewerKeyedMessageReplacesAWaitingOneButMustArriveMessagesAllPass() throws Exception {
    FakeSession session = new FakeSession(false);
    SessionOutbox box = outbox(session, 10);
    box.start(msg("snapshot"));
    sender.runAll(); // the snapshot is now in flight
    box.offerLatest("progress:1", msg("p10"));
    box.offer(msg("s1"));
    box.offerLatest("progress:1", msg("p20"));
    box.offer(msg("s2"));
    box.offerLatest("progress:1", msg("p30"));

    drain(session);
    assertThat(session.types()).containsExactly("snapshot", "s1", "s2", "p30");
  }

  @Test
  void aStateChangeDropsTheWaitingQueuePositionItSupersedes() throws Exception {
    FakeSession session = new FakeSession(false);
    SessionOutbox box = outbox(session, 10);
    box.start(msg("snapshot"));
    sender.runAll();
    box.offerInBackground("queue:1", msg("q1"));
    box.offerInBackground("queue:2", msg("q2"));
    box.offer(msg("start1"), "queue:1");
    box.offerInBackground("queue:2", msg("q2b"));

    drain(session);
    assertThat(session.types()).containsExactly("snapshot", "start1", "q2b");
  }

  @Test
  void backgroundMessagesWaitForEveryOtherMessageOfAllSessions() throws Exception {
    FakeSession a = new FakeSession(true);
    FakeSession b = new FakeSession(true);
    SessionOutbox boxA = outbox(a, 10);
    SessionOutbox boxB = outbox(b, 10);
    boxA.start(msg("snapshot"));
    boxB.start(msg("snapshot"));
    sender.runAll();
    boxA.offerInBackground("queue:1", msg("q1"));
    boxA.offerLatest("progress:2", msg("p2"));
    boxB.offerInBackground("queue:3", msg("q3"));
    boxB.offer(msg("s4"));

    sender.runOne();
    assertThat(a.types()).as("an urgent turn sends no background message").containsExactly("snapshot", "p2");
    sender.runOne();
    assertThat(b.types()).containsExactly("snapshot", "s4");
    assertThat(sender.readyCount()).as("two background turns left").isEqualTo(2);
    sender.runAll();
    assertThat(a.types()).containsExactly("snapshot", "p2", "q1");
    assertThat(b.types()).containsExactly("snapshot", "s4", "q3");
  }

  @Test
  void aCompletionLaterOnAnotherThreadHandsTheNextSendBackToTheSender() throws Exception {
    FakeSession session = new FakeSession(false);
    SessionOutbox box = outbox(session, 10);
    box.start(msg("snapshot"));
    box.offer(msg("a"));
    sender.runAll();
    assertThat(session.sentCount()).isOne();

    Thread container = new Thread(session::completeOne, "container-callback");
    container.start();
    container.join(5_000);
    assertThat(session.sentCount()).as("the callback's thread does not write").isOne();
    sender.runAll();
    assertThat(session.types()).containsExactly("snapshot", "a");
    assertThat(session.threads()).doesNotContain("container-callback");
  }

  @Test
  void aBusySessionYieldsToOthersAfterItsTurn() {
    FakeSession busy = new FakeSession(true);
    FakeSession other = new FakeSession(true);
    SessionOutbox a = outbox(busy, 100);
    SessionOutbox b = outbox(other, 100);
    a.start(msg("snapshot"));
    for (int i = 0; i < 2 * SessionOutbox.TURN; i++) {
      a.offer(msg("m"));
    }
    b.start(msg("snapshot"));

    sender.runOne(); // a's first turn
    assertThat(busy.sentCount()).isEqualTo(SessionOutbox.TURN);
    sender.runOne(); // b's, queued behind a's first turn but ahead of its second
    assertThat(other.sentCount()).isOne();
    sender.runAll();
    assertThat(busy.sentCount()).isEqualTo(2 * SessionOutbox.TURN + 1);
  }

  @Test
  void tooManyWaitingMustArriveMessagesCloseTheSessionWith1013() {
    FakeSession stuck = new FakeSession(false);
    SessionOutbox box = outbox(stuck, 2);
    box.start(msg("snapshot"));
    sender.runAll(); // in flight, never completes
    box.offerLatest("progress:1", msg("p")); // keyed: not counted
    box.offer(msg("a"));
    box.offer(msg("b"));
    assertThat(closes).isEmpty();
    box.offer(msg("c"));

    assertThat(box.isClosed()).isTrue();
    assertThat(box.pendingCount()).isZero();
    closes.forEach(Runnable::run);
    assertThat(stuck.closedWith).isEqualTo(SessionOutbox.TRY_AGAIN_LATER);
  }

  @Test
  void aFailedSendStopsTheOutbox() {
    FakeSession session = new FakeSession(false);
    SessionOutbox box = outbox(session, 10);
    box.start(msg("snapshot"));
    box.offer(msg("a"));
    sender.runAll();
    session.failNext();
    box.offer(msg("b"));
    sender.runAll();

    assertThat(box.isClosed()).isTrue();
    assertThat(session.sentCount()).isOne();
  }

  @Test
  void aSenderThatRejectsWorkDiscardsTheOutbox() {
    sender.close();
    FakeSession session = new FakeSession(true);
    SessionOutbox box = outbox(session, 10);
    box.start(msg("snapshot"));

    assertThat(box.isClosed()).isTrue();
    assertThat(session.sentCount()).isZero();
  }

  private static String msg(String type) {
    return "{\"type\":\"" + type + "\"}";
  }

  /** Completes sends one by one, letting the sender write the next each time. */
  private void drain(FakeSession session) {
    do {
      sender.runAll();
    } while (session.completeOne());
    sender.runAll();
  }
}
