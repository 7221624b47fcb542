package io.comfygate.web.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.comfygate.engine.ClusterStatus;
import java.util.List;
import java.util.Locale;

/**
 * The instances sharing this one's database, as the admin status shows them: which one dispatches
 * (drives every ComfyUI backend) and when each last gave a sign of life. With SQLite there is one
 * instance, this one, always the dispatcher.
 *
 * @param self this instance's id
 * @param shared whether several instances may share the database (PostgreSQL)
 * @param dispatcher the instance holding the dispatcher lease; absent between a holder's death and
 *     the next take-over
 * @param leaseExpiresAt when that lease runs out unless renewed (the database's clock); absent on SQLite
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusterView(String self, boolean shared, String dispatcher, String leaseExpiresAt, List<Instance> instances) {

  /**
   * One instance.
   *
   * @param role {@code dispatcher} or {@code follower}
   * @param stoppedAt when it stopped cleanly; absent while it runs (or since it died without stopping:
   *     then its heartbeat grows old)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Instance(String id, String host, String version, String role, boolean self, String startedAt,
      String lastHeartbeat, String stoppedAt) {}

  public static ClusterView of(ClusterStatus status) {
    List<Instance> instances = status.instances().stream()
        .map(i -> new Instance(i.id(), i.host(), i.version(), i.role().name().toLowerCase(Locale.ROOT),
            i.id().equals(status.self()), Times.iso(i.startedAt()), Times.iso(i.lastHeartbeat()), Times.iso(i.stoppedAt())))
        .toList();
    return new ClusterView(status.self(), status.shared(), status.dispatcher().orElse(null),
        Times.iso(status.leaseExpiresAt()), instances);
  }
}
