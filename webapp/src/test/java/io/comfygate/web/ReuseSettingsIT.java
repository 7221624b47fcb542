package io.comfygate.web;

import static io.comfygate.web.ItHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.testkit.SampleImages;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * What made an image, and making it again, in headless Chromium against the packaged WAR in the
 * real Tomcat and FakeComfyUi: a txt2img job's card and its image in the viewer show the template
 * and settings; "Use these settings" (from the keyboard) fills every field with the job's values,
 * seed included, and the job it submits gives ComfyUI the very same workflow. An img2img job shows
 * its input image and reuses its upload; once the upload is gone the card says so and the form
 * asks for the image again.
 * Screenshots go to target/screenshots (reuse-*.png), at 1280x800 and at phone width.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReuseSettingsIT extends DeployedWar {
  /** Only this IT signs carol in: her input image is removed midway, and no other page may show her cards. */
  private static final String USER = "carol";
  private static final String KITE = "a red kite over the dunes";
  private static final String WOODCUT = "the harbour as a woodcut";

  @RegisterExtension static final ItComfy comfy = ItComfy.withSteps(2);
  @RegisterExtension static final ItBrowser chromium = new ItBrowser();
  private static String img2imgJob;
  private static String uploadId;

  private static Browser browser() {
    return chromium.get();
  }

  @Test
  @Order(1)
  void aTxt2imgImageIsMadeAgainFromItsSettings() {
    http.awaitHealthy();
    browser().open(base, "");
    browser().signIn(USER);
    browser().awaitForm("txt2img");
    browser().setPrompt(KITE);
    browser().setField("negative_prompt", "fog");
    browser().setField("width", "64");
    browser().setField("height", "72");
    browser().setField("steps", "3");
    browser().setField("seed", "1234");
    browser().setField("cfg", "6.5");
    new Select(browser().field("sampler")).selectByValue("dpmpp_2m");
    String first = browser().submitForm("the kite job's card");
    WebElement card = browser().awaitCard(first, "succeeded");
    JsonNode job = json(http.send("GET", "api/v1/jobs/" + first, USER, null), 200);
    assertThat(job.path("params").path("seed").asLong()).isEqualTo(1234);

    String line = "txt2img \u00b7 64\u00d772 \u00b7 3 steps \u00b7 seed 1234 \u00b7 CFG 6.5 \u00b7 Sampler dpmpp_2m \u00b7 Batch size 1";
    assertThat(card.findElement(By.className("job-settings")).getText()).isEqualTo(line);
    assertThat(card.findElement(By.className("job-reuse")).isDisplayed()).isTrue();

    String image = browser().imageIdOf(first);
    browser().waitFor().until(ExpectedConditions.elementToBeClickable(
        thumb(image))).click();
    WebElement settings = browser().waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("viewer-settings")));
    assertThat(settings.getText()).isEqualTo(line);
    assertThat(browser().driver.findElement(By.id("viewer-input")).isDisplayed()).as("no input image for txt2img").isFalse();
    for (Dimension size : List.of(Browser.PHONE, Browser.DESKTOP)) {
      browser().resize(size);
      browser().assertFitsWidth(size, "#viewer-settings", "#viewer-reuse", "#viewer-close");
      browser().shot("reuse-01-viewer-" + size.getWidth() + "x" + size.getHeight());
    }

    // the form now holds other values; the viewer's first control is the button, pressed from the keyboard
    browser().driver.findElement(By.id("viewer-close")).click();
    browser().setPrompt("something else entirely");
    browser().setField("seed", "99");
    browser().setField("steps", "7");
    new Select(browser().field("sampler")).selectByValue("euler");
    browser().driver.findElement(thumb(image)).click();
    browser().waitFor().until(d -> "viewer-reuse".equals(d.switchTo().activeElement().getAttribute("id")));
    long jobsBefore = jobTotal();
    new Actions(browser().driver).sendKeys(Keys.ENTER).perform();

    browser().waitFor().withMessage("the viewer closes").until(d -> d.findElement(By.id("viewer")).getAttribute("open") == null);
    browser().waitFor().withMessage("focus on the form's first field")
        .until(d -> "f-prompt".equals(d.switchTo().activeElement().getAttribute("id")));
    assertFormHolds(job);
    assertThat(browser().driver.findElement(By.id("notice")).isDisplayed()).as("nothing to complain about").isFalse();
    assertThat(jobTotal()).as("the button sent nothing").isEqualTo(jobsBefore);
    browser().shot("reuse-02-form-filled-1280x800");

    String again = browser().submitForm("the second kite job's card");
    browser().awaitCard(again, "succeeded");
    List<JsonNode> workflows = workflowsWith(KITE);
    assertThat(workflows).hasSize(2);
    assertThat(workflows.get(1).path("3").path("inputs").path("seed").asLong()).isEqualTo(1234);
    assertThat(workflows.get(1).path("6").path("inputs").path("text").asText()).isEqualTo(KITE);
    assertThat(workflows.get(1)).as("ComfyUI got the same workflow again").isEqualTo(workflows.get(0));
    browser().assertNoConsoleErrors(Browser.ExpectedHttpError.SIGNED_OUT_PROBE);
  }

  @Test
  @Order(2)
  void anImg2imgJobShowsItsInputAndReusesTheUpload(@TempDir Path dir) throws Exception {
    new Select(browser().driver.findElement(By.id("template-picker"))).selectByValue("img2img");
    browser().awaitForm("img2img");
    Path file = Files.write(dir.resolve("harbour.png"), SampleImages.png(72, 40));
    browser().driver.findElement(By.id("f-image")).sendKeys(file.toString());
    browser().waitFor().until(ExpectedConditions.textToBe(By.id("s-image"), "Uploaded harbour.png (72\u00d740)"));
    uploadId = browser().driver.findElement(By.id("f-image")).getAttribute("data-upload-id");
    browser().setPrompt(WOODCUT);
    browser().setField("steps", "2");
    browser().setField("seed", "77");
    browser().setField("denoise", "0.45");
    browser().setField("cfg", "7");
    new Select(browser().field("sampler")).selectByValue("euler");
    img2imgJob = browser().submitForm("the img2img job's card");
    WebElement card = browser().awaitCard(img2imgJob, "succeeded");
    JsonNode job = json(http.send("GET", "api/v1/jobs/" + img2imgJob, USER, null), 200);

    String line = "img2img \u00b7 Denoise 0.45 \u00b7 2 steps \u00b7 seed 77 \u00b7 CFG 7 \u00b7 Sampler euler";
    assertThat(card.findElement(By.className("job-settings")).getText()).isEqualTo(line);
    WebElement input = card.findElement(By.cssSelector(".job-input img"));
    assertThat(input.getAttribute("src")).endsWith("/api/v1/uploads/" + uploadId + "/file");
    browser().waitFor().withMessage("the input thumbnail loads").until(d -> ((Number) browser().driver
        .executeScript("return arguments[0].complete ? arguments[0].naturalWidth : 0;", input)).intValue() == 72);
    for (Dimension size : List.of(Browser.DESKTOP, Browser.PHONE)) {
      browser().resize(size);
      browser().scrollTo(browser().card(img2imgJob));
      browser().assertFitsWidth(size, "#job-list .job[data-job-id='" + img2imgJob + "'] .job-reuse");
      browser().shot("reuse-03-img2img-card-" + size.getWidth() + "x" + size.getHeight());
    }
    browser().resize(Browser.DESKTOP);
    String image = browser().imageIdOf(img2imgJob);
    browser().waitFor().until(ExpectedConditions.elementToBeClickable(thumb(image))).click();
    WebElement viewed = browser().waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#viewer-input img")));
    assertThat(viewed.getAttribute("src")).endsWith("/api/v1/uploads/" + uploadId + "/file");
    assertThat(browser().driver.findElement(By.id("viewer-settings")).getText()).isEqualTo(line);
    browser().shot("reuse-03-img2img-viewer-1280x800");
    browser().driver.findElement(By.id("viewer-close")).click();

    // back on txt2img with another prompt, the card's button brings img2img and its image back
    new Select(browser().driver.findElement(By.id("template-picker"))).selectByValue("txt2img");
    browser().awaitForm("txt2img");
    browser().setPrompt("not this");
    browser().card(img2imgJob).findElement(By.className("job-reuse")).click();
    browser().awaitForm("img2img");
    browser().waitFor().until(ExpectedConditions.attributeToBe(By.id("f-image"), "data-upload-id", uploadId));
    assertThat(browser().driver.findElement(By.id("s-image")).getText())
        .isEqualTo("Using the earlier input image (72\u00d740); choose a file to replace it");
    assertFormHolds(job);
    browser().scrollTo(browser().field("image"));
    browser().shot("reuse-04-img2img-form-1280x800");

    String again = browser().submitForm("the second img2img job's card");
    browser().awaitCard(again, "succeeded");
    JsonNode second = json(http.send("GET", "api/v1/jobs/" + again, USER, null), 200);
    assertThat(second.path("params")).isEqualTo(job.path("params"));
    List<JsonNode> workflows = workflowsWith(WOODCUT);
    assertThat(workflows).hasSize(2);
    assertThat(workflows.get(1).path("6").path("inputs").path("seed").asLong()).isEqualTo(77);
    assertThat(workflows.get(1)).isEqualTo(workflows.get(0));
    browser().assertNoConsoleErrors();
  }

  @Test
  @Order(3)
  void anInputImageNoLongerKeptMustBeChosenAgain() throws Exception {
    ItUploads.removeAsTheSweepDoes(uploadId);
    json(http.send("GET", "api/v1/uploads/" + uploadId, USER, null), 404);
    // shown again later: the card says the input image is gone instead of showing it
    browser().open(base, "");
    browser().awaitForm("img2img");
    browser().waitFor().until(d -> browser().card(img2imgJob).findElement(By.className("job-input")).getText()
        .equals("Input image (no longer kept)"));
    new Select(browser().driver.findElement(By.id("template-picker"))).selectByValue("txt2img");
    browser().awaitForm("txt2img");
    browser().card(img2imgJob).findElement(By.className("job-reuse")).click();
    browser().awaitForm("img2img");
    String reason = "the earlier input image is no longer kept; choose the image again";
    browser().waitFor().until(ExpectedConditions.textToBe(By.id("e-image"), reason));
    assertThat(browser().driver.findElement(By.id("notice")).getText())
        .isEqualTo("Not every setting can be used again: image: " + reason + ".");
    assertThat(browser().field("image").getAttribute("aria-invalid")).isEqualTo("true");
    assertThat(browser().driver.switchTo().activeElement().getAttribute("id")).isEqualTo("f-image");
    assertThat(browser().field("prompt").getAttribute("value")).as("the other settings are filled in").isEqualTo(WOODCUT);
    assertThat(browser().field("seed").getAttribute("value")).isEqualTo("77");
    browser().shot("reuse-05-input-gone-1280x800");
    browser().resize(Browser.PHONE);
    browser().assertFitsWidth(Browser.PHONE, "#f-image", "#e-image", "#notice");
    browser().shot("reuse-06-input-gone-390x844");
    browser().resize(Browser.DESKTOP);
    browser().assertNoConsoleErrors(Browser.ExpectedHttpError.api("v1/uploads/" + uploadId, 404),
        Browser.ExpectedHttpError.api("v1/uploads/" + uploadId + "/file", 404));
  }

  // ---------- helpers ----------

  /** Every field of the job's template holds the job's bound value. */
  private void assertFormHolds(JsonNode job) {
    JsonNode params = job.path("params");
    assertThat(new Select(browser().driver.findElement(By.id("template-picker"))).getFirstSelectedOption().getText())
        .isEqualTo(job.path("template").asText());
    for (JsonNode p : http.template(job.path("template").asText(), USER).path("params")) {
      String name = p.path("name").asText();
      WebElement control = browser().field(name);
      JsonNode value = params.path(name);
      assertThat(value.isMissingNode()).as(name + " bound in the job").isFalse();
      switch (p.path("type").asText()) {
        case "image" -> assertThat(control.getAttribute("data-upload-id")).as(name).isEqualTo(value.asText());
        case "bool" -> assertThat(control.isSelected()).as(name).isEqualTo(value.asBoolean());
        case "int", "float" -> assertThat(Double.parseDouble(control.getAttribute("value"))).as(name).isEqualTo(value.asDouble());
        default -> assertThat(control.getAttribute("value")).as(name).isEqualTo(value.asText());
      }
    }
  }

  private static By thumb(String imageId) {
    return By.cssSelector("#gallery-grid figure[data-image-id='" + imageId + "'] .thumb-button");
  }

  private long jobTotal() {
    return json(http.send("GET", "api/v1/jobs", USER, null), 200).path("total").asLong();
  }

  /** The workflows ComfyUI was given whose text mentions {@code prompt}, oldest first. */
  private static List<JsonNode> workflowsWith(String prompt) {
    return comfy.get().requests().stream()
        .filter(r -> r.method().equals("POST") && r.path().equals("/prompt") && r.body().contains(prompt))
        .map(r -> {
          try {
            return ItHttp.JSON.readTree(r.body()).path("prompt");
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }).toList();
  }
}
