package io.comfygate.engine;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The ComfyGate instances that share this engine's database, and which of them dispatches: the
 * holder of the dispatcher lease drives every ComfyUI backend; the others accept submits, cancels
 * and reads, and follow its work through the database. On SQLite there is one instance, this
 * one, always the dispatcher. See {@link JobEngine#cluster()}.
 *
 * @param self this instance's id (INSTANCE_ID)
 * @param shared whether the database is shared by several instances (PostgreSQL)
 * @param dispatcher the id of the instance holding a live dispatcher lease; empty while none does
 *     (between a holder's death and the next acquisition)
 * @param leaseExpiresAt when the lease runs out unless renewed (the database's clock); for SQLite {@code null}
 * @param instances every instance the database knows, most recent heartbeat first
 */
public record ClusterStatus(String self, boolean shared, Optional<String> dispatcher, Instant leaseExpiresAt,
    List<Instance> instances) {

  public ClusterStatus {
    instances = List.copyOf(instances);
  }

  /** What an instance does now. */
  public enum Role {
    /** Holds the dispatcher lease: sends jobs to ComfyUI and follows them. */
    DISPATCHER,
    /** Accepts submits, cancels and reads; follows the dispatcher's work through the database. */
    FOLLOWER
  }

  /**
   * One instance.
   *
   * @param version the ComfyGate version it runs
   * @param lastHeartbeat its latest heartbeat (the database's clock); one older than a few
   *     heartbeat intervals means it is gone without a clean stop
   * @param stoppedAt when it stopped cleanly, or {@code null} while it runs
   */
  public record Instance(String id, String host, String version, Role role, Instant startedAt, Instant lastHeartbeat,
      Instant stoppedAt) {
    public boolean stopped() {
      return stoppedAt != null;
    }
  }

  /** This instance's entry. */
  public Optional<Instance> selfInstance() {
    return instances.stream().filter(i -> i.id().equals(self)).findFirst();
  }
}
