package io.comfygate.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.testkit.FakeComfyUi;
import java.time.Duration;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The browser UI in headless Chromium against the packaged WAR in the real Tomcat and
 * FakeComfyUi: alice generates (waiting, progress with preview, done, gallery), deletes and
 * restores an image, a hostile prompt stays text; root sees the admin banner go from OK to FAIL
 * naming ComfyUI when it stops, and Generate is then blocked with the pre-check's notice. No test
 * sleeps: every wait is a bounded WebDriverWait on what the page shows. Screenshots of each state
 * go to target/screenshots.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrowserUiIT extends DeployedWar {
  private static final String HOSTILE = "<img src=x onerror=alert(1)>";

  // 5 steps of 400 ms: a job runs for about 2 s (under the WAR's 4 s timeout), long enough that a
  // second job of the same user waits behind it (MAX_PER_USER_CONCURRENT=1) and progress is visible.
  @RegisterExtension
  static final ItComfy comfy = new ItComfy(b -> b.steps(5).stepDelay(Duration.ofMillis(400)).samplerPreviews(true));
  @RegisterExtension static final ItBrowser chromium = new ItBrowser();
  private static String jobA;
  private static String jobB;

  private static Browser browser() {
    return chromium.get();
  }

  private static ChromeDriver driver() {
    return chromium.get().driver;
  }

  @Test
  @Order(1)
  void aliceGeneratesAndFollowsHerJobsToTheGallery() throws Exception {
    http.awaitHealthy();
    browser().open(base, "");
    waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-form")));
    shot("01-signin");
    browser().signIn("alice");

    browser().setSmallImage();
    jobA = browser().submit("a lighthouse on a cliff");
    jobB = browser().submit(HOSTILE);

    // B waits behind A, with its queue position and an ETA shown
    waitFor().until(d -> "queued".equals(card(jobB).getAttribute("data-state"))
        && card(jobB).findElement(By.className("job-position")).getText().contains("Position 1"));
    shot("02-job-waiting");

    // then B runs: progress bar between 0 and 100 with the node, and a live preview
    waitFor().withMessage("job B running with progress and preview").until(d -> {
      WebElement c = card(jobB);
      int value = Integer.parseInt(c.findElement(By.className("job-progress")).getAttribute("value"));
      WebElement preview = c.findElement(By.className("job-preview"));
      return "running".equals(c.getAttribute("data-state")) && value > 0 && value < 100
          && c.findElement(By.className("job-node")).getText().contains("node")
          && preview.isDisplayed() && String.valueOf(preview.getAttribute("src")).startsWith("data:image/");
    });
    shot("03-job-progress");

    waitFor().withMessage("both jobs done").until(d -> "succeeded".equals(card(jobA).getAttribute("data-state"))
        && "succeeded".equals(card(jobB).getAttribute("data-state")));
    assertThat(card(jobB).findElement(By.className("job-state")).getText()).isEqualTo("Done");
    assertThat(card(jobB).findElement(By.className("job-cancel")).isDisplayed()).isFalse();

    // the hostile prompt is text, in the card and in the gallery; nothing ran
    assertThat(card(jobB).findElement(By.className("job-prompt")).getText()).isEqualTo(HOSTILE);
    String imageB = browser().imageIdOf(jobB);
    WebElement figure = waitFor().until(ExpectedConditions.presenceOfElementLocated(Browser.galleryImage(imageB)));
    assertThat(figure.findElement(By.className("image-prompt")).getText()).isEqualTo(HOSTILE);
    assertThat(driver().findElements(By.cssSelector("img[src='x']"))).isEmpty();
    assertThatThrownBy(() -> driver().switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
    waitFor().until(ExpectedConditions.presenceOfElementLocated(Browser.galleryImage(browser().imageIdOf(jobA))));
    waitFor().until(d -> (Boolean) ((ChromeDriver) d).executeScript(
        "const i = arguments[0].querySelector('img.thumb'); return i.complete && i.naturalWidth > 0;", figure));
    browser().scrollTo(figure);
    shot("04-done-gallery");

    // full view
    figure.findElement(By.className("thumb-button")).click();
    waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("viewer")));
    assertThat(driver().findElement(By.id("viewer-download")).getAttribute("href")).endsWith("/images/" + imageB + "/file");
    shot("05-viewer");
    driver().findElement(By.id("viewer-close")).click();
    waitFor().until(ExpectedConditions.invisibilityOfElementLocated(By.id("viewer")));

    browser().resize(Browser.PHONE);
    shot("06-phone-width");
    browser().resize(Browser.DESKTOP);
    assertNoConsoleErrors();
  }

  @Test
  @Order(2)
  void deleteShowsTheImageInTheTrashLabelledDeletedAndRestoreBringsItBack() {
    assertThat(jobB).as("the first test made the image").isNotNull();
    browser().open(base, "");
    waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("workspace")));
    String image = browser().imageIdOf(jobB);
    WebElement figure = waitFor().until(ExpectedConditions.presenceOfElementLocated(Browser.galleryImage(image)));
    figure.findElement(By.className("delete")).click();
    waitFor().until(ExpectedConditions.numberOfElementsToBe(Browser.galleryImage(image), 0));

    driver().findElement(By.id("show-trash")).click();
    waitFor().until(d -> "trash".equals(d.findElement(By.id("gallery-grid")).getAttribute("data-view")));
    WebElement trashed = waitFor().until(ExpectedConditions.visibilityOfElementLocated(Browser.galleryImage(image)));
    assertThat(trashed.findElement(By.className("deleted-label")).getAttribute("textContent")).isEqualTo("deleted");
    assertThat(trashed.findElement(By.className("deleted-label")).isDisplayed()).isTrue();
    browser().scrollTo(trashed);
    shot("07-trash");

    trashed.findElement(By.className("restore")).click();
    waitFor().until(ExpectedConditions.numberOfElementsToBe(Browser.galleryImage(image), 0));
    driver().findElement(By.id("show-gallery")).click();
    WebElement restored = waitFor().until(d -> "gallery".equals(d.findElement(By.id("gallery-grid")).getAttribute("data-view"))
        ? d.findElements(Browser.galleryImage(image)).stream().findFirst().orElse(null) : null);
    assertThat(restored.findElements(By.className("deleted-label"))).isEmpty();
    browser().scrollTo(restored);
    shot("08-restored");
    assertNoConsoleErrors();
  }

  @Test
  @Order(3)
  void adminBannerTurnsFailNamingComfyUiAndGenerateIsBlocked() throws Exception {
    http.awaitHealthy();
    browser().open(base, "");
    WebElement signOut = waitFor().until(ExpectedConditions.elementToBeClickable(By.id("signout")));
    signOut.click();
    waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-form")));

    browser().open(base, "admin"); // the folder's welcome file
    waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-form")));
    assertThat(driver().getCurrentUrl()).endsWith("/admin/");
    browser().signIn("root");
    waitFor().until(ExpectedConditions.textToBe(By.id("banner-status"), "OK"));
    assertThat(driver().findElement(By.id("banner")).getAttribute("class")).contains("ok");
    waitFor().until(d -> !d.findElements(By.cssSelector("#images tr")).isEmpty());
    shot("09-admin-ok");

    String comfyCheck = "comfyui:127.0.0.1:" + comfy.get().port();
    comfy.get().stop();
    try {
      // the engine notices within its health interval (1 s here); each poll presses Refresh again
      browser().refreshBannerUntil("FAIL", comfyCheck);
      assertThat(driver().findElement(By.id("banner")).getAttribute("class")).contains("fail");
      shot("10-admin-fail");

      browser().open(base, "");
      waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("workspace")));
      // counted in the store: the page may still be drawing the cards of the earlier jobs
      long before = ItHttp.json(http.send("GET", "api/v1/jobs", "root", null), 200).path("total").asLong();
      browser().setPrompt("while ComfyUI is down");
      browser().generate();
      WebElement notice = waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("notice")));
      assertThat(notice.getText()).startsWith("Generation is unavailable right now").containsIgnoringCase("comfyui");
      assertThat(ItHttp.json(http.send("GET", "api/v1/jobs", "root", null), 200).path("total").asLong())
          .as("no job was submitted").isEqualTo(before);
      shot("11-generate-blocked");
      assertNoConsoleErrors();
    } finally {
      comfy.get().restart();
    }
  }

  // ---------- helpers (the shared ones live in Browser) ----------

  private static WebDriverWait waitFor() {
    return browser().waitFor();
  }

  private static WebElement card(String jobId) {
    return browser().card(jobId);
  }

  private static void shot(String name) {
    browser().shot(name);
  }

  private static void assertNoConsoleErrors() {
    browser().assertNoConsoleErrors(Browser.ExpectedHttpError.SIGNED_OUT_PROBE);
  }
}
