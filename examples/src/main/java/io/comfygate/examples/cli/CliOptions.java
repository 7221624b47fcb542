package io.comfygate.examples.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.comfygate.errors.InvalidParamsException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** GenerateCli's command line, parsed: template parameters, where to save, where ComfyUI is, how long to wait. */
final class CliOptions {
  static final String USAGE = """
      Usage: generate [options] PROMPT...
      Makes an image with ComfyUI through the ComfyGate engine, with live progress, and saves it.

        -p, --prompt TEXT       what the image should show (or give it as the last arguments)
            --negative TEXT     what it should avoid
            --seed N            seed (default: random)
            --steps N           sampling steps (template default: 20)
            --width N           width in pixels, a multiple of 8 (default: 512)
            --height N          height in pixels, a multiple of 8 (default: 512)
            --cfg X             guidance scale (default: 7.0)
            --sampler NAME      euler, euler_ancestral, dpmpp_2m, dpmpp_sde or ddim
            --batch N           images in one go, 1-4
            --param NAME=VALUE  any other parameter of the template
            --template NAME     the template (default: DEFAULT_TEMPLATE, txt2img)
        -o, --out PATH          a folder to save into, or a .png file name (default: .)
            --url URL           ComfyUI's address (default: COMFYUI_SERVER from the environment or .env)
            --timeout SECONDS   give up after this long and cancel the job (default: 300)
        -h, --help              this text

      Exit codes: 0 saved, 2 bad usage, 3 ComfyUI not available, 4 job failed or timed out,
      130 interrupted (Ctrl+C; the job is cancelled first).
      """;

  /** Flags that set a template parameter, and the parameter each one sets. */
  private static final Map<String, String> PARAM_FLAGS = Map.of(
      "--prompt", "prompt", "-p", "prompt", "--negative", "negative_prompt", "--seed", "seed",
      "--steps", "steps", "--width", "width", "--height", "height", "--cfg", "cfg",
      "--sampler", "sampler", "--batch", "batch_size");

  /** Thrown for a command line that cannot be run; the message names the flag. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  final ObjectNode params = JsonNodeFactory.instance.objectNode();
  /** The flag that set each parameter, to name it in errors. */
  private final Map<String, String> flagOf = new LinkedHashMap<>();
  String template;
  Path out = Path.of(".");
  URI url;
  Duration timeout = Duration.ofSeconds(300);
  boolean help;

  private CliOptions() {}

  static CliOptions parse(String... args) throws UsageException {
    CliOptions o = new CliOptions();
    List<String> words = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("-") || arg.equals("-")) {
        words.add(arg);
        continue;
      }
      if (arg.equals("-h") || arg.equals("--help")) {
        o.help = true;
        continue;
      }
      // "--steps 8" and "--steps=8" both work.
      int eq = arg.indexOf('=');
      String flag = eq > 0 && arg.startsWith("--") ? arg.substring(0, eq) : arg;
      String value;
      if (eq > 0 && arg.startsWith("--")) {
        value = arg.substring(eq + 1);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new UsageException(knownFlag(flag) ? flag + " needs a value" : "unknown option " + flag);
      }
      o.set(flag, value);
    }
    if (!words.isEmpty()) {
      o.param("prompt", "the prompt", String.join(" ", words));
    }
    if (!o.help && !o.params.hasNonNull("prompt")) {
      throw new UsageException("no prompt: give it as the last arguments or with --prompt");
    }
    return o;
  }

  private static boolean knownFlag(String flag) {
    return PARAM_FLAGS.containsKey(flag)
        || List.of("--param", "--template", "-o", "--out", "--url", "--timeout").contains(flag);
  }

  private void set(String flag, String value) throws UsageException {
    if (PARAM_FLAGS.containsKey(flag)) {
      param(PARAM_FLAGS.get(flag), flag, value);
      return;
    }
    switch (flag) {
      case "--param" -> {
        int eq = value.indexOf('=');
        if (eq < 1) {
          throw new UsageException("--param needs NAME=VALUE: " + value);
        }
        param(value.substring(0, eq), "--param " + value.substring(0, eq), value.substring(eq + 1));
      }
      case "--template" -> template = value;
      case "-o", "--out" -> out = Path.of(value);
      case "--url" -> url = url(value);
      case "--timeout" -> timeout = seconds(value);
      default -> throw new UsageException("unknown option " + flag);
    }
  }

  /** Numbers go to the template as JSON numbers, the rest as text; the template checks them. */
  private void param(String name, String flag, String value) {
    if (value.matches("-?\\d{1,18}")) {
      params.put(name, Long.parseLong(value));
    } else if (value.matches("-?\\d*\\.\\d+")) {
      params.put(name, Double.parseDouble(value));
    } else {
      params.put(name, value);
    }
    flagOf.put(name, flag);
  }

  private static URI url(String value) throws UsageException {
    try {
      URI uri = URI.create(value);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
        return uri;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw new UsageException("--url must be an http(s) URL such as http://127.0.0.1:8188: " + value);
  }

  private static Duration seconds(String value) throws UsageException {
    try {
      long s = Long.parseLong(value);
      if (s > 0) {
        return Duration.ofSeconds(s);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException("--timeout must be a whole number of seconds > 0: " + value);
  }

  /** The template's complaint, told in terms of the flags that were given. */
  String describe(InvalidParamsException e) {
    return e.problems().stream()
        .map(p -> flagOf.getOrDefault(p.field(), p.field()) + ": " + p.reason())
        .collect(Collectors.joining("; ", "bad value for ", ""));
  }
}
