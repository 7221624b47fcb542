package io.comfygate.web.metrics;

import io.comfygate.engine.ClusterStatus;
import io.comfygate.engine.JobEngine;
import io.comfygate.events.Subscription;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Info;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The application's metrics in Prometheus form: its own registry (never Micrometer's global one,
 * so a redeployed WAR leaves nothing behind), the job counters and histograms fed by the engine's
 * events, queue and health gauges, JVM and process basics, {@code comfygate_build_info} with the
 * version and this instance's id ({@code instance_id}: INSTANCE_ID), and {@code comfygate_dispatcher},
 * 1 while this instance holds the dispatcher lease (drives the ComfyUI backends), else 0. With several
 * instances on one database, exactly one reports 1, and a sum over the instances of 0 for longer
 * than the lease means none dispatches. Built by the application at start-up, closed at shutdown.
 * Thread-safe.
 */
public final class ComfyMetrics implements AutoCloseable {
  /** Per-user queue series kept at most (the users with the most waiting jobs). */
  public static final int DEFAULT_MAX_USER_SERIES = 100;

  private static final String OPENMETRICS = "application/openmetrics-text";
  private static final String TEXT_004 = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry;
  private final JobMetrics jobs;
  private final QueueGauges queue;
  private final WebhookDeliveryMeter webhooks;
  private final List<Subscription> subscriptions;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ComfyMetrics(JobEngine engine, String version, int maxUserSeries) {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    String instance = engine.cluster().self();
    Info.builder().name("comfygate_build").help("The running ComfyGate version and instance id (always 1)")
        .labelNames("version", "instance_id").register(registry.getPrometheusRegistry()).setLabelValues(version, instance);
    Gauge.builder("comfygate_dispatcher", engine, e -> isDispatcher(e.cluster()) ? 1 : 0)
        .description("1 while this instance holds the dispatcher lease (sends jobs to ComfyUI), else 0")
        .tag("instance_id", instance).register(registry);
    jobs = new JobMetrics(registry);
    queue = new QueueGauges(engine, registry, maxUserSeries);
    webhooks = new WebhookDeliveryMeter(registry);
    subscriptions = List.of(engine.addListener(jobs::onEvent), engine.addDispatchListener(jobs::onDispatched));
  }

  /**
   * Starts counting the engine's jobs from now on.
   *
   * @param version shown as the {@code version} label of {@code comfygate_build_info}
   */
  public static ComfyMetrics start(JobEngine engine, String version) {
    return start(engine, version, DEFAULT_MAX_USER_SERIES);
  }

  /** As {@link #start(JobEngine, String)}, keeping at most {@code maxUserSeries} per-user queue series. */
  public static ComfyMetrics start(JobEngine engine, String version, int maxUserSeries) {
    return new ComfyMetrics(engine, version, maxUserSeries);
  }

  private static boolean isDispatcher(ClusterStatus cluster) {
    return cluster.dispatcher().filter(cluster.self()::equals).isPresent();
  }

  /** The hook for the webhook sender: it reports each delivery attempt here. */
  public WebhookDeliveryMeter webhookDeliveries() {
    return webhooks;
  }

  /** Counts a refused submit. */
  void refused(JobMetrics.Refusal reason) {
    jobs.refused(reason);
  }

  /** The content type a scrape with this {@code Accept} header gets: OpenMetrics if asked for, else text 0.0.4. */
  static String contentType(String accept) {
    return accept != null && accept.contains(OPENMETRICS) ? "application/openmetrics-text; version=1.0.0; charset=utf-8" : TEXT_004;
  }

  /** Writes every metric, fresh, in the format {@link #contentType(String)} names. */
  void scrape(OutputStream out, String contentType) throws IOException {
    queue.refresh();
    registry.scrape(out, contentType);
  }

  /** Everything as Prometheus text (0.0.4), for tests and benchmarks. */
  public String scrape() {
    queue.refresh();
    return registry.scrape(TEXT_004);
  }

  /** Stops listening to the engine and closes the registry. Idempotent. */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    subscriptions.forEach(Subscription::close);
    registry.close();
  }
}
