package io.comfygate.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.testkit.FakeComfyUi;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
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
@ExtendWith(ArquillianExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrowserUiIT {
  private static final String HOSTILE = "<img src=x onerror=alert(1)>";
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static FakeComfyUi comfy;
  private static ChromeDriver driver;
  private static Path profile;
  private static Path screenshots;
  private static String jobA;
  private static String jobB;

  @BeforeAll
  static void start() throws IOException {
    // 5 steps of 400 ms: a job runs for about 2 s (under the WAR's 4 s timeout), long enough that a
    // second job of the same user waits behind it (MAX_PER_USER_CONCURRENT=1) and progress is visible.
    comfy = FakeComfyUi.builder().port(Integer.getInteger("it.comfy.port")).steps(5).stepDelay(Duration.ofMillis(400))
        .samplerPreviews(true).start();
    screenshots = Path.of(System.getProperty("it.screenshots.dir", "target/screenshots"));
    Files.createDirectories(screenshots);
    profile = Files.createTempDirectory("comfygate-chromium-");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium").addArguments("--headless=new", "--no-sandbox",
        "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + profile, "--window-size=1280,800");
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
        .usingAnyFreePort().build();
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(Duration.ofSeconds(10));
    driver.manage().window().setSize(new Dimension(1280, 800));
  }

  @AfterAll
  static void stop() throws IOException {
    try {
      if (driver != null) {
        driver.quit();
      }
    } finally {
      comfy.close();
      if (profile != null) {
        try (Stream<Path> files = Files.walk(profile)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  @Deployment(testable = false)
  static WebArchive war() {
    return WarUnderTest.packagedWar();
  }

  @ArquillianResource URL base;

  private String page(String path) {
    return new WarUnderTest(base).uri("http", path).toString();
  }

  @Test
  @Order(1)
  void aliceGeneratesAndFollowsHerJobsToTheGallery() throws Exception {
    new WarUnderTest(base).awaitHealthy();
    driver.get(page(""));
    waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-form")));
    shot("01-signin");
    signIn("alice");

    Set<String> before = cardIds();
    setSmallImage();
    setPrompt("a lighthouse on a cliff");
    jobA = submitAndAwaitNewCard(before);
    before.add(jobA);
    setPrompt(HOSTILE);
    jobB = submitAndAwaitNewCard(before);

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
    String imageB = imageIdOf(jobB);
    WebElement figure = waitFor().until(ExpectedConditions.presenceOfElementLocated(galleryImage(imageB)));
    assertThat(figure.findElement(By.className("image-prompt")).getText()).isEqualTo(HOSTILE);
    assertThat(driver.findElements(By.cssSelector("img[src='x']"))).isEmpty();
    assertThatThrownBy(() -> driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
    waitFor().until(ExpectedConditions.presenceOfElementLocated(galleryImage(imageIdOf(jobA))));
    waitFor().until(d -> (Boolean) ((ChromeDriver) d).executeScript(
        "const i = arguments[0].querySelector('img.thumb'); return i.complete && i.naturalWidth > 0;", figure));
    scrollTo(figure);
    shot("04-done-gallery");

    // full view
    figure.findElement(By.className("thumb-button")).click();
    waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("viewer")));
    assertThat(driver.findElement(By.id("viewer-download")).getAttribute("href")).endsWith("/images/" + imageB + "/file");
    shot("05-viewer");
    driver.findElement(By.id("viewer-close")).click();
    waitFor().until(ExpectedConditions.invisibilityOfElementLocated(By.id("viewer")));

    driver.manage().window().setSize(new Dimension(390, 844));
    shot("06-phone-width");
    driver.manage().window().setSize(new Dimension(1280, 800));
    assertNoConsoleErrors();
  }

  @Test
  @Order(2)
  void deleteShowsTheImageInTheTrashLabelledDeletedAndRestoreBringsItBack() {
    assertThat(jobB).as("the first test made the image").isNotNull();
    driver.get(page(""));
    waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("workspace")));
    String image = imageIdOf(jobB);
    WebElement figure = waitFor().until(ExpectedConditions.presenceOfElementLocated(galleryImage(image)));
    figure.findElement(By.className("delete")).click();
    waitFor().until(ExpectedConditions.numberOfElementsToBe(galleryImage(image), 0));

    driver.findElement(By.id("show-trash")).click();
    waitFor().until(d -> "trash".equals(d.findElement(By.id("gallery-grid")).getAttribute("data-view")));
    WebElement trashed = waitFor().until(ExpectedConditions.visibilityOfElementLocated(galleryImage(image)));
    assertThat(trashed.findElement(By.className("deleted-label")).getAttribute("textContent")).isEqualTo("deleted");
    assertThat(trashed.findElement(By.className("deleted-label")).isDisplayed()).isTrue();
    scrollTo(trashed);
    shot("07-trash");

    trashed.findElement(By.className("restore")).click();
    waitFor().until(ExpectedConditions.numberOfElementsToBe(galleryImage(image), 0));
    driver.findElement(By.id("show-gallery")).click();
    WebElement restored = waitFor().until(d -> "gallery".equals(d.findElement(By.id("gallery-grid")).getAttribute("data-view"))
        ? d.findElements(galleryImage(image)).stream().findFirst().orElse(null) : null);
    assertThat(restored.findElements(By.className("deleted-label"))).isEmpty();
    scrollTo(restored);
    shot("08-restored");
    assertNoConsoleErrors();
  }

  @Test
  @Order(3)
  void adminBannerTurnsFailNamingComfyUiAndGenerateIsBlocked() throws Exception {
    new WarUnderTest(base).awaitHealthy();
    driver.get(page(""));
    WebElement signOut = waitFor().until(ExpectedConditions.elementToBeClickable(By.id("signout")));
    signOut.click();
    waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-form")));

    driver.get(page("admin")); // the folder's welcome file
    waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-form")));
    assertThat(driver.getCurrentUrl()).endsWith("/admin/");
    signIn("root");
    waitFor().until(ExpectedConditions.textToBe(By.id("banner-status"), "OK"));
    assertThat(driver.findElement(By.id("banner")).getAttribute("class")).contains("ok");
    waitFor().until(d -> !d.findElements(By.cssSelector("#images tr")).isEmpty());
    shot("09-admin-ok");

    String comfyCheck = "comfyui:127.0.0.1:" + comfy.port();
    comfy.stop();
    try {
      // the engine notices within its health interval (1 s here); each poll presses Refresh again
      new WebDriverWait(driver, WAIT, Duration.ofMillis(700)).withMessage("banner FAIL naming " + comfyCheck).until(d -> {
        if ("FAIL".equals(d.findElement(By.id("banner-status")).getText())
            && d.findElement(By.id("banner-checks")).getText().contains(comfyCheck)) {
          return true;
        }
        WebElement refresh = d.findElement(By.id("refresh"));
        if (refresh.isEnabled()) {
          refresh.click();
        }
        return false;
      });
      assertThat(driver.findElement(By.id("banner")).getAttribute("class")).contains("fail");
      shot("10-admin-fail");

      driver.get(page(""));
      waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("workspace")));
      Set<String> before = cardIds();
      setPrompt("while ComfyUI is down");
      driver.findElement(By.id("generate")).click();
      WebElement notice = waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("notice")));
      assertThat(notice.getText()).startsWith("Generation is unavailable right now").containsIgnoringCase("comfyui");
      waitFor().until(ExpectedConditions.elementToBeClickable(By.id("generate")));
      assertThat(cardIds()).as("no job was submitted").isEqualTo(before);
      shot("11-generate-blocked");
      assertNoConsoleErrors();
    } finally {
      comfy.restart();
    }
  }

  // ---------- helpers ----------

  private static WebDriverWait waitFor() {
    return new WebDriverWait(driver, WAIT, Duration.ofMillis(50));
  }

  private static void signIn(String user) {
    driver.findElement(By.id("username")).sendKeys(user);
    driver.findElement(By.id("password")).sendKeys(user + "-pw");
    driver.findElement(By.id("signin-submit")).click();
    waitFor().until(ExpectedConditions.textToBe(By.id("who"), "Signed in as " + user));
  }

  private static void setPrompt(String text) {
    WebElement prompt = driver.findElement(By.id("f-prompt"));
    prompt.clear();
    prompt.sendKeys(text);
  }

  /** Small, quick images (the fake draws them whatever the size). */
  private static void setSmallImage() {
    WebElement steps = driver.findElement(By.id("f-steps"));
    steps.clear();
    steps.sendKeys("5");
    for (String size : List.of("f-width", "f-height")) {
      WebElement field = driver.findElement(By.id(size));
      field.clear();
      field.sendKeys("64");
    }
  }

  private static String submitAndAwaitNewCard(Set<String> before) {
    waitFor().until(ExpectedConditions.elementToBeClickable(By.id("generate"))).click();
    return waitFor().withMessage("a new job card").until(d -> {
      Set<String> now = cardIds();
      now.removeAll(before);
      return now.isEmpty() ? null : now.iterator().next();
    });
  }

  private static Set<String> cardIds() {
    return driver.findElements(By.cssSelector("#job-list .job")).stream().map(c -> c.getAttribute("data-job-id"))
        .collect(Collectors.toCollection(HashSet::new));
  }

  private static WebElement card(String jobId) {
    return driver.findElement(By.cssSelector("#job-list .job[data-job-id='" + jobId + "']"));
  }

  private static By galleryImage(String imageId) {
    return By.cssSelector("#gallery-grid figure[data-image-id='" + imageId + "']");
  }

  /** The image id of a finished job, from its card's result thumbnail (…/images/{id}/file). */
  private static String imageIdOf(String jobId) {
    WebElement img = waitFor().until(d -> card(jobId).findElements(By.cssSelector(".job-images img")).stream().findFirst().orElse(null));
    String src = img.getAttribute("src");
    return src.replaceAll(".*/images/([^/]+)/file$", "$1");
  }

  private static void scrollTo(WebElement element) {
    driver.executeScript("arguments[0].scrollIntoView({block: 'center'});", element);
  }

  private static void shot(String name) {
    try {
      Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), screenshots.resolve(name + ".png"),
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }

  /**
   * No SEVERE browser log entry, except the one the page causes on purpose: its start-up probe
   * {@code GET api/v1/session} answers 401 when nobody is signed in, which Chromium logs.
   */
  private static void assertNoConsoleErrors() {
    List<String> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage)
        .filter(m -> !(m.contains("/api/v1/session") && m.contains("401")))
        .toList();
    assertThat(errors).as("browser console errors").isEmpty();
  }
}
