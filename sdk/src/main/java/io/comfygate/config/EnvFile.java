package io.comfygate.config;

import io.comfygate.errors.InvalidSettingsException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed {@code .env} file. The dialect is the common subset of docker compose and
 * python-dotenv, so one file serves all of them:
 *
 * <ul>
 *   <li>{@code KEY=VALUE}, optionally prefixed by {@code export }; spaces around {@code =} ignored;
 *   <li>blank lines and lines starting with {@code #} are skipped;
 *   <li>unquoted values end at {@code " #"} (an inline comment) and are trimmed;
 *   <li>{@code "double"} and {@code 'single'} quotes are stripped; there are no escape sequences,
 *       so Windows paths such as {@code "C:\data\outputs"} survive as written;
 *   <li>{@code ${NAME}} in unquoted and double-quoted values is replaced by an earlier key of the
 *       file, else the environment; single-quoted values are taken literally;
 *   <li>CRLF line ends and a UTF-8 byte order mark are tolerated.
 * </ul>
 *
 * A line that fits none of these is an error naming the file and the line number. The line itself
 * is not echoed: it may hold a secret.
 */
final class EnvFile {
  /** One assignment of the file: the key, its unquoted value and its 1-based line number. */
  record Entry(String key, String value, int line) {}

  private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern EXPORT = Pattern.compile("export\\s+");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
  private static final Pattern INLINE_COMMENT = Pattern.compile("\\s#");

  private final String name;
  private final Map<String, Entry> entries;
  private final List<String> warnings;

  private EnvFile(String name, Map<String, Entry> entries, List<String> warnings) {
    this.name = name;
    this.entries = Collections.unmodifiableMap(entries);
    this.warnings = List.copyOf(warnings);
  }

  /**
   * Reads and parses {@code path} as strict UTF-8.
   *
   * @param environment looked up for {@code ${NAME}} not defined earlier in the file
   * @throws InvalidSettingsException if the file cannot be read or a line is malformed
   */
  static EnvFile read(Path path, Function<String, String> environment) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(Files.readAllBytes(path)))
              .toString();
    } catch (CharacterCodingException e) {
      throw new InvalidSettingsException(
          List.of("Env file " + path + " is not valid UTF-8"), e);
    } catch (IOException e) {
      throw new InvalidSettingsException(
          List.of("Env file " + path + " cannot be read: " + e), e);
    }
    return parse(path.toString(), text, environment);
  }

  /** Parses {@code text}; {@code name} is used in messages and origins (e.g. {@code .env}). */
  static EnvFile parse(String name, String text, Function<String, String> environment) {
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    Map<String, Entry> entries = new LinkedHashMap<>();
    List<String> warnings = new ArrayList<>();
    String[] lines = text.split("\r\n|\r|\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int lineNo = i + 1;
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher export = EXPORT.matcher(line);
      if (export.lookingAt()) {
        line = line.substring(export.end());
      }
      int eq = line.indexOf('=');
      if (eq < 0) {
        throw malformed(name, lineNo, "expected KEY=VALUE");
      }
      String key = line.substring(0, eq).strip();
      if (!KEY.matcher(key).matches()) {
        throw malformed(name, lineNo, "the key must be letters, digits and '_'");
      }
      Function<String, String> lookup =
          var -> entries.containsKey(var) ? entries.get(var).value() : environment.apply(var);
      String value = value(line.substring(eq + 1).strip(), name, lineNo, lookup);
      Entry previous = entries.put(key, new Entry(key, value, lineNo));
      if (previous != null) {
        warnings.add(
            key + " is set twice in " + name + " (lines " + previous.line() + " and " + lineNo
                + "); line " + lineNo + " wins");
      }
    }
    return new EnvFile(name, entries, warnings);
  }

  private static String value(
      String raw, String file, int line, Function<String, String> lookup) {
    if (raw.startsWith("'") || raw.startsWith("\"")) {
      char quote = raw.charAt(0);
      int close = raw.indexOf(quote, 1);
      if (close < 0) {
        throw malformed(file, line, "unclosed " + quote + " quote");
      }
      String after = raw.substring(close + 1).strip();
      if (!after.isEmpty() && !after.startsWith("#")) {
        throw malformed(file, line, "unexpected text after the closing quote");
      }
      String inner = raw.substring(1, close);
      return quote == '\'' ? inner : expand(inner, file, line, lookup);
    }
    Matcher comment = INLINE_COMMENT.matcher(raw);
    String unquoted = comment.find() ? raw.substring(0, comment.start()).strip() : raw;
    return expand(unquoted, file, line, lookup);
  }

  private static String expand(
      String value, String file, int line, Function<String, String> lookup) {
    Matcher m = VARIABLE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement = lookup.apply(m.group(1));
      if (replacement == null) {
        // Failing beats substituting "": an empty path or host is a worse surprise later.
        throw malformed(file, line, "${" + m.group(1) + "} is not defined");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static InvalidSettingsException malformed(String file, int line, String why) {
    return new InvalidSettingsException(
        List.of("Malformed line " + line + " in env file " + file + ": " + why));
  }

  /** The file name as given, used in origins such as {@code .env line 7}. */
  String name() {
    return name;
  }

  /** Assignments by key, in file order; for a repeated key the last one. */
  Map<String, Entry> entries() {
    return entries;
  }

  /** Non-fatal findings such as a key set twice. */
  List<String> warnings() {
    return warnings;
  }
}
