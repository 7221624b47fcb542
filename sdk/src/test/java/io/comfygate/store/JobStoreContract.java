package io.comfygate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.errors.StoreException;
import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link JobStore} must have. A store implementation's test extends this class
 * and supplies fresh stores; see {@link StoreContractSupport}.
 */
public abstract class JobStoreContract extends StoreContractSupport {

  @Test
  void insertedJobIsFoundWithEveryField() {
    StoredJob job = job("alice", at(0));

    jobStore().insert(job);

    assertThat(jobStore().find(job.id())).contains(job);
    assertThat(job.promptId()).isEqualTo(job.id().promptId());
  }

  @Test
  void cancelWaitingEndsOnlyAJobThatNoBackendHasAndOnlyOnce() {
    StoredJob waiting = insertQueued("alice", at(0));
    StoredJob handed = insertQueued("alice", at(1));
    assertThat(jobStore().assignBackend(handed.id(), null, "comfy:8188")).isTrue();

    assertThat(jobStore().cancelWaiting(handed.id(), at(2))).as("a job being handed over").isFalse();
    assertThat(jobStore().cancelWaiting(waiting.id(), at(2))).isTrue();
    assertThat(jobStore().cancelWaiting(waiting.id(), at(3))).as("once").isFalse();
    StoredJob cancelled = jobStore().find(waiting.id()).orElseThrow();
    assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
    assertThat(cancelled.finishedAt()).isEqualTo(at(2));
    assertThat(cancelled.error()).isEqualTo("cancelled");
    assertThat(jobStore().find(handed.id()).orElseThrow().state()).isEqualTo(JobState.QUEUED);
  }

  @Test
  void unknownJobIsNotFound() {
    assertThat(jobStore().find(job("alice", at(0)).id())).isEmpty();
  }

  @Test
  void findAllReadsTheJobsThatExistAlsoMoreThanOneStatementHolds() {
    List<StoredJob> stored = new java.util.ArrayList<>();
    for (int i = 0; i < 450; i++) { // more ids than one statement binds
      stored.add(insertQueued("user" + (i % 7), at(i)));
    }
    List<JobId> asked = new java.util.ArrayList<>(stored.stream().map(StoredJob::id).toList());
    JobId missing = job("alice", at(999)).id();
    asked.add(missing);
    asked.add(stored.get(3).id()); // twice

    Map<JobId, StoredJob> found = jobStore().findAll(asked);

    assertThat(found).hasSize(stored.size()).doesNotContainKey(missing);
    assertThat(found.values()).containsExactlyInAnyOrderElementsOf(stored);
    assertThat(jobStore().findAll(List.of())).isEmpty();
  }

  @Test
  void insertingAnExistingIdFailsAndKeepsTheFirst() {
    StoredJob first = insertQueued("alice", at(0));
    StoredJob clash = StoredJob.queued(first.id(), "mallory", "other", "{}", at(5));

    assertThatThrownBy(() -> jobStore().insert(clash))
        .isInstanceOf(StoreException.class)
        .hasMessageStartingWith("job.insert");
    assertThat(jobStore().find(first.id())).contains(first);
  }

  @Test
  void listByUserIsNewestFirstPagedWithTheUsersTotal() {
    StoredJob j1 = insertQueued("alice", at(1));
    StoredJob j2 = insertQueued("alice", at(2));
    StoredJob j3 = insertQueued("alice", at(3));
    insertQueued("bob", at(4));

    Page<StoredJob> first = jobStore().listByUser("alice", new PageRequest(1, 2));
    Page<StoredJob> second = jobStore().listByUser("alice", new PageRequest(2, 2));
    Page<StoredJob> past = jobStore().listByUser("alice", new PageRequest(3, 2));

    assertThat(first.items()).containsExactly(j3, j2);
    assertThat(second.items()).containsExactly(j1);
    assertThat(past.items()).isEmpty();
    assertThat(first.total()).isEqualTo(3);
    assertThat(past.total()).isEqualTo(3);
    assertThat(first.totalPages()).isEqualTo(2);
  }

  @Test
  void listActiveHasQueuedAndRunningOldestFirst() {
    StoredJob running = insertRunning("bob", at(1));
    StoredJob queued = insertQueued("alice", at(2));
    StoredJob cancelled = insertQueued("alice", at(3));
    jobStore().transition(cancelled.id(), JobState.QUEUED, JobState.CANCELLED, JobUpdate.none());
    StoredJob later = insertQueued("carol", at(4));

    assertThat(jobStore().listActive())
        .extracting(StoredJob::id)
        .containsExactly(running.id(), queued.id(), later.id());
  }

  private static WaitingLimit limit(int maxWaiting, int maxConcurrent, boolean slotFree) {
    return new WaitingLimit(maxWaiting, maxConcurrent, slotFree, id -> false);
  }

  private AdmitResult admit(StoredJob job, WaitingLimit limit) {
    return jobStore().admit(new Admission(job, null, null, limit));
  }

  @Test
  void admissionOverTheWaitingLimitIsRefusedAndStoresNothing() {
    WaitingLimit twoWaiting = limit(2, 1, false);
    assertThat(admit(job("alice", at(1)), twoWaiting)).isEqualTo(AdmitResult.ADMITTED);
    assertThat(admit(job("alice", at(2)), twoWaiting)).isEqualTo(AdmitResult.ADMITTED);

    StoredJob third = job("alice", at(3));
    assertThat(admit(third, twoWaiting)).isEqualTo(new AdmitResult.OverLimit(2));
    assertThat(jobStore().find(third.id())).isEmpty();
    assertThat(admit(job("bob", at(4)), twoWaiting)).as("another user's places").isEqualTo(AdmitResult.ADMITTED);
  }

  @Test
  void onlyJobsNotHandedToABackendTakeAWaitingPlace() {
    WaitingLimit oneWaiting = limit(1, 1, false);
    StoredJob first = job("alice", at(1));
    admit(first, oneWaiting);
    assertThat(admit(job("alice", at(2)), oneWaiting)).isEqualTo(new AdmitResult.OverLimit(1));

    assertThat(jobStore().admit(new Admission(job("alice", at(3)), null, null,
        new WaitingLimit(1, 1, false, first.id()::equals))))
        .as("a job its engine is handing over does not wait").isEqualTo(AdmitResult.ADMITTED);

    StoredJob handed = insertQueued("bob", at(4));
    jobStore().assignBackend(handed.id(), null, "gpu-1:8188");
    insertRunning("bob", at(5));
    StoredJob ended = insertQueued("bob", at(6));
    jobStore().transition(ended.id(), JobState.QUEUED, JobState.CANCELLED, JobUpdate.none().withFinishedAt(at(7)));
    assertThat(admit(job("bob", at(8)), oneWaiting)).as("handed over, running and ended jobs do not wait")
        .isEqualTo(AdmitResult.ADMITTED);
  }

  @Test
  void withNoWaitingPlacesAJobIsAdmittedOnlyIfItCanStartAtOnce() {
    StoredJob first = job("alice", at(1));
    assertThat(admit(first, limit(0, 1, true))).isEqualTo(AdmitResult.ADMITTED);
    assertThat(admit(job("bob", at(2)), limit(0, 1, false))).as("no free slot").isEqualTo(new AdmitResult.OverLimit(0));

    jobStore().assignBackend(first.id(), null, "gpu-1:8188");
    jobStore().transition(first.id(), JobState.QUEUED, JobState.RUNNING, JobUpdate.none().withStartedAt(at(3)));
    assertThat(admit(job("alice", at(4)), limit(0, 1, true))).as("at the concurrency limit")
        .isEqualTo(new AdmitResult.OverLimit(0));
    assertThat(admit(job("alice", at(5)), limit(0, 2, true))).as("under a higher concurrency limit")
        .isEqualTo(AdmitResult.ADMITTED);
  }

  @Test
  void theWaitingLimitCountsRightAfterAnyHistoryOfChanges() {
    // The store may keep each user's count instead of counting rows: after hand-overs, their undoing,
    // starts, cancels and ends in any order, a user with n waiting jobs is refused at a limit of n
    // and admitted at n + 1.
    java.util.Random random = new java.util.Random(14);
    List<String> users = List.of("alice", "bob", "carol");
    List<StoredJob> jobs = new java.util.ArrayList<>();
    for (int step = 0; step < 120; step++) {
      StoredJob pick = jobs.isEmpty() ? null : jobs.get(random.nextInt(jobs.size()));
      StoredJob now = pick == null ? null : jobStore().find(pick.id()).orElseThrow();
      switch (random.nextInt(6)) {
        case 0, 1 -> jobs.add(admitted(job(users.get(random.nextInt(users.size())), at(step))));
        case 2 -> {
          if (now != null && now.state() == JobState.QUEUED) {
            jobStore().assignBackend(now.id(), now.backend(), now.backend() == null ? "gpu-1" : null);
          }
        }
        case 3 -> {
          if (now != null && now.state() == JobState.QUEUED) {
            jobStore().transition(now.id(), JobState.QUEUED, JobState.RUNNING,
                JobUpdate.none().withBackend("gpu-1").withStartedAt(at(step)));
          }
        }
        case 4 -> {
          if (now != null) {
            jobStore().cancelWaiting(now.id(), at(step));
          }
        }
        default -> {
          if (now != null && now.state() == JobState.RUNNING) {
            jobStore().transition(now.id(), JobState.RUNNING, JobState.SUCCEEDED, JobUpdate.none().withFinishedAt(at(step)));
          }
        }
      }
    }
    for (String user : users) {
      int waiting = (int) jobStore().listActive().stream()
          .filter(j -> j.userId().equals(user) && j.state() == JobState.QUEUED && j.backend() == null).count();
      assertThat(stores().db().<Integer>read("test", c -> {
        try (var select = c.prepareStatement("SELECT waiting FROM user_waiting WHERE user_id = ?")) {
          select.setString(1, user);
          try (var row = select.executeQuery()) {
            return row.next() ? row.getInt(1) : 0;
          }
        }
      })).as("the count the database keeps for " + user).isEqualTo(waiting);
      assertThat(admit(job(user, at(1000)), limit(waiting, 1, false))).as(user + " with " + waiting + " waiting")
          .isEqualTo(new AdmitResult.OverLimit(waiting));
      assertThat(admit(job(user, at(1001)), limit(waiting + 1, 1, false))).as(user + " with " + waiting + " waiting")
          .isEqualTo(AdmitResult.ADMITTED);
    }
  }

  private StoredJob admitted(StoredJob job) {
    assertThat(admit(job, limit(1000, 1, false))).isEqualTo(AdmitResult.ADMITTED);
    return job;
  }

  @Test
  void concurrentAdmissionsNeverPassTheLimitAndEachFailureStaysItsOwn() throws Exception {
    WaitingLimit fiveWaiting = limit(5, 1, false);
    StoredJob taken = insertQueued("bob", at(0));
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      List<java.util.concurrent.Future<Object>> results = new java.util.ArrayList<>();
      for (int i = 0; i < 40; i++) {
        int n = i;
        results.add(pool.submit(() -> {
          go.await();
          if (n % 10 == 0) { // a duplicate id among the others: fails alone
            try {
              jobStore().insert(StoredJob.queued(taken.id(), "bob", "txt2img", "{}", at(n)));
              return "stored a duplicate";
            } catch (StoreException e) {
              return "duplicate refused";
            }
          }
          return admit(job("alice", at(n)), fiveWaiting);
        }));
      }
      go.countDown();
      Map<Object, Long> outcomes = new java.util.HashMap<>();
      for (var r : results) {
        outcomes.merge(r.get(30, java.util.concurrent.TimeUnit.SECONDS), 1L, Long::sum);
      }
      assertThat(outcomes).isEqualTo(Map.of(AdmitResult.ADMITTED, 5L, new AdmitResult.OverLimit(5), 31L,
          "duplicate refused", 4L));
      assertThat(jobStore().listActive().stream().filter(j -> j.userId().equals("alice"))).hasSize(5);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void admissionsFromTwoDatabasesOnTheSameDataHoldEachUsersLimit() throws Exception {
    WaitingLimit threeWaiting = limit(3, 1, false);
    int users = 4;
    int perUser = 16;
    try (io.comfygate.store.jdbc.Database second = stores().open()) {
      List<JobStore> racers = List.of(jobStore(), new io.comfygate.store.jdbc.JdbcJobStore(second));
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(16);
      try {
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<AdmitResult>> results = new java.util.ArrayList<>();
        for (int i = 0; i < users * perUser; i++) {
          int n = i;
          results.add(pool.submit(() -> {
            go.await();
            StoredJob job = job("user-" + n % users, at(n));
            return racers.get(n % 2).admit(new Admission(job, null, null, threeWaiting));
          }));
        }
        go.countDown();
        long admitted = 0;
        for (var r : results) {
          admitted += r.get(60, java.util.concurrent.TimeUnit.SECONDS) == AdmitResult.ADMITTED ? 1 : 0;
        }
        assertThat(admitted).isEqualTo(3L * users);
        for (int u = 0; u < users; u++) {
          String user = "user-" + u;
          assertThat(jobStore().listActive().stream().filter(j -> j.userId().equals(user))).as(user).hasSize(3);
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void transitionSetsStateAndGivenFieldsAndKeepsTheOthers() {
    StoredJob job = insertQueued("alice", at(0));

    assertThat(jobStore().transition(job.id(), JobState.QUEUED, JobState.RUNNING,
        JobUpdate.none().withBackend("gpu-2").withStartedAt(at(3)))).isTrue();
    assertThat(jobStore().transition(job.id(), JobState.RUNNING, JobState.FAILED,
        JobUpdate.none().withFinishedAt(at(9)).withError("ComfyUI down"))).isTrue();

    StoredJob stored = jobStore().find(job.id()).orElseThrow();
    assertThat(stored.state()).isEqualTo(JobState.FAILED);
    assertThat(stored.backend()).isEqualTo("gpu-2");
    assertThat(stored.startedAt()).isEqualTo(at(3));
    assertThat(stored.finishedAt()).isEqualTo(at(9));
    assertThat(stored.error()).isEqualTo("ComfyUI down");
  }

  @Test
  void assignBackendIsACompareAndSetOnQueuedJobs() {
    StoredJob job = insertQueued("alice", at(0));

    assertThat(jobStore().assignBackend(job.id(), "gpu-1", "gpu-2")).as("wrong expectation").isFalse();
    assertThat(jobStore().assignBackend(job.id(), null, "gpu-1")).isTrue();
    assertThat(jobStore().assignBackend(job.id(), null, "gpu-2")).as("already dispatched").isFalse();
    StoredJob dispatched = jobStore().find(job.id()).orElseThrow();
    assertThat(dispatched.backend()).isEqualTo("gpu-1");
    assertThat(dispatched.state()).isEqualTo(JobState.QUEUED);

    assertThat(jobStore().assignBackend(job.id(), "gpu-1", null)).as("back to waiting").isTrue();
    assertThat(jobStore().find(job.id()).orElseThrow().backend()).isNull();

    jobStore().transition(job.id(), JobState.QUEUED, JobState.CANCELLED, JobUpdate.none());
    assertThat(jobStore().assignBackend(job.id(), null, "gpu-1")).as("not queued any more").isFalse();
  }

  @Test
  void transitionFromAStateTheJobIsNotInChangesNothing() {
    StoredJob job = insertQueued("alice", at(0));
    jobStore().transition(job.id(), JobState.QUEUED, JobState.CANCELLED, JobUpdate.none());

    boolean started = jobStore().transition(job.id(), JobState.QUEUED, JobState.RUNNING,
        JobUpdate.none().withBackend("gpu-1").withStartedAt(at(1)));

    assertThat(started).isFalse();
    StoredJob stored = jobStore().find(job.id()).orElseThrow();
    assertThat(stored.state()).isEqualTo(JobState.CANCELLED);
    assertThat(stored.backend()).isNull();
    assertThat(stored.startedAt()).isNull();
  }

  @Test
  void transitionOfAnUnknownJobIsFalse() {
    JobId unknown = job("alice", at(0)).id();

    assertThat(jobStore().transition(unknown, JobState.QUEUED, JobState.RUNNING,
        JobUpdate.none())).isFalse();
  }

  @Test
  void transitionOutOfATerminalStateIsRejected() {
    StoredJob job = insertQueued("alice", at(0));

    assertThatThrownBy(() -> jobStore().transition(job.id(), JobState.CANCELLED, JobState.QUEUED,
        JobUpdate.none())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> jobStore().transition(job.id(), JobState.QUEUED, JobState.QUEUED,
        JobUpdate.none())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void completeJobSucceedsAndRecordsImagesAsTheJobUsers() {
    StoredJob job = insertRunning("alice", at(0));

    boolean completed = jobStore().completeJob(job.id(), at(20), List.of(
        new NewImage("alice/a.png", 512, 768, 1000),
        new NewImage("alice/b.png", 1024, 1024, 2000)));

    assertThat(completed).isTrue();
    StoredJob stored = jobStore().find(job.id()).orElseThrow();
    assertThat(stored.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(stored.finishedAt()).isEqualTo(at(20));
    List<StoredImage> images = imageStore().listByJob(job.id());
    assertThat(images).extracting(StoredImage::file).containsExactly("alice/a.png", "alice/b.png");
    StoredImage first = images.get(0);
    assertThat(first.userId()).isEqualTo("alice");
    assertThat(first.jobId()).isEqualTo(job.id());
    assertThat(first.template()).isEqualTo(job.template());
    assertThat(first.paramsJson()).isEqualTo(job.paramsJson());
    assertThat(first.width()).isEqualTo(512);
    assertThat(first.height()).isEqualTo(768);
    assertThat(first.sizeBytes()).isEqualTo(1000);
    assertThat(first.createdAt()).isEqualTo(at(20));
    assertThat(first.isDeleted()).isFalse();
  }

  @Test
  void completeJobOfAJobNoLongerRunningRecordsNothing() {
    StoredJob job = insertRunning("alice", at(0));
    jobStore().transition(job.id(), JobState.RUNNING, JobState.CANCELLED,
        JobUpdate.none().withFinishedAt(at(5)));

    boolean completed = jobStore().completeJob(job.id(), at(20),
        List.of(new NewImage("alice/late.png", 512, 512, 10)));

    assertThat(completed).isFalse();
    assertThat(jobStore().find(job.id()).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    assertThat(imageStore().listByJob(job.id())).isEmpty();
    assertThat(imageStore().gallery("alice", Include.ALL, new PageRequest(1, 10)).total())
        .isZero();
  }

  @Test
  void recentRunTimesAreTheTemplatesLatestSucceededRunsNewestFirst() {
    // insertRunning starts each job one second after it was created.
    StoredJob slow = insertRunning("alice", at(0));
    jobStore().completeJob(slow.id(), at(31), List.of());
    StoredJob fast = insertRunning("bob", at(100));
    jobStore().completeJob(fast.id(), at(111), List.of());
    StoredJob newest = insertRunning("bob", at(200));
    jobStore().completeJob(newest.id(), at(221), List.of());
    StoredJob failed = insertRunning("carol", at(300));
    jobStore().transition(failed.id(), JobState.RUNNING, JobState.FAILED,
        JobUpdate.none().withFinishedAt(at(302)));

    assertThat(jobStore().recentRunTimes("txt2img", 2))
        .containsExactly(Duration.ofSeconds(20), Duration.ofSeconds(10));
    assertThat(jobStore().recentRunTimes("txt2img", 10)).hasSize(3);
    assertThat(jobStore().recentRunTimes("img2img", 10)).isEmpty();
  }
}
