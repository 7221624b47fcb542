package io.comfygate.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.remote.ComfyGateClient;
import io.comfygate.remote.JobRequest;
import io.comfygate.remote.live.LiveEvent;
import io.comfygate.remote.live.LiveSubscription;
import io.comfygate.remote.model.Job;
import io.comfygate.remote.model.JobState;
import java.io.File;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The client embedded as a web application would embed it: loaded by its own class loader, it opens
 * live sessions against the deployed WAR, follows a job to its end, and is closed. Nothing of it may
 * stay behind: no thread (Tyrus's and Grizzly's, the subscriptions'), nothing that keeps its class
 * loader from being collected.
 */
class RemoteClientLeakIT extends DeployedWar {
  @RegisterExtension
  static final ItComfy comfy = new ItComfy(b -> b.steps(3).stepDelay(Duration.ofMillis(200)).samplerPreviews(true));

  /** What the embedding application does, loaded by the test's own loader. */
  public static final class App implements Function<String, String> {
    @Override
    public String apply(String base) {
      try (ComfyGateClient gate = ComfyGateClient.builder().baseUrl(base).basicAuth("alice", "alice-pw").build()) {
        for (int i = 0; i < 3; i++) {
          try (LiveSubscription live = following(gate)) {
            if (!live.isConnected()) {
              throw new IllegalStateException("not connected after the snapshot");
            }
          }
        }
        following(gate); // left open: closing the client ends it
        Job job = gate.submit(JobRequest.prompt("embedded")).job(); // progress and previews over the socket
        if (gate.await(job.id(), Duration.ofSeconds(60)).state() != JobState.SUCCEEDED) {
          throw new IllegalStateException("the job did not succeed");
        }
        long webSocketThreads = Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().toLowerCase().contains("grizzly") || t.getName().toLowerCase().contains("tyrus"))
            .count();
        return gate.templates().get(0).name() + " with " + webSocketThreads + " WebSocket threads, loaded by "
            + ComfyGateClient.class.getClassLoader().getClass().getSimpleName();
      }
    }

    private static LiveSubscription following(ComfyGateClient gate) {
      CountDownLatch snapshot = new CountDownLatch(1);
      LiveSubscription live = gate.live(e -> {
        if (e instanceof LiveEvent.Snapshot) {
          snapshot.countDown();
        }
      });
      try {
        if (!snapshot.await(20, TimeUnit.SECONDS)) {
          throw new IllegalStateException("no snapshot");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      return live;
    }
  }

  @Test
  void aClosedClientLeavesNoThreadAndItsClassLoaderIsCollected() throws Exception {
    http.awaitHealthy();
    WeakReference<ClassLoader> app = runInOwnLoader();

    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (app.get() != null && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(100);
    }
    List<String> left = new ArrayList<>();
    Thread.getAllStackTraces().keySet().forEach(t -> {
      String name = t.getName().toLowerCase();
      if ((app.get() != null && t.getContextClassLoader() == app.get()) || name.startsWith("comfygate-live")
          || name.contains("tyrus") || name.contains("grizzly")) {
        left.add(t.getName());
      }
    });
    assertThat(left).as("threads of the closed client").isEmpty();
    assertThat(app.get()).as("the embedding application's loader, after the client was closed").isNull();
  }

  /** Runs the App on a thread of its own (which ends) in a loader of its own, then lets go of both. */
  private WeakReference<ClassLoader> runInOwnLoader() throws Exception {
    URLClassLoader loader = new URLClassLoader(classPath(), ClassLoader.getPlatformClassLoader());
    String[] answer = new String[1];
    Thread caller = new Thread(() -> {
      try {
        answer[0] = run(loader);
      } catch (Throwable e) {
        answer[0] = e.toString();
      }
    }, "embedding-app");
    caller.setContextClassLoader(loader); // as a container does for a web application's threads
    caller.start();
    caller.join(TimeUnit.SECONDS.toMillis(90));
    assertThat(answer[0]).as("the app ran in its own loader, its live session on WebSocket threads")
        .matches(".* with [1-9][0-9]* WebSocket threads, loaded by URLClassLoader");
    loader.close();
    return new WeakReference<>(loader);
  }

  @SuppressWarnings("unchecked")
  private String run(ClassLoader loader) {
    try {
      Class<?> type = loader.loadClass(App.class.getName());
      assertThat(type.getClassLoader()).isSameAs(loader);
      return ((Function<String, String>) type.getDeclaredConstructor().newInstance()).apply(http.uri("http", "").toString());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The test's class path (test classes, the client and its libraries), for a loader of its own. */
  private static URL[] classPath() throws Exception {
    List<URL> urls = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      urls.add(new File(entry).toURI().toURL());
    }
    return urls.toArray(URL[]::new);
  }
}
