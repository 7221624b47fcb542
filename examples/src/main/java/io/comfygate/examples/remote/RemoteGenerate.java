package io.comfygate.examples.remote;

import io.comfygate.remote.ComfyGateClient;
import io.comfygate.remote.JobRequest;
import io.comfygate.remote.errors.ComfyGateException;
import io.comfygate.remote.errors.ComfyGateTimeoutException;
import io.comfygate.remote.live.LiveEvent;
import io.comfygate.remote.live.LiveSubscription;
import io.comfygate.remote.model.Job;
import io.comfygate.remote.model.JobState;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Generates an image on a running ComfyGate from the command line, through the Java client:
 *
 * <pre>
 * RemoteGenerate --url URL (--api-key KEY | --user U --password P) [--template NAME]
 *                [--param NAME=VALUE]… [-o FILE.png] [PROMPT…]
 * </pre>
 *
 * It submits the job, prints each live event as one line ({@code queued}, {@code position N},
 * {@code running}, {@code progress P%}, {@code succeeded} …), saves the first image to {@code -o},
 * and exits 0 on success, 2 on bad usage, 3 when the server is unreachable or refuses, 4 when the
 * job fails (or does not end within {@code --timeout} seconds, default 600).
 */
public final class RemoteGenerate {
  static final int OK = 0;
  static final int USAGE = 2;
  static final int REFUSED = 3;
  static final int JOB_FAILED = 4;
  static final String USAGE_TEXT = "usage: RemoteGenerate --url URL (--api-key KEY | --user U --password P)"
      + " [--template NAME] [--param NAME=VALUE]... [-o FILE.png] [--timeout SECONDS] [PROMPT...]";

  private RemoteGenerate() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** The program, with its exit code returned rather than exiting (for tests). */
  static int run(String[] args, PrintStream out, PrintStream err) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("RemoteGenerate: " + e.getMessage());
      err.println(USAGE_TEXT);
      return USAGE;
    }
    ComfyGateClient.Builder builder = ComfyGateClient.builder();
    try {
      builder.baseUrl(options.url);
      if (options.apiKey != null) {
        builder.apiKey(options.apiKey);
      } else {
        builder.basicAuth(options.user, options.password);
      }
    } catch (IllegalArgumentException e) {
      err.println("RemoteGenerate: " + e.getMessage());
      return USAGE;
    }
    try (ComfyGateClient gate = builder.build()) {
      Lines lines = new Lines(out);
      Job job;
      try (LiveSubscription live = gate.live(lines::show)) {
        try {
          job = gate.submit(options.request()).job();
        } catch (ComfyGateException e) {
          err.println("RemoteGenerate: " + e.getMessage());
          return REFUSED;
        }
        lines.follow(job);
        try {
          job = gate.await(job.id(), options.timeout);
        } catch (ComfyGateTimeoutException e) {
          err.println("RemoteGenerate: " + e.getMessage());
          return JOB_FAILED;
        }
        lines.state(job);
      }
      if (job.state() != JobState.SUCCEEDED) {
        err.println("RemoteGenerate: job " + job.id() + " " + job.state().wireName()
            + (job.error() == null ? "" : ": " + job.error()));
        return JOB_FAILED;
      }
      if (options.output != null && !job.images().isEmpty()) {
        out.println("saved " + gate.downloadImage(job.images().get(0).id(), options.output));
      }
      return OK;
    } catch (ComfyGateException e) {
      err.println("RemoteGenerate: " + e.getMessage());
      return REFUSED;
    } catch (IllegalArgumentException e) {
      err.println("RemoteGenerate: " + e.getMessage());
      return USAGE;
    }
  }

  /** Prints one line per change of the followed job; events of other jobs are ignored. */
  private static final class Lines {
    private final PrintStream out;
    private final AtomicReference<String> jobId = new AtomicReference<>();
    private JobState state;
    private int position = -1;
    private int percent = -1;

    Lines(PrintStream out) {
      this.out = out;
    }

    synchronized void follow(Job job) {
      jobId.set(job.id());
      out.println("job " + job.id());
      state(job);
    }

    void show(LiveEvent event) {
      String id = jobId.get();
      if (event instanceof LiveEvent.JobChanged changed && changed.job().id().equals(id)) {
        state(changed.job());
      } else if (event instanceof LiveEvent.Progress progress && progress.jobId().equals(id)) {
        progress(progress.position(), progress.percent());
      }
    }

    synchronized void state(Job job) {
      if (job.state() != state && !(state != null && state.isFinal())) {
        state = job.state();
        String reason = job.error() == null || job.error().equals(state.wireName()) ? "" : ": " + job.error();
        out.println(state.wireName() + reason); // "failed: <ComfyUI's reason>", but "cancelled", not "cancelled: cancelled"
      }
      progress(job.position(), job.state() == JobState.RUNNING ? job.progress().percent() : -1);
    }

    private synchronized void progress(int newPosition, int newPercent) {
      if (state == JobState.QUEUED && newPosition > 0 && newPosition != position) {
        position = newPosition;
        out.println("position " + position);
      }
      if (state == JobState.RUNNING && newPercent > percent) {
        percent = newPercent;
        out.println("progress " + percent + "%");
      }
    }
  }

  /** The command line, checked. */
  static final class Options {
    String url;
    String apiKey;
    String user;
    String password;
    String template;
    final List<String[]> params = new ArrayList<>();
    final List<String> prompt = new ArrayList<>();
    Path output;
    Duration timeout = Duration.ofMinutes(10);

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--url" -> o.url = value(args, ++i, a);
          case "--api-key" -> o.apiKey = value(args, ++i, a);
          case "--user" -> o.user = value(args, ++i, a);
          case "--password" -> o.password = value(args, ++i, a);
          case "--template" -> o.template = value(args, ++i, a);
          case "-o" -> o.output = Path.of(value(args, ++i, a));
          case "--timeout" -> {
            String seconds = value(args, ++i, a);
            if (!seconds.matches("[1-9]\\d{0,6}")) {
              throw new IllegalArgumentException("--timeout takes whole seconds > 0: " + seconds);
            }
            o.timeout = Duration.ofSeconds(Long.parseLong(seconds));
          }
          case "--param" -> {
            String pair = value(args, ++i, a);
            int eq = pair.indexOf('=');
            if (eq <= 0) {
              throw new IllegalArgumentException("--param takes NAME=VALUE: " + pair);
            }
            o.params.add(new String[] {pair.substring(0, eq), pair.substring(eq + 1)});
          }
          default -> {
            if (a.startsWith("-") && !a.equals("-")) {
              throw new IllegalArgumentException("unknown option " + a);
            }
            o.prompt.add(a);
          }
        }
      }
      if (o.url == null) {
        throw new IllegalArgumentException("--url is required");
      }
      if ((o.apiKey == null) == (o.user == null)) {
        throw new IllegalArgumentException("give either --api-key or --user with --password");
      }
      if (o.user != null && o.password == null) {
        throw new IllegalArgumentException("--user needs --password");
      }
      return o;
    }

    JobRequest request() {
      JobRequest.Builder b = JobRequest.builder().template(template);
      for (String[] p : params) {
        b.param(p[0], typed(p[1]));
      }
      if (!prompt.isEmpty()) {
        b.param("prompt", String.join(" ", prompt));
      }
      return b.build();
    }

    /** 7 → a number, true → a boolean, anything else a string; the server checks it against the template. */
    private static Object typed(String value) {
      if (value.matches("-?\\d{1,18}")) {
        return Long.parseLong(value);
      }
      if (value.matches("-?\\d+\\.\\d+")) {
        return new java.math.BigDecimal(value);
      }
      if (value.equals("true") || value.equals("false")) {
        return Boolean.parseBoolean(value);
      }
      return value;
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[i];
    }
  }
}
