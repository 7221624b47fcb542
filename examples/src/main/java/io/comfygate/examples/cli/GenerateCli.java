package io.comfygate.examples.cli;

import io.comfygate.config.Settings;
import io.comfygate.engine.Job;
import io.comfygate.engine.JobEngine;
import io.comfygate.errors.ComfyTimeoutException;
import io.comfygate.errors.InvalidParamsException;
import io.comfygate.errors.InvalidSettingsException;
import io.comfygate.errors.ServiceUnavailableException;
import io.comfygate.health.CheckResult;
import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.store.StoredImage;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A command-line program around the engine: {@code generate --steps 8 -o out a lighthouse at dawn}
 * submits the prompt, shows its progress, saves the image and prints where. {@code --help} lists the
 * flags and the exit codes. Settings (ComfyUI's address, timeouts) come from the environment and
 * {@code .env} like the server's, and flags override them.
 *
 * <p>The engine here is private to one run: its database lives in a temporary folder that is
 * removed at the end, and the images are moved from there to {@code --out}.
 */
public final class GenerateCli {
  static final int OK = 0;
  static final int UNEXPECTED = 1;
  static final int USAGE = 2;
  static final int UNAVAILABLE = 3;
  static final int FAILED = 4;
  static final int INTERRUPTED = 130;
  /** How long Ctrl+C waits for the job to be cancelled and the engine closed. */
  private static final Duration CANCEL_WAIT = Duration.ofSeconds(10);

  /** Where Ctrl+C is wired: a JVM shutdown hook in {@link #main}, the test's hand in tests. */
  interface InterruptHook {
    /** Arranges for {@code onInterrupt} to run on Ctrl+C; returns what undoes that. */
    Runnable install(Runnable onInterrupt);
  }

  private final PrintStream out;
  private final PrintStream err;
  private final boolean terminal;
  private final Supplier<Settings> settings;
  private final InterruptHook interrupts;

  GenerateCli(PrintStream out, PrintStream err, boolean terminal, Supplier<Settings> settings, InterruptHook interrupts) {
    this.out = out;
    this.err = err;
    this.terminal = terminal;
    this.settings = settings;
    this.interrupts = interrupts;
  }

  public static void main(String[] args) {
    // The engine logs every job event and backend change; here the progress line and the exit message say it.
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
    }
    GenerateCli cli = new GenerateCli(System.out, System.err, System.console() != null, Settings::fromEnv,
        GenerateCli::shutdownHook);
    System.exit(cli.run(args));
  }

  /** Runs the command line and returns the exit code. */
  int run(String... args) {
    CliOptions options;
    try {
      options = CliOptions.parse(args);
    } catch (CliOptions.UsageException e) {
      return usageError(e.getMessage());
    }
    if (options.help) {
      out.print(CliOptions.USAGE);
      return OK;
    }
    CountDownLatch cleanedUp = new CountDownLatch(1);
    Path work = null;
    try {
      work = Files.createTempDirectory("comfygate-cli-");
      return generate(options, work, cleanedUp);
    } catch (InvalidSettingsException e) {
      err.println(e.getMessage());
      return USAGE;
    } catch (IOException | RuntimeException e) {
      err.println("generate: unexpected failure: " + e);
      return UNEXPECTED;
    } finally {
      deleteTree(work);
      cleanedUp.countDown();
    }
  }

  private int generate(CliOptions o, Path work, CountDownLatch cleanedUp) throws IOException {
    JobEngine.Builder builder = JobEngine.builder()
        .settings(settings.get())
        .database(work.resolve("jobs.db").toString())
        .outputDir(work.resolve("outputs"));
    if (o.url != null) {
      builder.servers(List.of(o.url));
    }
    try (JobEngine engine = builder.build()) {
      ProgressView progress = new ProgressView(out, terminal);
      engine.addListener(event -> progress.show(event.job()));

      AtomicReference<JobId> submitted = new AtomicReference<>();
      AtomicBoolean interrupted = new AtomicBoolean();
      Runnable uninstall = interrupts.install(() -> {
        interrupted.set(true);
        cancel(engine, submitted.get());
        await(cleanedUp); // the JVM exits when this returns: let run() close the engine first
      });
      try {
        Job job;
        try {
          job = engine.submit("cli", o.template, o.params);
        } catch (ServiceUnavailableException e) {
          err.println(unavailable(engine, e) + ". Nothing was submitted: start ComfyUI, or point --url or"
              + " COMFYUI_SERVER at it.");
          return UNAVAILABLE;
        } catch (InvalidParamsException e) {
          return usageError(o.describe(e));
        }
        submitted.set(job.id());
        progress.show(job);
        return outcome(engine, job.id(), o, progress, interrupted);
      } finally {
        uninstall.run();
      }
    }
  }

  private int outcome(JobEngine engine, JobId id, CliOptions o, ProgressView progress, AtomicBoolean interrupted)
      throws IOException {
    Job done;
    try {
      done = engine.await(id, o.timeout);
    } catch (ComfyTimeoutException e) {
      progress.finish();
      cancel(engine, id);
      err.println("No image within " + o.timeout.toSeconds() + " s (--timeout): job " + id + " cancelled.");
      return FAILED;
    }
    progress.finish();
    if (interrupted.get()) {
      err.println("Interrupted: job " + id + " " + done.state().wireName() + ".");
      return INTERRUPTED;
    }
    if (done.state() != JobState.SUCCEEDED) {
      err.println("Job " + id + " " + done.state().wireName() + ": " + done.error());
      return FAILED;
    }
    for (int i = 0; i < done.images().size(); i++) {
      StoredImage image = done.images().get(i);
      Path saved = save(engine.outputDir().resolve(image.file()), o.out, i);
      out.println("saved " + saved + " (" + image.width() + "x" + image.height() + ")");
    }
    return OK;
  }

  /**
   * Moves an image out of the engine's folder: into {@code out} if it is a folder, or to
   * {@code out} itself if it names a file (the second and later images get -2, -3 …).
   */
  private static Path save(Path image, Path out, int index) throws IOException {
    String name = out.getFileName() == null ? "" : out.getFileName().toString();
    int dot = name.lastIndexOf('.');
    Path target;
    if (dot > 0 && name.substring(dot).matches("(?i)\\.(png|jpe?g|webp)")) {
      target = index == 0 ? out : out.resolveSibling(name.substring(0, dot) + "-" + (index + 1) + name.substring(dot));
    } else {
      target = out.resolve(image.getFileName());
    }
    target = target.toAbsolutePath().normalize();
    Files.createDirectories(target.getParent());
    return Files.move(image, target, StandardCopyOption.REPLACE_EXISTING);
  }

  /** The health check's sentence, such as "ComfyUI at http://… is not reachable: connection refused". */
  private static String unavailable(JobEngine engine, ServiceUnavailableException e) {
    List<String> reasons = engine.health().failures().stream()
        .filter(check -> check.name().startsWith("comfyui:")).map(CheckResult::reason).toList();
    return reasons.isEmpty() ? e.getMessage() : String.join("; ", reasons);
  }

  private void cancel(JobEngine engine, JobId id) {
    if (id == null) {
      return;
    }
    try {
      engine.cancel(id, null);
    } catch (RuntimeException e) {
      err.println("Could not cancel job " + id + ": " + e.getMessage());
    }
  }

  private int usageError(String message) {
    err.println("generate: " + message);
    err.println();
    err.print(CliOptions.USAGE);
    return USAGE;
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(CANCEL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Runnable shutdownHook(Runnable onInterrupt) {
    Thread hook = new Thread(onInterrupt, "generate-cli-interrupt");
    Runtime.getRuntime().addShutdownHook(hook);
    return () -> {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl+C came: the hook is running and the JVM exits when it returns.
      }
    };
  }

  private static void deleteTree(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // A leftover temporary folder is not worth failing the run for.
    }
  }
}
