package io.comfygate.engine;

import io.comfygate.client.ComfyClient;
import io.comfygate.health.HealthCheck;
import io.comfygate.llm.LlmClient;
import io.comfygate.queue.QuotaPolicy;
import io.comfygate.store.ImageStore;
import io.comfygate.store.JobStore;
import io.comfygate.store.jdbc.Database;
import io.comfygate.templates.TemplateRegistry;
import io.comfygate.uploads.UploadLimits;
import io.comfygate.uploads.Uploads;
import io.comfygate.webhooks.Webhooks;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.slf4j.event.Level;

/**
 * An engine's configuration as {@link JobEngine.Builder#build()} took it: an immutable copy of the
 * builder, read once. Building again from the same builder (or changing it afterwards) never
 * affects an engine already built. Parts the builder left open ({@code null}) are filled in by
 * {@link EngineParts#open}, without writing back.
 */
record EngineConfig(
    Clock clock,
    List<URI> servers,
    Path outputDir,
    String location,
    DbPassword dbPassword,
    JobStore jobStore,
    ImageStore imageStore,
    TemplateRegistry templates,
    QuotaPolicy quota,
    Duration jobTimeout,
    Duration httpConnectTimeout,
    Duration httpReadTimeout,
    Duration wsConnectTimeout,
    Duration wsIdleTimeout,
    Duration probeInterval,
    int progressLogStep,
    Duration progressLogMinInterval,
    Level progressLogLevel,
    UnaryOperator<ComfyClient.Builder> clientCustomizer,
    long diskMinFreeMb,
    Duration trashRetention,
    Duration trashSweepInterval,
    Uploads uploads,
    UploadLimits uploadLimits,
    Duration idempotencyRetention,
    LlmClient llm,
    List<HealthCheck> extraChecks,
    Database database,
    Webhooks webhooks,
    String instanceId,
    Duration clusterHeartbeat,
    Duration clusterLease) {

  EngineConfig {
    servers = List.copyOf(servers);
    extraChecks = List.copyOf(extraChecks);
    if (clusterLease.compareTo(clusterHeartbeat.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException("the cluster lease (" + clusterLease + ") must be at least twice the heartbeat ("
          + clusterHeartbeat + "), or a holder would lose it between two renewals");
    }
    if (webhooks != null && jobStore != null) {
      throw new IllegalStateException("webhooks need the engine's own JDBC store: use database(...), not stores(...)");
    }
  }

  static EngineConfig of(JobEngine.Builder b) {
    return new EngineConfig(b.clock, b.servers, b.outputDir, b.location, b.dbPassword, b.jobStore, b.imageStore, b.templates,
        b.quota, b.jobTimeout, b.httpConnectTimeout, b.httpReadTimeout, b.wsConnectTimeout, b.wsIdleTimeout,
        b.probeInterval, b.progressLogStep, b.progressLogMinInterval, b.progressLogLevel, b.clientCustomizer,
        b.diskMinFreeMb, b.trashRetention, b.trashSweepInterval, b.uploads, b.uploadLimits,
        b.idempotencyRetention, b.llm, b.extraChecks, b.database, b.webhooks, b.instanceId, b.clusterHeartbeat,
        b.clusterLease);
  }
}
