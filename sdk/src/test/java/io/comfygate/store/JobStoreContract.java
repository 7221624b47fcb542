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
  void unknownJobIsNotFound() {
    assertThat(jobStore().find(job("alice", at(0)).id())).isEmpty();
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

  @Test
  void activeCountsSplitQueuedAndRunningPerUser() {
    insertRunning("alice", at(1));
    insertQueued("alice", at(2));
    insertQueued("alice", at(3));
    insertRunning("bob", at(4));
    StoredJob done = insertRunning("carol", at(5));
    jobStore().completeJob(done.id(), at(6), List.of());

    assertThat(jobStore().activeCounts("alice")).isEqualTo(new ActiveCounts(2, 1));
    assertThat(jobStore().activeCounts("carol")).isEqualTo(ActiveCounts.NONE);
    assertThat(jobStore().activeCountsByUser()).isEqualTo(Map.of(
        "alice", new ActiveCounts(2, 1),
        "bob", new ActiveCounts(0, 1)));
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
