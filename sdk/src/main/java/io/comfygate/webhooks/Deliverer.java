package io.comfygate.webhooks;

import io.comfygate.internal.concurrent.NamedThreads;
import io.comfygate.internal.http.BoundedHttp;
import io.comfygate.internal.http.OwnedHttpClient;
import io.comfygate.store.ClaimedEvent;
import io.comfygate.store.WebhookStore;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the outbox's events. One scheduler thread claims, under this deliverer's owner id, the
 * oldest pending event of each job once it is due ({@link WebhookStore#claimDue}: never a job
 * with an event claimed by this or another instance) and hands it to a bounded pool of senders;
 * so a job's events arrive in order while different jobs go in parallel, also when several
 * instances send from one database. Every outcome is written back, ending the claim, before the
 * next event of the job can be claimed, and only while the claim is still this deliverer's (an
 * outcome that comes after another instance took the claim over is dropped: that one sends
 * again). A restart resumes exactly where this one stopped (an attempt cut off by the stop is
 * released and sent again, with the same event id: at-least-once). Before each attempt the
 * receiver's addresses are checked ({@link ReceiverGuard}); a receiver inside the server's network
 * is not called.
 */
final class Deliverer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Deliverer.class);
  /** How long the scheduler sleeps when nothing wakes it: it looks at the outbox this often anyway. */
  static final Duration IDLE_POLL = Duration.ofSeconds(1);

  private final Duration idlePoll;
  private static final int MAX_ERROR = 500;

  private final WebhookStore store;
  private final String owner;
  private final Duration lease;
  private final Clock clock;
  private final Backoff backoff;
  private final int maxAttempts;
  private final Duration retryWindow;
  private final Duration timeout;
  private final int threads;
  private final ExecutorService scheduler;
  private final ThreadPoolExecutor senders;
  private final OwnedHttpClient http;
  private final ReceiverGuard guard;
  private final Object monitor = new Object();
  private final Set<Long> inFlight = new HashSet<>(); // seq of the events being sent, guarded by monitor
  private boolean nudged; // guarded by monitor
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<java.util.function.Consumer<DeliveryAttempt>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * @param owner the id claims are made under: unique among the instances on the database
   * @param lease how long a claim lasts; longer than an attempt can take
   * @param idlePoll how often the outbox is looked at when nothing wakes the deliverer
   */
  Deliverer(WebhookStore store, String owner, Duration lease, Clock clock, Backoff backoff, int maxAttempts,
      Duration retryWindow, Duration timeout, int threads, ReceiverGuard guard, Duration idlePoll) {
    this.idlePoll = idlePoll;
    this.store = store;
    this.owner = owner;
    this.lease = lease;
    this.clock = clock;
    this.backoff = backoff;
    this.maxAttempts = maxAttempts;
    this.retryWindow = retryWindow;
    this.timeout = timeout;
    this.threads = threads;
    this.guard = guard;
    this.scheduler = Executors.newSingleThreadExecutor(NamedThreads.factory("webhook-scheduler"));
    this.senders = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        NamedThreads.factory("webhook"));
    senders.allowCoreThreadTimeOut(true);
    this.http = OwnedHttpClient.http11("webhook-http", timeout);
  }

  void start() {
    scheduler.execute(this::run);
  }

  /** Look at the outbox now (something was written). Cheap; safe from any thread. */
  void nudge() {
    synchronized (monitor) {
      nudged = true;
      monitor.notifyAll();
    }
  }

  private void run() {
    try {
      int released = store.releaseAll(owner); // an earlier run under this id may have left some
      if (released > 0) {
        LOG.atInfo().setMessage("webhook_claims_released").addKeyValue("event", "webhook_claims_released")
            .addKeyValue("owner", owner).addKeyValue("claims", released).log();
      }
    } catch (RuntimeException e) {
      LOG.warn("webhook deliverer {}: could not release the claims of an earlier run; they end with their lease",
          owner, e);
    }
    while (!closed.get()) {
      try {
        Duration wait = dispatchDue();
        synchronized (monitor) {
          if (!nudged && !closed.get()) {
            monitor.wait(Math.max(1, wait.toMillis()));
          }
          nudged = false;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        LOG.warn("webhook scheduler round failed; retrying in {}", idlePoll, e);
        sleepQuietly();
      }
    }
  }

  /** Claims due head events for the free senders; returns how long to wait before looking again. */
  private Duration dispatchDue() {
    int free;
    synchronized (monitor) {
      free = threads - inFlight.size();
    }
    if (free > 0) {
      List<ClaimedEvent> claimed = store.claimDue(owner, clock.instant(), lease, free);
      for (int i = 0; i < claimed.size(); i++) {
        ClaimedEvent event = claimed.get(i);
        synchronized (monitor) {
          if (!inFlight.add(event.seq())) {
            continue; // still being sent past its lease (the claim is now renewed); its end records it
          }
        }
        try {
          senders.execute(() -> attempt(event));
        } catch (java.util.concurrent.RejectedExecutionException e) {
          synchronized (monitor) {
            inFlight.remove(event.seq());
          }
          claimed.subList(i, claimed.size()).forEach(this::releaseQuietly); // closing: for the next one to send
          return idlePoll;
        }
      }
    }
    Optional<Instant> next = store.nextDue(clock.instant());
    if (next.isEmpty()) {
      return idlePoll;
    }
    Duration until = Duration.between(clock.instant(), next.get());
    // Due already: everything due went to a sender, or waits for its job's attempt in flight (whose end nudges).
    return until.compareTo(idlePoll) > 0 || until.isNegative() ? idlePoll : until;
  }

  private void attempt(ClaimedEvent event) {
    try {
      long started = System.nanoTime();
      Outcome outcome = send(event);
      if (outcome == null) {
        releaseQuietly(event); // interrupted by close: left pending, sent again by whoever claims it next
        return;
      }
      DeliveryState state = record(event, outcome);
      if (state != null) {
        tell(new DeliveryAttempt(event.eventId(), event.jobId(), state, event.attempts() + 1,
            Duration.ofNanos(System.nanoTime() - started)));
      }
    } catch (RuntimeException e) {
      LOG.warn("webhook {} of job {}: recording the attempt failed; it will be sent again", event.eventId(),
          event.jobId(), e);
    } finally {
      synchronized (monitor) {
        inFlight.remove(event.seq());
        nudged = true;
        monitor.notifyAll();
      }
    }
  }

  /** @param permanent retrying cannot help (the key was revoked, the receiver is not allowed): give up now */
  private record Outcome(Integer status, String error, boolean permanent) {
    Outcome(Integer status, String error) {
      this(status, error, false);
    }

    boolean ok() {
      return status != null && status >= 200 && status < 300;
    }
  }

  private void releaseQuietly(ClaimedEvent event) {
    try {
      store.release(event.seq(), owner);
    } catch (RuntimeException e) {
      LOG.warn("webhook {} of job {}: could not release its claim; it is sent again when the claim's lease ends",
          event.eventId(), event.jobId(), e);
    }
  }

  private Outcome send(ClaimedEvent event) {
    Optional<String> secret = store.signingSecret(event.keyId());
    if (secret.isEmpty()) {
      return new Outcome(null, "the API key " + event.keyId() + " was revoked or has no secret; not sent", true);
    }
    ReceiverGuard.Refusal refusal;
    try {
      refusal = guard.check(event.url());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
    if (refusal != null) {
      return new Outcome(null, refusal.reason(), refusal.permanent());
    }
    long now = clock.instant().getEpochSecond();
    HttpRequest request = HttpRequest.newBuilder(event.url())
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .header("User-Agent", "ComfyGate-Webhooks/1")
        .header(WebhookSigner.EVENT_ID_HEADER, event.eventId())
        .header(WebhookSigner.EVENT_TYPE_HEADER, event.type())
        .header(WebhookSigner.SIGNATURE_HEADER, WebhookSigner.sign(secret.get(), now, event.payload()))
        .POST(HttpRequest.BodyPublishers.ofString(event.payload(), StandardCharsets.UTF_8))
        .build();
    try {
      // The request timeout bounds the wait for headers; the body is discarded as it arrives.
      HttpClient client = http.client().orElse(null);
      if (client == null) {
        return null; // closed: left pending, sent again after the restart
      }
      HttpResponse<Void> response = client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
          .get(timeout.multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS);
      return new Outcome(response.statusCode(), response.statusCode() / 100 == 2 ? null
          : "the receiver answered HTTP " + response.statusCode());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (java.util.concurrent.TimeoutException e) {
      return new Outcome(null, "the receiver gave no answer within " + timeout.multipliedBy(2).toSeconds() + " s");
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      return new Outcome(null, "the receiver " + BoundedHttp.phrase(cause, timeout, timeout));
    }
  }

  void addListener(java.util.function.Consumer<DeliveryAttempt> listener) {
    listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
  }

  void removeListener(java.util.function.Consumer<DeliveryAttempt> listener) {
    listeners.remove(listener);
  }

  private void tell(DeliveryAttempt attempt) {
    for (java.util.function.Consumer<DeliveryAttempt> l : listeners) {
      try {
        l.accept(attempt);
      } catch (RuntimeException e) {
        LOG.warn("a webhook attempt listener threw; ignored", e);
      }
    }
  }

  /**
   * Records the attempt's outcome while the claim is still ours; returns the event's state after
   * it, or null if another instance took the claim over (it sends the event again).
   */
  private DeliveryState record(ClaimedEvent event, Outcome outcome) {
    Instant now = clock.instant();
    int attempts = event.attempts() + 1;
    String error = outcome.error() == null || outcome.error().length() <= MAX_ERROR ? outcome.error()
        : outcome.error().substring(0, MAX_ERROR);
    if (outcome.ok()) {
      if (!store.attempted(event.seq(), owner, DeliveryState.DELIVERED, attempts, outcome.status(), null, now, null)) {
        return claimLost(event);
      }
      LOG.atDebug().setMessage("webhook_delivered").addKeyValue("event", "webhook_delivered")
          .addKeyValue("event_id", event.eventId()).addKeyValue("job_id", event.jobId())
          .addKeyValue("attempts", attempts).log();
      return DeliveryState.DELIVERED;
    }
    Instant next = now.plus(backoff.delay(attempts, ThreadLocalRandom.current().nextDouble()));
    boolean giveUp = outcome.permanent() || attempts >= maxAttempts || next.isAfter(event.retryFrom().plus(retryWindow));
    if (!store.attempted(event.seq(), owner, giveUp ? DeliveryState.FAILED : DeliveryState.PENDING, attempts,
        outcome.status(), error, now, next)) {
      return claimLost(event);
    }
    LOG.atWarn().setMessage(giveUp ? "webhook_failed" : "webhook_retry")
        .addKeyValue("event", giveUp ? "webhook_failed" : "webhook_retry")
        .addKeyValue("event_id", event.eventId()).addKeyValue("job_id", event.jobId())
        .addKeyValue("url_host", event.url().getHost()).addKeyValue("attempts", attempts)
        .addKeyValue("reason", error).addKeyValue("next_attempt_at", giveUp ? null : next.toString()).log();
    return giveUp ? DeliveryState.FAILED : DeliveryState.PENDING;
  }

  private DeliveryState claimLost(ClaimedEvent event) {
    LOG.atWarn().setMessage("webhook_claim_lost").addKeyValue("event", "webhook_claim_lost")
        .addKeyValue("event_id", event.eventId()).addKeyValue("job_id", event.jobId()).addKeyValue("owner", owner)
        .addKeyValue("lease", lease.toString()).log();
    return null;
  }

  private void sleepQuietly() {
    try {
      Thread.sleep(idlePoll.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops looking at the outbox, then gives attempts in flight a bounded time to finish. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    nudge();
    NamedThreads.shutdown(scheduler, Duration.ofSeconds(2), "webhook scheduler");
    NamedThreads.shutdown(senders, timeout.multipliedBy(2).plusSeconds(1), "webhook senders");
    http.close(Duration.ofSeconds(2));
    guard.close();
  }
}
