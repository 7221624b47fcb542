package io.comfygate.testkit;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a {@link FakeComfyUi} standalone, for demos without a GPU:
 * {@code java -cp ... io.comfygate.testkit.FakeComfyUiMain --port 8188 --steps 20 --step-delay-ms 100}.
 * Runs until Ctrl+C; a shutdown hook closes the fake.
 */
public final class FakeComfyUiMain {
  private FakeComfyUiMain() {}

  public static void main(String[] args) throws InterruptedException {
    FakeComfyUi.Builder builder;
    try {
      builder = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println("usage: FakeComfyUiMain [--port 8188] [--steps N] [--step-delay-ms MS]");
      System.exit(2);
      return;
    }
    FakeComfyUi fake = builder.start();
    Runtime.getRuntime().addShutdownHook(new Thread(fake::close, "comfygate-fake-shutdown"));
    banner(System.out, fake);
    new CountDownLatch(1).await(); // until the JVM is told to exit
  }

  static FakeComfyUi.Builder parse(String[] args) {
    FakeComfyUi.Builder b = FakeComfyUi.builder().port(8188);
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value after " + flag);
      }
      String value = args[++i];
      try {
        switch (flag) {
          case "--port" -> b.port(Integer.parseInt(value));
          case "--steps" -> b.steps(Integer.parseInt(value));
          case "--step-delay-ms" -> b.stepDelay(Duration.ofMillis(Long.parseLong(value)));
          default -> throw new IllegalArgumentException("unknown option: " + flag);
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(flag + " needs a number: " + value, e);
      }
    }
    return b;
  }

  static void banner(PrintStream out, FakeComfyUi fake) {
    out.println("==============================================================");
    out.println(" FakeComfyUi: a SIMULATED ComfyUI 0.3.64 (no GPU, no models).");
    out.println(" Images are generated placeholders (gradients), not AI output.");
    out.println(" URL: " + fake.baseUrl() + "   WebSocket: ws://127.0.0.1:" + fake.port() + "/ws");
    out.println(" Press Ctrl+C to stop.");
    out.println("==============================================================");
  }
}
