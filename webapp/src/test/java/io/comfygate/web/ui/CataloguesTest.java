package io.comfygate.web.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The pages' message catalogues (i18n/en.json, i18n/ko.json) against each other and against the
 * pages: the same keys and placeholders in both, every key the pages use is there, and no text of
 * the HTML or of the scripts reaches the page without them.
 */
class CataloguesTest {
  // Maven runs tests with the module directory (webapp/) as working directory.
  private static final Path WEBAPP = Path.of("src", "main", "webapp");
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Texts that are the same in every language: the product's name, marks. */
  private static final Set<String> NOT_WORDS = Set.of("ComfyGate", "*", "…", "https://");
  /** Literals the scripts may show as they are: the health verdicts, which both languages write so. */
  private static final Set<String> VERDICTS = Set.of("'OK'", "'FAIL'");

  private static Map<String, String> catalogue(String lang) throws IOException {
    return JSON.readValue(WEBAPP.resolve("i18n").resolve(lang + ".json").toFile(), new TypeReference<Map<String, String>>() {});
  }

  private static List<Path> files(String ending) throws IOException {
    try (Stream<Path> all = Files.walk(WEBAPP)) {
      return all.filter(p -> p.toString().endsWith(ending)).sorted().toList();
    }
  }

  private static Set<String> placeholders(String text) {
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("\\{(\\w+)\\}").matcher(text);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  @Test
  void bothCataloguesHaveTheSameKeysAndPlaceholders() throws IOException {
    Map<String, String> en = catalogue("en");
    Map<String, String> ko = catalogue("ko");
    assertThat(ko.keySet()).containsExactlyInAnyOrderElementsOf(en.keySet());
    List<String> mismatched = new ArrayList<>();
    en.forEach((key, text) -> {
      if (!placeholders(text).equals(placeholders(ko.get(key)))) {
        mismatched.add(key);
      }
      if (ko.get(key).isBlank()) {
        mismatched.add(key + " (blank)");
      }
    });
    assertThat(mismatched).as("keys whose {placeholders} differ").isEmpty();
  }

  @Test
  void everyKeyThePagesUseIsInTheCatalogue() throws IOException {
    Set<String> keys = catalogue("en").keySet();
    Set<String> missing = new TreeSet<>();
    Pattern html = Pattern.compile("data-i18n=\"([^\"]+)\"|data-i18n-attr=\"([^\"]+)\"");
    for (Path page : files(".html")) {
      Matcher m = html.matcher(Files.readString(page));
      while (m.find()) {
        if (m.group(1) != null) {
          missing.add(m.group(1));
        } else {
          for (String pair : m.group(2).split(";")) {
            missing.add(pair.split(":")[1].strip());
          }
        }
      }
    }
    Pattern js = Pattern.compile("\\bt\\('([a-zA-Z_.]+)'|'((?:col|error|state|hook|lang|param)\\.[a-zA-Z_]+)'|pager\\('[a-z]+', '([a-zA-Z.]+)'");
    for (Path script : files(".js")) {
      Matcher m = js.matcher(Files.readString(script));
      while (m.find()) {
        String key = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
        if (!key.endsWith(".")) {
          missing.add(key);
        }
      }
    }
    missing.removeAll(keys);
    assertThat(missing).as("keys used by the pages but missing from en.json").isEmpty();
    // the keys built at run time: a state, a webhook state, a language
    for (String state : List.of("queued", "running", "succeeded", "failed", "timeout", "cancelled")) {
      assertThat(keys).contains("state." + state);
    }
    assertThat(keys).contains("hook.pending", "hook.delivered", "hook.failed", "lang.en", "lang.ko");
  }

  @Test
  void noTextOfTheHtmlBypassesTheCatalogue() throws IOException {
    List<String> bare = new ArrayList<>();
    // a text node's nearest tag before it is its element's opening tag, or a closing/void tag of a sibling
    Pattern text = Pattern.compile("(<[^>]+>)([^<]+)(?=<)");
    for (Path page : files(".html")) {
      String source = Files.readString(page, StandardCharsets.UTF_8).replaceAll("(?s)<!--.*?-->", "");
      Matcher m = text.matcher(source);
      while (m.find()) {
        String words = m.group(2).strip();
        if (words.isEmpty() || NOT_WORDS.contains(words)) {
          continue;
        }
        String tag = m.group(1);
        if (!tag.contains("data-i18n=\"")) {
          bare.add(WEBAPP.relativize(page) + ": \"" + words + "\" after " + tag);
        }
      }
      Matcher attrs = Pattern.compile("\\s(aria-label|placeholder|title|alt)=\"([^\"]+)\"").matcher(source);
      while (attrs.find()) {
        if (NOT_WORDS.contains(attrs.group(2))) {
          continue;
        }
        bare.add(WEBAPP.relativize(page) + ": " + attrs.group(1) + "=\"" + attrs.group(2) + "\" (use data-i18n-attr)");
      }
    }
    assertThat(bare).as("texts in the HTML without data-i18n").isEmpty();
  }

  @Test
  void noScriptPutsALiteralTextIntoThePage() throws IOException {
    // what the scripts show goes through t(): a literal English word in these places bypasses it
    Pattern literal = Pattern.compile(
        "(textContent\\s*=\\s*|\\.alt\\s*=\\s*|placeholder\\s*=\\s*|setAttribute\\('(?:aria-label|title)',\\s*"
            + "|\\bel\\('[a-z0-9]+',\\s*(?:null|'[^']*'),\\s*|\\bbutton\\(|\\bnotice\\()'[^']*[A-Za-z]{2,}[^']*'");
    List<String> found = new ArrayList<>();
    for (Path script : files(".js")) {
      List<String> lines = Files.readAllLines(script, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        Matcher m = literal.matcher(lines.get(i));
        if (m.find() && VERDICTS.stream().noneMatch(m.group()::endsWith)) {
          found.add(WEBAPP.relativize(script) + ":" + (i + 1) + ": " + m.group());
        }
      }
    }
    assertThat(found).as("literal texts put into the page").isEmpty();
  }
}
