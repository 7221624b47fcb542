package io.comfygate.web;

import static io.comfygate.web.ItHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.testkit.FakeComfyUi;
import io.comfygate.testkit.RecordedRequest;
import io.comfygate.testkit.SampleImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The user page's prompt form follows the templates that {@code GET /api/v1/templates} declares, in
 * headless Chromium against the packaged WAR in the real Tomcat and FakeComfyUi: txt2img's fields
 * are its parameters (input type, limits, choices, defaults, required marks); a value out of range
 * is named next to its field and nothing is sent, and a value only the server refuses comes back as
 * the server's message; img2img shows an image field whose PNG is uploaded and reaches ComfyUI, and
 * its job runs to the end; the last choice is remembered. Screenshots go to target/screenshots
 * (form-*.png), at 1280x800 and at phone width.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TemplateFormIT extends DeployedWar {
  private static final String USER = "bob";

  @RegisterExtension static final ItComfy comfy = ItComfy.withSteps(2);
  @RegisterExtension static final ItBrowser chromium = new ItBrowser();

  private static Browser browser() {
    return chromium.get();
  }

  @Test
  @Order(1)
  void theFieldsAreTxt2imgsDeclaredParameters() {
    http.awaitHealthy();
    browser().open(base, "");
    browser().signIn(USER);
    awaitTemplate("txt2img");

    // two templates: the picker shows both, on the default one
    Select picker = new Select(browser().driver.findElement(By.id("template-picker")));
    assertThat(browser().driver.findElement(By.id("template-field")).isDisplayed()).isTrue();
    assertThat(picker.getOptions()).extracting(WebElement::getText).containsExactly("img2img", "txt2img");
    assertThat(picker.getFirstSelectedOption().getText()).isEqualTo("txt2img");
    assertThat(browser().driver.findElement(By.id("template-description")).getText())
        .isEqualTo(template("txt2img").path("description").asText());

    JsonNode params = template("txt2img").path("params");
    assertThat(shownParams()).isEqualTo(names(params)).contains("prompt", "width", "height", "steps", "seed", "sampler");
    for (JsonNode p : params) {
      assertFieldFollows(p, true);
    }
    assertThat(label("negative_prompt")).isEqualTo("Negative prompt");
    assertThat(label("cfg")).isEqualTo("CFG");

    // keyboard: Tab from the picker visits every field in the template's order, then Generate
    List<String> expectedFocus = new ArrayList<>(names(params).stream().map(n -> "f-" + n).toList());
    expectedFocus.add("generate");
    browser().driver.executeScript("document.getElementById('template-picker').focus();");
    List<String> focused = new ArrayList<>();
    for (int i = 0; i < expectedFocus.size(); i++) {
      new Actions(browser().driver).sendKeys(Keys.TAB).perform();
      focused.add(browser().driver.switchTo().activeElement().getAttribute("id"));
    }
    assertThat(focused).isEqualTo(expectedFocus);

    for (Dimension size : List.of(Browser.DESKTOP, Browser.PHONE)) {
      browser().resize(size);
      browser().assertFitsWidth(size, "#prompt-form", "#generate", "#f-sampler", "#f-batch_size");
      browser().shot("form-01-txt2img-" + size.getWidth() + "x" + size.getHeight());
    }
    browser().resize(Browser.DESKTOP);
    browser().assertNoConsoleErrors(Browser.ExpectedHttpError.SIGNED_OUT_PROBE);
  }

  @Test
  @Order(2)
  void aValueOutOfRangeIsNamedNextToItsFieldAndNothingIsSent() {
    awaitTemplate("txt2img");
    long jobsBefore = jobCount();
    long promptsBefore = promptsReceived();
    browser().setPrompt("a lighthouse");
    browser().setField("steps", "500");
    browser().generate();

    WebElement notice = browser().waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("notice")));
    assertThat(notice.getText()).isEqualTo("Nothing was sent. steps: must be at most 150 (got 500).");
    assertThat(fieldError("steps")).isEqualTo("must be at most 150 (got 500)");
    assertThat(browser().field("steps").getAttribute("aria-invalid")).isEqualTo("true");
    assertThat(browser().driver.switchTo().activeElement().getAttribute("id")).as("focus on the bad field").isEqualTo("f-steps");
    browser().shot("form-02-out-of-range");

    // what only the server checks (a NUL in a prompt) comes back as its message, next to the field
    browser().setField("steps", "5");
    browser().driver.executeScript("document.getElementById('f-prompt').value = 'nul \\u0000 inside';");
    browser().generate();
    browser().waitFor().until(d -> d.findElement(By.id("notice")).getText().startsWith("Invalid parameters"));
    assertThat(browser().driver.findElement(By.id("notice")).getText())
        .isEqualTo("Invalid parameters: prompt: must not contain NUL characters");
    assertThat(fieldError("prompt")).isEqualTo("must not contain NUL characters");
    assertThat(fieldError("steps")).as("the earlier mark is gone").isEmpty();
    browser().shot("form-03-server-refusal");

    assertThat(jobCount()).as("no job was created").isEqualTo(jobsBefore);
    assertThat(promptsReceived()).as("ComfyUI got no prompt").isEqualTo(promptsBefore);
    browser().assertNoConsoleErrors(Browser.ExpectedHttpError.api("v1/jobs", 400));
  }

  @Test
  @Order(3)
  void img2imgShowsAnImageFieldAndAChosenPngRunsThroughComfyUi(@TempDir Path dir) throws Exception {
    awaitTemplate("txt2img");
    browser().setPrompt("as a woodcut");
    new Select(browser().driver.findElement(By.id("template-picker"))).selectByValue("img2img");
    awaitTemplate("img2img");
    assertThat(browser().driver.findElement(By.id("template-name")).getText()).isEqualTo("(img2img)");

    JsonNode params = template("img2img").path("params");
    assertThat(shownParams()).isEqualTo(names(params)).contains("image", "denoise");
    for (JsonNode p : params) {
      assertFieldFollows(p, false); // prompt and steps carry over from txt2img
    }
    assertThat(browser().field("prompt").getAttribute("value")).as("carried over from txt2img").isEqualTo("as a woodcut");
    assertThat(browser().field("steps").getAttribute("value")).as("carried over from txt2img").isEqualTo("5");
    assertThat(browser().field("denoise").getAttribute("value")).as("img2img's own default").isEqualTo("0.6");

    // generating without an image names the field and sends nothing
    long jobsBefore = jobCount();
    browser().generate();
    assertThat(fieldError("image")).isEqualTo("choose an image file");
    assertThat(browser().driver.findElement(By.id("notice")).getText()).isEqualTo("Nothing was sent. image: choose an image file.");

    byte[] png = SampleImages.png(72, 40);
    Path file = Files.write(dir.resolve("harbour.png"), png);
    browser().driver.findElement(By.id("f-image")).sendKeys(file.toString());
    browser().waitFor().until(ExpectedConditions.textToBe(By.id("s-image"), "Uploaded harbour.png (72\u00d740)"));
    String uploadId = browser().driver.findElement(By.id("f-image")).getAttribute("data-upload-id");
    assertThat(uploadId).matches("u[0-9a-z]{26}");
    browser().setField("steps", "2");
    browser().setField("denoise", "0.45");
    browser().shot("form-04-img2img-chosen-1280x800");

    String jobId = browser().submitForm("the img2img job's card");
    browser().awaitCard(jobId, "succeeded");
    JsonNode job = json(http.send("GET", "api/v1/jobs/" + jobId, USER, null), 200);
    assertThat(job.path("template").asText()).isEqualTo("img2img");
    assertThat(job.path("params").path("image").asText()).isEqualTo(uploadId);
    assertThat(job.path("params").path("prompt").asText()).isEqualTo("as a woodcut");
    assertThat(job.path("params").path("denoise").asDouble()).isEqualTo(0.45);
    assertThat(jobCount()).isEqualTo(jobsBefore + 1);

    // the chosen file's bytes reached ComfyUI, and the prompt's LoadImage names what it stored
    String remoteName = "comfygate-" + uploadId;
    RecordedRequest upload = comfy.get().requests().stream()
        .filter(r -> r.method().equals("POST") && r.path().equals("/upload/image") && r.body().contains(remoteName))
        .findFirst().orElseThrow(() -> new AssertionError("no /upload/image of " + remoteName));
    assertThat(indexOf(upload.bodyBytes(), png)).as("the PNG's bytes in the upload").isNotNegative();
    assertThat(comfy.get().requests().stream().filter(r -> r.path().equals("/prompt") && r.method().equals("POST"))
        .anyMatch(r -> r.body().contains(remoteName))).as("a prompt loads the uploaded image").isTrue();

    browser().scrollTo(browser().card(jobId));
    browser().shot("form-05-img2img-done-1280x800");
    browser().resize(Browser.PHONE);
    browser().scrollTo(browser().field("image"));
    browser().assertFitsWidth(Browser.PHONE, "#prompt-form", "#f-image", "#generate");
    browser().shot("form-06-img2img-390x844");
    browser().resize(Browser.DESKTOP);
    browser().assertNoConsoleErrors();
  }

  @Test
  @Order(4)
  void theLastTemplateAndValuesAreRememberedOnTheNextVisit() {
    browser().open(base, "");
    awaitTemplate("img2img");
    assertThat(browser().field("prompt").getAttribute("value")).isEqualTo("as a woodcut");
    assertThat(browser().field("denoise").getAttribute("value")).isEqualTo("0.45");
    assertThat(browser().field("image").getAttribute("value")).as("a file is never preset").isEmpty();
    browser().assertNoConsoleErrors();
  }

  // ---------- helpers ----------

  private JsonNode template(String name) {
    return http.template(name, USER);
  }

  private static List<String> names(JsonNode params) {
    List<String> names = new ArrayList<>();
    params.forEach(p -> names.add(p.path("name").asText()));
    return names;
  }

  private static void awaitTemplate(String name) {
    browser().awaitForm(name);
  }

  private static List<String> shownParams() {
    return browser().driver.findElements(By.cssSelector("#param-fields > .field")).stream()
        .map(f -> f.getAttribute("data-param")).toList();
  }

  private static String label(String param) {
    return browser().driver.findElement(By.cssSelector("label[for='f-" + param + "']")).getText().replace(" *", "");
  }

  private static String fieldError(String param) {
    return browser().driver.findElement(By.id("e-" + param)).getText();
  }

  /**
   * The control of one declared parameter: its kind, limits, choices, required mark and, with
   * {@code defaults}, its declared default.
   */
  private static void assertFieldFollows(JsonNode p, boolean defaults) {
    String name = p.path("name").asText();
    WebElement control = browser().field(name);
    String what = name + " (" + p.path("type").asText() + ")";
    switch (p.path("type").asText()) {
      case "string" -> {
        assertThat(control.getTagName()).as(what).isEqualTo("textarea");
        assertThat(control.getAttribute("maxlength")).as(what).isEqualTo(p.path("max_length").asText());
      }
      case "int", "float" -> {
        assertThat(control.getAttribute("type")).as(what).isEqualTo("number");
        assertThat(Double.parseDouble(control.getAttribute("min"))).as(what + " min").isEqualTo(p.path("min").asDouble());
        assertThat(Double.parseDouble(control.getAttribute("max"))).as(what + " max").isEqualTo(p.path("max").asDouble());
        if (p.has("multiple_of")) {
          assertThat(control.getAttribute("step")).as(what + " step").isEqualTo(p.path("multiple_of").asText());
        }
      }
      case "choice" -> {
        assertThat(control.getTagName()).as(what).isEqualTo("select");
        List<String> choices = new ArrayList<>();
        p.path("choices").forEach(c -> choices.add(c.asText()));
        assertThat(new Select(control).getOptions()).extracting(o -> o.getAttribute("value")).as(what).isEqualTo(choices);
      }
      case "bool" -> assertThat(control.getAttribute("type")).as(what).isEqualTo("checkbox");
      case "image" -> {
        assertThat(control.getAttribute("type")).as(what).isEqualTo("file");
        assertThat(control.getAttribute("accept")).as(what).contains("image/png");
      }
      default -> throw new AssertionError("a type the form test does not know: " + what);
    }
    JsonNode declared = p.path("default");
    String expected = declared.isMissingNode() || declared.asText().equals("random") ? "" : declared.asText();
    if (!defaults || p.path("type").asText().equals("image")) {
      // not checked: values carried over from another template, or a file input (always empty)
    } else if (p.path("type").asText().equals("float") && !expected.isEmpty()) {
      assertThat(Double.parseDouble(control.getAttribute("value"))).as(what + " default").isEqualTo(declared.asDouble());
    } else {
      assertThat(control.getAttribute("value")).as(what + " default").isEqualTo(expected);
    }
    if (declared.asText().equals("random")) {
      assertThat(control.getAttribute("placeholder")).as(what).isEqualTo("random");
    }
    boolean required = p.path("required").asBoolean();
    assertThat(control.getAttribute("required")).as(what + " required").isEqualTo(required ? "true" : null);
    assertThat(browser().driver.findElement(By.cssSelector("label[for='f-" + name + "']")).getText().endsWith("*"))
        .as(what + " marked required").isEqualTo(required);
  }

  private long jobCount() {
    return json(http.send("GET", "api/v1/jobs", USER, null), 200).path("total").asLong();
  }

  private static long promptsReceived() {
    return comfy.get().requests().stream().filter(r -> r.method().equals("POST") && r.path().equals("/prompt")).count();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
