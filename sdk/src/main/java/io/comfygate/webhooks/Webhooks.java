package io.comfygate.webhooks;

import io.comfygate.config.Settings;
import io.comfygate.internal.Durations;
import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.store.Page;
import io.comfygate.store.PageRequest;
import io.comfygate.store.Stores;
import io.comfygate.store.WebhookStore;
import io.comfygate.store.jdbc.Database;
import io.comfygate.store.jdbc.JobChangeHook;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Webhooks for external systems: every state change of a job that names a receiver (queued,
 * running, succeeded, failed, timeout, cancelled; not progress) is POSTed there as JSON, signed
 * with the submitting API key's secret ({@link WebhookSigner}).
 *
 * <p><b>Durable.</b> The event is written to an outbox table inside the very transaction that
 * changes the job ({@link #storeHook()}, installed by {@code JobEngine.Builder.webhooks}), so no
 * crash can keep one without the other. A deliverer sends the outbox: per job in order (the next
 * event waits until the previous one is delivered or given up), jobs in parallel on a bounded pool,
 * retried with exponential backoff and jitter until it succeeds, {@code maxAttempts} is reached or
 * {@code retryWindow} has passed since the event. Delivery is <i>at least once</i>: an attempt cut
 * off by a stop is sent again after the restart with the same {@code ComfyGate-Event-Id}.
 *
 * <p><b>Several instances, one database.</b> Each instance's deliverer claims the events it sends
 * ({@link WebhookStore#claimDue}) under its {@linkplain Builder#owner owner id}, so each event is
 * sent by one of them, and a job's events in order, whichever sends them. An instance that dies
 * leaves its claims behind; another takes them over when their lease ({@link Builder#claimLease})
 * has passed.
 *
 * <p><b>Never in the way.</b> The job's own path only writes a row; all HTTP happens on this
 * object's threads ({@code comfygate-webhook-*}), each call bounded by the timeout, so a slow or
 * dead receiver cannot slow the queue. Create one per database, give it to the engine, and close
 * it after the engine.
 *
 * <p><b>Not a way in.</b> Receivers on loopback, private, link-local and every other
 * special-purpose address (IANA's registries), and on this server's own interface addresses, are refused, both when the URL is given ({@link #urlPolicy()}) and before each attempt
 * (the host's addresses are looked up; such an event fails at once, with the reason), unless
 * {@code WEBHOOK_ALLOWED_HOSTS} names the host: a key holder cannot make the server call its own
 * network or the cloud's metadata service.
 */
public final class Webhooks implements AutoCloseable {
  private final WebhookStore store;
  private final JobPayloads payloads;
  private final Deliverer deliverer;
  private final WebhookUrlPolicy policy;
  private final Clock clock;
  private final Map<JobId, WebhookTarget> expected = new ConcurrentHashMap<>();
  /** Jobs of this instance that write events, until their last change (see {@link #committed}). */
  private final Set<JobId> written = ConcurrentHashMap.newKeySet();

  private Webhooks(Builder b) {
    this.clock = b.clock;
    this.policy = WebhookUrlPolicy.allowing(b.allowedHosts);
    this.store = b.store;
    this.payloads = new JobPayloads(b.imageUrlBase);
    Duration lease = b.claimLease != null ? b.claimLease : defaultLease(b.timeout);
    this.deliverer = new Deliverer(store, b.owner, lease, clock, new Backoff(b.initialBackoff, b.maxBackoff),
        b.maxAttempts, b.retryWindow, b.timeout, b.threads,
        new ReceiverGuard(policy.allowedHosts(), policy.addresses(), InetAddress::getAllByName, b.timeout, b.threads),
        b.idlePoll);
  }

  /**
   * Longer than an attempt can take (the receiver's address check and the request are each bounded
   * by the timeout, the answer by twice it), with room for a slow database write: a claim must not
   * run out while its attempt is still under way, or another instance would send the event too.
   */
  static Duration defaultLease(Duration timeout) {
    return timeout.multipliedBy(4).plusSeconds(30);
  }

  /**
   * Webhooks on the outbox tables of {@code db} (the caller owns and closes it), which must come from
   * {@link Stores#open} or {@link Stores#builder}: the outbox rows are written in the job changes'
   * own transactions.
   */
  public static Builder builder(Stores db) {
    return new Builder(Database.of(Objects.requireNonNull(db, "db")).webhooks());
  }

  /** Webhooks on {@code store}. */
  public static Builder builder(WebhookStore store) {
    return new Builder(store);
  }

  /**
   * The hook the job store runs inside each state change's transaction: it subscribes a job
   * announced with {@link #expect} when the job is inserted, and writes one outbox row per change of
   * a subscribed job.
   */
  public JobChangeHook storeHook() {
    return (tx, id, state, at) -> {
      // Read, not taken: the insert's work may run twice (group commit); the engine takes it after.
      WebhookTarget target = expected.get(id);
      if (target != null) {
        store.subscribe(tx, id, target);
      } else if (state == JobState.QUEUED) {
        return; // a job is queued only by its insert: announced with no target, it has none to look up
      }
      if (store.record(tx, id, state, at, payloads)) {
        written.add(id);
      }
    };
  }

  /**
   * Announces that the job about to be inserted with this id sends its events to {@code target}
   * (the engine calls this just before the insert, then {@link #subscribed} or, if the insert
   * failed, {@link #forget}).
   */
  public void expect(JobId id, WebhookTarget target) {
    expected.put(Objects.requireNonNull(id, "id"), Objects.requireNonNull(target, "target"));
  }

  /** Drops an announcement whose job was not inserted. */
  public void forget(JobId id) {
    expected.remove(id);
    written.remove(id);
  }

  /** Drops the announcement of a job that was inserted with its subscription. */
  public void subscribed(JobId id) {
    expected.remove(id);
  }

  /**
   * A change of this job has committed (the engine calls it after each state change, in order):
   * wakes the deliverer if the job writes events on this instance. Jobs without a receiver cost a
   * set look-up, not a look at the outbox (a busy loop of two reads per submit before). Waking only
   * after the commit matters: a deliverer woken before it would find nothing and sleep a second.
   * The mark stays until the job's last change, so a change whose row is written while the event
   * of the one before is still on its way still wakes the deliverer when its own event comes.
   *
   * @param last whether the job has ended (no change follows)
   */
  public void committed(JobId id, boolean last) {
    if (last ? written.remove(id) : written.contains(id)) {
      deliverer.nudge();
    }
  }

  /** The rule receiver URLs must follow (public addresses only, unless {@code WEBHOOK_ALLOWED_HOSTS} says more). */
  public WebhookUrlPolicy urlPolicy() {
    return policy;
  }

  /**
   * Where a job's events go: {@code requestedUrl} if given (checked), else the key's default URL if
   * it has one, else nowhere. Webhooks are signed with the submitting API key's secret, so a caller
   * without a key cannot ask for one.
   *
   * @param apiKeyId the key the job is submitted with, or {@code null} (signed in as a person)
   * @param requestedUrl the job's {@code webhook_url}, or {@code null}
   * @throws IllegalArgumentException if the URL is unacceptable or there is no key to sign with
   */
  public Optional<WebhookTarget> resolve(String apiKeyId, String requestedUrl) {
    if (requestedUrl != null || apiKeyId == null) {
      return resolve(apiKeyId, null, requestedUrl);
    }
    return store.defaultUrl(apiKeyId).map(u -> new WebhookTarget(u, apiKeyId));
  }

  /**
   * As {@link #resolve(String, String)}, with the key's default URL as the caller already has it
   * (from {@link io.comfygate.auth.ApiKeys#verify}): no database read.
   *
   * @param keyDefaultUrl the key's {@code webhook_url}, or {@code null} if it has none
   */
  public Optional<WebhookTarget> resolve(String apiKeyId, String keyDefaultUrl, String requestedUrl) {
    if (requestedUrl != null) {
      if (apiKeyId == null) {
        throw new IllegalArgumentException("needs an API key: webhooks are signed with the key's secret"
            + " (submit with Authorization: Bearer <key>)");
      }
      return Optional.of(new WebhookTarget(policy.check(requestedUrl), apiKeyId));
    }
    return apiKeyId == null || keyDefaultUrl == null ? Optional.empty()
        : Optional.of(new WebhookTarget(java.net.URI.create(keyDefaultUrl), apiKeyId));
  }

  /**
   * One page of events, newest first (in the order they were recorded; a redelivery keeps its
   * place), with how many match the filters across all pages.
   *
   * @param state only these, or {@code null} for all
   * @param jobId only this job's, or {@code null}
   * @param page which page; past the last one it is empty, with the total
   */
  public Page<Delivery> deliveries(DeliveryState state, String jobId, PageRequest page) {
    return store.page(state, jobId, Objects.requireNonNull(page, "page"));
  }

  /** One event and its delivery, if there is such an event. */
  public Optional<Delivery> delivery(String eventId) {
    return store.find(eventId);
  }

  /**
   * Sends a delivered or failed event again, now, with a fresh retry budget (same event id).
   *
   * @return false if it is pending already
   * @throws java.util.NoSuchElementException if there is no such event
   */
  public boolean redeliver(String eventId) {
    if (store.find(eventId).isEmpty()) {
      throw new java.util.NoSuchElementException("no webhook event " + eventId);
    }
    boolean changed = store.redeliver(eventId, clock.instant());
    if (changed) {
      deliverer.nudge();
    }
    return changed;
  }

  /** Tells {@code listener} of every delivery attempt from now on, on a sending thread; keep it quick. */
  public void addAttemptListener(java.util.function.Consumer<DeliveryAttempt> listener) {
    deliverer.addListener(listener);
  }

  public void removeAttemptListener(java.util.function.Consumer<DeliveryAttempt> listener) {
    deliverer.removeListener(listener);
  }

  /** Stops sending (attempts in flight get a bounded time); pending events wait for the next start. */
  @Override
  public void close() {
    deliverer.close();
  }

  /** Configures {@link Webhooks}; {@link #build()} starts delivering what is pending. */
  public static final class Builder {
    private final WebhookStore store;
    private String owner = UUID.randomUUID().toString();
    private Duration claimLease;
    private Clock clock = Clock.systemUTC();
    private int maxAttempts = 15;
    private Duration retryWindow = Duration.ofHours(24);
    private Duration timeout = Duration.ofSeconds(10);
    private Duration initialBackoff = Duration.ofSeconds(5);
    private Duration maxBackoff = Duration.ofHours(1);
    private int threads = 4;
    private Duration idlePoll = Deliverer.IDLE_POLL;
    private List<String> allowedHosts = List.of();
    private String imageUrlBase = "/api/";

    private Builder(WebhookStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * The id this instance's deliverer claims events under: unique among the instances sharing the
     * database, and best the same after a restart (the claims an earlier run left are then released
     * at once instead of at the end of their lease). Default: a random id.
     *
     * @throws IllegalArgumentException if blank
     */
    public Builder owner(String owner) {
      if (owner == null || owner.isBlank()) {
        throw new IllegalArgumentException("owner must not be blank: " + owner);
      }
      this.owner = owner;
      return this;
    }

    /**
     * How long a claim on an event lasts: after it another instance may send an event whose sender
     * died. Must be longer than an attempt can take (over twice the {@link #timeout}). Default: four
     * times the timeout plus 30 s.
     */
    public Builder claimLease(Duration lease) {
      this.claimLease = Durations.requirePositive(lease, "claimLease");
      return this;
    }

    /** WEBHOOK_MAX_ATTEMPTS, WEBHOOK_RETRY_HOURS, WEBHOOK_TIMEOUT_SECONDS, WEBHOOK_ALLOWED_HOSTS, WEBHOOK_THREADS, and INSTANCE_ID as the {@link #owner} when set. */
    public Builder settings(Settings s) {
      maxAttempts(s.webhookMaxAttempts());
      retryWindow(s.webhookRetryWindow());
      timeout(s.webhookTimeout());
      threads(s.webhookThreads());
      allowedHosts(s.webhookAllowedHosts());
      s.instanceId().ifPresent(this::owner); // INSTANCE_ID: the same owner after a restart
      return this;
    }

    /** Attempts per event before it is given up (1 or more). */
    public Builder maxAttempts(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1: " + n);
      }
      this.maxAttempts = n;
      return this;
    }

    /** How long after an event it is still retried. */
    public Builder retryWindow(Duration d) {
      this.retryWindow = Durations.requirePositive(d, "retryWindow");
      return this;
    }

    /** Connect timeout, and the wait for the receiver's answer, of each attempt. */
    public Builder timeout(Duration d) {
      this.timeout = Durations.requirePositive(d, "timeout");
      return this;
    }

    /** Wait after the first failure (doubling after each further one, jittered) and its cap. */
    public Builder backoff(Duration initial, Duration max) {
      this.initialBackoff = Durations.requirePositive(initial, "initial backoff");
      this.maxBackoff = Durations.requirePositive(max, "max backoff");
      if (max.compareTo(initial) < 0) {
        throw new IllegalArgumentException("max backoff must be >= initial backoff: " + max + " < " + initial);
      }
      return this;
    }

    /** Receivers called at once (different jobs), 1 or more. */
    public Builder threads(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("threads must be >= 1: " + n);
      }
      this.threads = n;
      return this;
    }

    /**
     * {@code WEBHOOK_ALLOWED_HOSTS}: hosts ({@code example.com}), suffixes ({@code .example.com}),
     * IP addresses and CIDR blocks ({@code 10.1.2.0/24}) receivers may be on even if private, and
     * {@code *} for any public host; empty = any public host.
     *
     * @throws IllegalArgumentException if an entry looks like an address but is not one
     */
    public Builder allowedHosts(List<String> hosts) {
      WebhookUrlPolicy.allowing(hosts); // fails now, not at build()
      this.allowedHosts = List.copyOf(hosts);
      return this;
    }

    /** Prefix of image URLs in payloads, as in the API's job view (e.g. {@code /comfygate/api/}). */
    public Builder imageUrlBase(String base) {
      this.imageUrlBase = Objects.requireNonNull(base, "imageUrlBase");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How often the outbox is looked at when nothing wakes the deliverer (default 1 s). Tests set it
     * long, to see that each committed event wakes the deliverer by itself.
     */
    Builder idlePoll(Duration every) {
      this.idlePoll = Durations.requirePositive(every, "idlePoll");
      return this;
    }

    /** Starts the deliverer; events left pending by a previous run are sent first. */
    public Webhooks build() {
      if (claimLease != null && claimLease.compareTo(timeout.multipliedBy(2)) <= 0) {
        throw new IllegalStateException("claimLease must be longer than an attempt, over twice the timeout ("
            + timeout + "): " + claimLease);
      }
      Webhooks webhooks = new Webhooks(this);
      webhooks.deliverer.start();
      return webhooks;
    }
  }
}
