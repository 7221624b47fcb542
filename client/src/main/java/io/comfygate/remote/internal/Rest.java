package io.comfygate.remote.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.comfygate.remote.RetryPolicy;
import io.comfygate.remote.errors.ComfyGateException;
import io.comfygate.remote.errors.ComfyGateTimeoutException;
import io.comfygate.remote.errors.QuotaExceededException;
import io.comfygate.remote.errors.UnavailableException;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.ClientBuilder;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.client.WebTarget;
import jakarta.ws.rs.core.GenericType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ContextResolver;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.glassfish.jersey.jackson.JacksonFeature;

/**
 * The REST side of the client: one JAX-RS {@link Client} (Jersey, JSON through Jackson) with
 * connect and read timeouts, the caller's credentials on every request, retries for calls that are
 * safe to repeat, and every unsuccessful answer turned into its exception. Thread-safe.
 */
public final class Rest implements AutoCloseable {
  private final Client client;
  private final WebTarget api;
  private final String authorization;
  private final ObjectMapper json;

  /**
   * @param base ComfyGate's address, ending with {@code /} (e.g. {@code http://host:8080/comfygate/})
   * @param authorization the Authorization header's value
   */
  public Rest(URI base, String authorization, Duration connectTimeout, Duration readTimeout, ObjectMapper json) {
    this.json = json;
    this.authorization = authorization;
    this.client = ClientBuilder.newBuilder()
        .connectTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .readTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .register(JacksonFeature.withoutExceptionMappers())
        .register(new MapperResolver(json))
        .build();
    this.api = client.target(base);
  }

  /** The mapper both ways (requests and answers). */
  public ObjectMapper json() {
    return json;
  }

  /** A call of {@code method} on {@code path} (relative to the base, e.g. {@code api/v1/jobs/{id}}). */
  public Call call(String method, String path) {
    return new Call(method, path);
  }

  @Override
  public void close() {
    client.close();
  }

  /** One request, built fluently; {@link #as} or {@link #response} sends it. Not thread-safe; use once. */
  public final class Call {
    private final String method;
    private final String path;
    private final List<Map.Entry<String, Object>> query = new ArrayList<>();
    private final List<Map.Entry<String, String>> templates = new ArrayList<>();
    private final List<Map.Entry<String, String>> headers = new ArrayList<>();
    private Entity<?> entity;
    private String accept = "application/json";
    private RetryPolicy retry = RetryPolicy.none();
    private String what;
    private int alsoSuccessful;

    private Call(String method, String path) {
      this.method = method;
      this.path = path;
      this.what = method + " " + path;
    }

    /** Fills {@code {name}} in the path (encoded, slashes included). */
    public Call param(String name, String value) {
      if (value == null || value.isEmpty()) {
        throw new IllegalArgumentException(name + " must not be empty");
      }
      templates.add(Map.entry(name, value));
      return this;
    }

    /** A query parameter; null values are left out. */
    public Call query(String name, Object value) {
      if (value != null) {
        query.add(Map.entry(name, value));
      }
      return this;
    }

    public Call header(String name, String value) {
      headers.add(Map.entry(name, value));
      return this;
    }

    public Call json(Object body) {
      entity = Entity.json(body);
      return this;
    }

    public Call entity(Entity<?> body) {
      entity = body;
      return this;
    }

    public Call accept(String type) {
      accept = type;
      return this;
    }

    /** Tries again as {@code policy} says (only for calls that are safe to repeat). */
    public Call retry(RetryPolicy policy) {
      retry = policy;
      return this;
    }

    /** A status that is an answer here, not a failure (503 of /healthz: the verdict is in the body). */
    public Call alsoSuccessful(int status) {
      alsoSuccessful = status;
      return this;
    }

    /** What the call is, for messages (e.g. {@code submit job}). */
    public Call describedAs(String description) {
      what = description;
      return this;
    }

    public <T> T as(Class<T> type) {
      try (Response response = response()) {
        return response.readEntity(type);
      } catch (ProcessingException e) {
        throw unreadable(e);
      }
    }

    public <T> T as(GenericType<T> type) {
      try (Response response = response()) {
        return response.readEntity(type);
      } catch (ProcessingException e) {
        throw unreadable(e);
      }
    }

    private ComfyGateException unreadable(ProcessingException e) {
      if (e.getCause() instanceof SocketTimeoutException) {
        return new ComfyGateTimeoutException(what + ": the answer did not come in time", e);
      }
      return new UnavailableException(0, null, what + ": the answer could not be read (" + e.getMessage() + ")", e);
    }

    /** A successful (2xx) answer, which the caller closes; anything else is thrown as its exception. */
    public Response response() {
      long deadline = System.nanoTime() + retry.budget().toNanos();
      for (int attempt = 1; ; attempt++) {
        Response response;
        try {
          response = entity == null ? invocation().method(method) : invocation().method(method, entity);
        } catch (ProcessingException e) {
          ComfyGateException failure = e.getCause() instanceof SocketTimeoutException
              || e.getCause() instanceof InterruptedIOException
              ? new ComfyGateTimeoutException(what + ": no answer in time (" + e.getCause().getMessage() + ")", e)
              : new UnavailableException(0, null, what + ": cannot reach ComfyGate at " + api.getUri() + " ("
                  + (e.getCause() == null ? e.getMessage() : e.getCause()) + ")", e);
          pause(attempt, null, deadline, failure);
          continue;
        }
        if (response.getStatusInfo().getFamily() == Response.Status.Family.SUCCESSFUL
            || response.getStatus() == alsoSuccessful) {
          return response;
        }
        int status = response.getStatus();
        ComfyGateException failure = Failures.of(what, response, json);
        if (status == 503 || status == 429 || status == 502 || status == 504
            || failure instanceof UnavailableException) {
          Duration after = failure instanceof QuotaExceededException quota ? quota.retryAfter()
              : Failures.retryAfter(response, null);
          if (status == 429 && (after == null || after.compareTo(retry.maxRetryAfter()) > 0)) {
            throw failure; // the policy would not wait that long: the caller decides
          }
          pause(attempt, after, deadline, failure);
          continue;
        }
        throw failure;
      }
    }

    /** Waits before the next attempt, or throws {@code failure} when the policy allows none. */
    private void pause(int attempt, Duration retryAfter, long deadline, ComfyGateException failure) {
      if (attempt >= retry.maxAttempts()) {
        throw failure;
      }
      Duration wait = retryAfter != null ? retryAfter : retry.backoff(attempt, ThreadLocalRandom.current().nextDouble());
      if (System.nanoTime() + wait.toNanos() > deadline) {
        throw failure;
      }
      try {
        Thread.sleep(Math.max(1, wait.toMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ComfyGateTimeoutException(what + ": interrupted while waiting to retry", e);
      }
    }

    private Invocation.Builder invocation() {
      WebTarget target = api.path(path);
      for (Map.Entry<String, String> t : templates) {
        target = target.resolveTemplate(t.getKey(), t.getValue(), true);
      }
      for (Map.Entry<String, Object> q : query) {
        target = target.queryParam(q.getKey(), q.getValue());
      }
      Invocation.Builder builder = target.request(accept).header("Authorization", authorization);
      for (Map.Entry<String, String> h : headers) {
        builder = builder.header(h.getKey(), h.getValue());
      }
      return builder;
    }
  }

  /**
   * Jackson for JAX-RS with our mapper. A class, not a record: Jersey hashes its providers, and on Java 17 a
   * record's hashCode goes through {@code ObjectMethods}, whose static method handle caches the last type it
   * was adapted to (here ObjectMapper) for good, keeping the class loader of an application that embeds the
   * client alive after it closed the client (RemoteClientLeakIT).
   */
  private static final class MapperResolver implements ContextResolver<ObjectMapper> {
    private final ObjectMapper mapper;

    MapperResolver(ObjectMapper mapper) {
      this.mapper = mapper;
    }

    @Override
    public ObjectMapper getContext(Class<?> type) {
      return mapper;
    }
  }
}
