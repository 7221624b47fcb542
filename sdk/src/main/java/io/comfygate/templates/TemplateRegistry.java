package io.comfygate.templates;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.comfygate.errors.InvalidParamsException;
import io.comfygate.errors.TemplateException;
import io.comfygate.internal.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The workflow templates a server offers: the ones shipped in the SDK, overridden or extended by
 * the {@code *.json} files of a directory (TEMPLATE_DIR). Loaded once, immutable, thread-safe.
 */
public final class TemplateRegistry {
  private static final String SHIPPED = "/io/comfygate/templates/";
  private static final List<String> SHIPPED_FILES = List.of("txt2img.json", "img2img.json");

  private final Map<String, Template> byName;
  private final Template defaultTemplate;

  private TemplateRegistry(Map<String, Template> byName, Template defaultTemplate) {
    this.byName = Map.copyOf(byName);
    this.defaultTemplate = defaultTemplate;
  }

  /** Only the templates shipped with the SDK, {@code txt2img} as the default. */
  public static TemplateRegistry shipped() {
    return load(null, "txt2img");
  }

  /**
   * Loads the shipped templates, then every {@code *.json} file of {@code dir} (a file whose
   * template name matches a shipped one replaces it).
   *
   * @param dir a directory of template files, or {@code null} for the shipped ones alone
   * @param defaultName the template used when a job names none (DEFAULT_TEMPLATE)
   * @throws TemplateException naming the file and the reason, for the first unusable file, a
   *     missing directory, two files with the same template name, or an unknown default
   */
  public static TemplateRegistry load(Path dir, String defaultName) {
    TemplateParser parser = new TemplateParser(Json.newMapper());
    Map<String, Template> byName = new LinkedHashMap<>();
    for (String file : SHIPPED_FILES) {
      Template t = parser.parse("shipped " + file, shippedBytes(file));
      byName.put(t.name(), t);
    }
    if (dir != null) {
      Map<String, String> fromDir = new LinkedHashMap<>();
      for (Path file : jsonFiles(dir)) {
        Template t = parser.parse(file.toString(), read(file));
        String earlier = fromDir.put(t.name(), file.toString());
        if (earlier != null) {
          throw new TemplateException(file.toString(), "declares template \"" + t.name() + "\", as " + earlier + " does already");
        }
        byName.put(t.name(), t);
      }
    }
    Template def = byName.get(defaultName);
    if (def == null) {
      throw new TemplateException("DEFAULT_TEMPLATE", "no template is named \"" + defaultName + "\"; available: " + String.join(", ", byName.keySet()));
    }
    return new TemplateRegistry(byName, def);
  }

  /** The named template, or the default one when {@code name} is null or blank. */
  public Template get(String name) {
    if (name == null || name.isBlank()) {
      return defaultTemplate;
    }
    Template t = byName.get(name);
    if (t == null) {
      throw new InvalidParamsException("template", "unknown template \"" + name + "\" (available: " + String.join(", ", new java.util.TreeSet<>(byName.keySet())) + ")");
    }
    return t;
  }

  public Template defaultTemplate() {
    return defaultTemplate;
  }

  /** Every template, sorted by name. */
  public Collection<Template> all() {
    List<Template> all = new ArrayList<>(byName.values());
    all.sort(java.util.Comparator.comparing(Template::name));
    return all;
  }

  private static List<Path> jsonFiles(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new TemplateException(dir.toString(), "TEMPLATE_DIR is not a directory");
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new TemplateException(dir.toString(), "cannot list the directory: " + e.getMessage(), e);
    }
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new TemplateException(file.toString(), "cannot be read: " + e.getMessage(), e);
    }
  }

  private static byte[] shippedBytes(String file) {
    try (InputStream in = TemplateRegistry.class.getResourceAsStream(SHIPPED + file)) {
      if (in == null) {
        throw new IllegalStateException("shipped template missing from the SDK jar: " + file);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
