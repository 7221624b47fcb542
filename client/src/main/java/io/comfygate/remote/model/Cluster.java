package io.comfygate.remote.model;

import java.time.Instant;
import java.util.List;

/**
 * The ComfyGate instances sharing one database, as the admin status shows them.
 *
 * @param self the id of the instance that answered
 * @param shared whether the database can be shared by several instances (PostgreSQL)
 * @param dispatcher the instance that sends jobs to ComfyUI now; null between a holder's death and
 *     the next take-over
 * @param leaseExpiresAt when its lease runs out unless renewed; null on SQLite
 */
public record Cluster(String self, boolean shared, String dispatcher, Instant leaseExpiresAt, List<Instance> instances) {
  public Cluster {
    instances = instances == null ? List.of() : List.copyOf(instances);
  }

  /**
   * One instance.
   *
   * @param role {@code dispatcher} or {@code follower}
   * @param self whether it is the instance that answered
   * @param stoppedAt when it stopped cleanly; null while it runs (or since it died: its heartbeat ages)
   */
  public record Instance(String id, String host, String version, String role, boolean self, Instant startedAt,
      Instant lastHeartbeat, Instant stoppedAt) {}
}
