package io.comfygate.engine;

import io.comfygate.client.ComfyClient;
import io.comfygate.client.OutputFile;
import io.comfygate.jobs.JobId;
import io.comfygate.store.NewImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Fetches a finished job's outputs from its backend into OUTPUT_DIR, as
 * {@code yyyy-MM-dd/<jobId>-<n>.<ext>}. Each file is written to a temporary name and moved into
 * place, so a crash never leaves a half-written file under a real name. If any output cannot be
 * saved (disk full, folder not writable), the files already saved for this job are removed again
 * and the failure is thrown: a job's images are recorded all together or not at all.
 */
final class OutputCollector {
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final Path outputDir;

  OutputCollector(Path outputDir) {
    this.outputDir = outputDir;
  }

  Path outputDir() {
    return outputDir;
  }

  /**
   * Downloads the job's saved images ({@code type: output}); falls back to temporary outputs
   * (PreviewImage) when a workflow saves nothing.
   *
   * @throws UncheckedIOException when an output cannot be written; nothing of this job is left on disk
   */
  List<NewImage> collect(ComfyClient backend, JobId job, List<OutputFile> outputs, Instant finishedAt) {
    List<OutputFile> images = outputs.stream().filter(o -> "output".equals(o.type())).toList();
    if (images.isEmpty()) {
      images = outputs.stream().filter(o -> "temp".equals(o.type())).toList();
    }
    List<Path> written = new ArrayList<>();
    List<NewImage> recorded = new ArrayList<>();
    try {
      String day = DAY.format(finishedAt);
      Files.createDirectories(outputDir.resolve(day));
      int n = 1;
      for (OutputFile output : images) {
        String relative = day + "/" + job.value() + "-" + n++ + extension(output.filename());
        Path target = outputDir.resolve(relative);
        written.add(target);
        long size = backend.download(output, target);
        int[] wh = ImageDimensions.read(target);
        recorded.add(new NewImage(relative, wh[0], wh[1], size));
      }
      return recorded;
    } catch (IOException e) {
      discard(written);
      throw new UncheckedIOException("could not save the outputs under " + outputDir + ": " + reason(e), e);
    } catch (RuntimeException e) {
      discard(written);
      throw e;
    }
  }

  /** Removes files of a job whose images could not be recorded. */
  void discard(List<Path> files) {
    for (Path f : files) {
      try {
        Files.deleteIfExists(f);
      } catch (IOException ignored) {
        // Best effort: a leftover file has no row, so it is never shown; the disk is the problem here.
      }
    }
  }

  List<Path> files(List<NewImage> images) {
    return images.stream().map(i -> outputDir.resolve(i.file())).toList();
  }

  private static String extension(String filename) {
    int dot = filename.lastIndexOf('.');
    String ext = dot < 0 ? "" : filename.substring(dot).toLowerCase(Locale.ROOT);
    return ext.matches("\\.[a-z0-9]{1,5}") ? ext : ".png";
  }

  private static String reason(IOException e) {
    String type = e.getClass().getSimpleName();
    return e.getMessage() == null ? type : type + ": " + e.getMessage();
  }
}
