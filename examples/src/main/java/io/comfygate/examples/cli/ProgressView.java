package io.comfygate.examples.cli;

import io.comfygate.engine.Job;
import io.comfygate.jobs.JobState;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Objects;

/**
 * Shows how a job is doing: while it waits, its place in line and ETA; while it runs, a bar with
 * the percent and the node running. On a terminal it is one line redrawn in place ({@code \r});
 * otherwise (a pipe, a log file, CI) a plain line each time the state or node changes or the
 * percent moves on by {@value #PLAIN_STEP}. Thread-safe: the engine calls it from its event thread.
 */
final class ProgressView {
  private static final int BAR = 30;
  private static final int PLAIN_STEP = 10;

  private final PrintStream out;
  private final boolean terminal;
  private String shown = "";
  private JobState shownState;
  private String shownNode;
  private int shownPercent = -1;
  private boolean finished;

  ProgressView(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  /** Shows the job as it is now; ended jobs are left to the caller. */
  synchronized void show(Job job) {
    if (finished || job.state().isTerminal()) {
      return;
    }
    String text = describe(job);
    if (terminal) {
      if (!text.equals(shown)) {
        // Pad with spaces so a shorter line fully covers the previous one.
        out.print("\r" + text + " ".repeat(Math.max(0, shown.length() - text.length())));
        out.flush();
      }
    } else if (job.state() != shownState || !Objects.equals(job.progress().node(), shownNode)
        || job.progress().percent() >= shownPercent + PLAIN_STEP) {
      out.println(text);
      shownState = job.state();
      shownNode = job.progress().node();
      shownPercent = job.progress().percent();
    }
    shown = text;
  }

  /** Ends the live line; later updates are ignored. */
  synchronized void finish() {
    if (terminal && !finished && !shown.isEmpty()) {
      out.println();
    }
    finished = true;
  }

  /**
   * The ETA is shown only while waiting: this engine is new for every run, so it has no past run
   * times to estimate a running job's remainder from; the bar says it better.
   */
  static String describe(Job job) {
    if (job.state() == JobState.QUEUED) {
      String eta = job.etaIfKnown().map(d -> ", about " + human(d) + " to go").orElse("");
      return (job.position() > 0 ? "waiting: number " + job.position() + " in line" : "waiting in ComfyUI's queue") + eta;
    }
    int percent = job.progress().percent();
    int filled = percent * BAR / 100;
    String node = job.progress().node() == null ? "" : " " + job.progress().node();
    return "[" + "#".repeat(filled) + "-".repeat(BAR - filled) + "] " + String.format("%3d%%", percent) + node;
  }

  private static String human(Duration d) {
    long s = Math.max(1, d.toSeconds());
    return s < 120 ? s + " s" : (s + 30) / 60 + " min";
  }
}
