package io.comfygate.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
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
 * One headless Chromium (Debian's chromium + chromedriver) with a profile of its own, so each
 * instance is a separate browser session with its own cookies, plus the steps the browser ITs share
 * on the user page (sign in, fill the form, find cards and gallery figures), screenshots and the
 * console check. Every wait is bounded ({@link #WAIT}). Not thread-safe: one test thread drives it.
 */
final class Browser implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final Dimension DESKTOP = new Dimension(1280, 800);
  static final Dimension PHONE = new Dimension(390, 844);

  final ChromeDriver driver;
  private final Path profile;
  private final Path screenshots;

  private Browser(ChromeDriver driver, Path profile, Path screenshots) {
    this.driver = driver;
    this.profile = profile;
    this.screenshots = screenshots;
  }

  /** A new Chromium at desktop size. */
  static Browser start() throws IOException {
    Path screenshots = Path.of(System.getProperty("it.screenshots.dir", "target/screenshots"));
    Files.createDirectories(screenshots);
    Path profile = Files.createTempDirectory("comfygate-chromium-");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium").addArguments("--headless=new", "--no-sandbox",
        "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + profile, "--window-size=1280,800", "--lang=en-US");
    // the pages follow the browser's language: English unless a test switches
    options.setExperimentalOption("prefs", Map.of("intl.accept_languages", "en-US,en"));
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
        .usingAnyFreePort().build();
    ChromeDriver driver;
    try {
      driver = new ChromeDriver(service, options);
    } catch (RuntimeException e) {
      deleteTree(profile);
      throw e;
    }
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(Duration.ofSeconds(10));
    Browser browser = new Browser(driver, profile, screenshots);
    browser.resize(DESKTOP);
    return browser;
  }

  /** {@code count} browsers started side by side (a Chromium start is mostly waiting). */
  static List<Browser> startAll(int count) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(count);
    List<Future<Browser>> starting = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        starting.add(pool.submit(Browser::start));
      }
      List<Browser> started = new ArrayList<>();
      Exception failure = null;
      for (Future<Browser> f : starting) {
        try {
          started.add(f.get(60, TimeUnit.SECONDS));
        } catch (Exception e) {
          failure = e;
        }
      }
      if (failure != null) {
        started.forEach(Browser::close);
        throw failure;
      }
      return started;
    } finally {
      pool.shutdownNow();
    }
  }

  WebDriverWait waitFor() {
    return waitFor(WAIT);
  }

  WebDriverWait waitFor(Duration limit) {
    // the pages re-render their lists whole, so an element found a moment ago may be gone
    WebDriverWait wait = new WebDriverWait(driver, limit, Duration.ofMillis(50));
    wait.ignoring(StaleElementReferenceException.class);
    return wait;
  }

  /** Loads {@code path} (relative, e.g. {@code admin/}) of the WAR deployed at {@code base}. */
  void open(URL base, String path) {
    // on loopback, whatever address the container reports
    driver.get(URI.create("http://127.0.0.1:" + base.getPort() + base.getPath()).resolve(path).toString());
  }

  /** Sets the window size; headless Chromium then reports it as the viewport. */
  void resize(Dimension size) {
    driver.manage().window().setSize(size);
  }

  void signIn(String user) {
    waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("username"))).sendKeys(user);
    driver.findElement(By.id("password")).sendKeys(user + "-pw");
    driver.findElement(By.id("signin-submit")).click();
    waitFor().until(ExpectedConditions.textToBe(By.id("who"), "Signed in as " + user));
  }

  /**
   * The prompt form's field for template parameter {@code name} ({@code #f-<name>}), once the form
   * has been built from the templates (it is built after sign-in).
   */
  WebElement field(String name) {
    return waitFor().withMessage("form field " + name).until(ExpectedConditions.visibilityOfElementLocated(By.id("f-" + name)));
  }

  /** Waits until the prompt form shows template {@code name} and Generate can be pressed. */
  void awaitForm(String name) {
    waitFor().withMessage("the " + name + " form").until(
        ExpectedConditions.attributeToBe(By.id("param-fields"), "data-template", name));
    waitFor().until(ExpectedConditions.elementToBeClickable(By.id("generate")));
  }

  /** Replaces a text or number field's value with {@code text}. */
  void setField(String name, String text) {
    WebElement field = field(name);
    field.clear();
    field.sendKeys(text);
  }

  void setPrompt(String text) {
    setField("prompt", text);
  }

  /** Small, quick images (the fake draws them whatever the size). */
  void setSmallImage() {
    setField("steps", "5");
    setField("width", "64");
    setField("height", "64");
  }

  /** Presses Generate and waits until the pre-check and the submit are over (the button is back). */
  void generate() {
    waitFor().until(ExpectedConditions.elementToBeClickable(By.id("generate"))).click();
    waitFor().until(d -> "true".equals(d.findElement(By.id("generate")).getAttribute("disabled")) ? null : true);
  }

  /** Sets the prompt, presses Generate and returns the id of the job card that appears. */
  String submit(String prompt) {
    setPrompt(prompt);
    return submitForm("a new job card for " + prompt);
  }

  /** Presses Generate on the form as it is and returns the id of the job card that appears. */
  String submitForm(String what) {
    Set<String> before = cardIds();
    waitFor().until(ExpectedConditions.elementToBeClickable(By.id("generate"))).click();
    return waitFor().withMessage(what).until(d -> {
      Set<String> now = cardIds();
      now.removeAll(before);
      return now.isEmpty() ? null : now.iterator().next();
    });
  }

  Set<String> cardIds() {
    return driver.findElements(By.cssSelector("#job-list .job")).stream().map(c -> c.getAttribute("data-job-id"))
        .collect(Collectors.toCollection(HashSet::new));
  }

  WebElement card(String jobId) {
    return driver.findElement(By.cssSelector("#job-list .job[data-job-id='" + jobId + "']"));
  }

  /** Waits until the job's card is in {@code state} (its data-state) and returns the card. */
  WebElement awaitCard(String jobId, String state) {
    return waitFor().withMessage("job " + jobId + " " + state)
        .until(d -> state.equals(card(jobId).getAttribute("data-state")) ? card(jobId) : null);
  }

  /**
   * On the admin page: presses Refresh until the banner says {@code status} and its text contains
   * {@code mustContain} (the engine re-checks health every HEALTH_CHECK_INTERVAL_SECONDS).
   */
  void refreshBannerUntil(String status, String mustContain) {
    waitFor().pollingEvery(Duration.ofMillis(700)).withMessage("banner " + status + " with " + mustContain).until(d -> {
      if (status.equals(d.findElement(By.id("banner-status")).getText())
          && d.findElement(By.id("banner")).getText().contains(mustContain)) {
        return true;
      }
      WebElement refresh = d.findElement(By.id("refresh"));
      if (refresh.isEnabled()) {
        refresh.click();
      }
      return false;
    });
  }

  static By galleryImage(String imageId) {
    return By.cssSelector("#gallery-grid figure[data-image-id='" + imageId + "']");
  }

  /** The image id of a finished job, from its card's result thumbnail (…/images/{id}/file). */
  String imageIdOf(String jobId) {
    WebElement img = waitFor().until(d -> card(jobId).findElements(By.cssSelector(".job-images img")).stream().findFirst().orElse(null));
    return img.getAttribute("src").replaceAll(".*/images/([^/]+)/file$", "$1");
  }

  void scrollTo(WebElement element) {
    driver.executeScript("arguments[0].scrollIntoView({block: 'center'});", element);
  }

  /**
   * The page needs no horizontal scrolling at this size, and each selected element is shown within
   * the visible width. The width that counts is the root element's clientWidth, not innerWidth:
   * headless Chromium draws classic scrollbars, and innerWidth includes the vertical one, so a page
   * as wide as innerWidth already scrolls sideways by the scrollbar's width.
   */
  void assertFitsWidth(Dimension size, String... selectors) {
    Map<?, ?> metrics = (Map<?, ?>) driver.executeScript("return {inner: window.innerWidth, "
        + "client: document.documentElement.clientWidth, scroll: document.scrollingElement.scrollWidth};");
    assertThat(((Number) metrics.get("inner")).longValue()).as("viewport width").isEqualTo(size.getWidth());
    long visible = ((Number) metrics.get("client")).longValue();
    assertThat(((Number) metrics.get("scroll")).longValue()).as("scroll width at " + size).isLessThanOrEqualTo(visible);
    for (String selector : selectors) {
      WebElement element = driver.findElement(By.cssSelector(selector));
      assertThat(element.isDisplayed()).as(selector + " shown").isTrue();
      assertThat(element.getRect().getX()).as(selector + " left").isGreaterThanOrEqualTo(0);
      assertThat(element.getRect().getX() + element.getRect().getWidth()).as(selector + " right").isLessThanOrEqualTo((int) visible);
    }
  }

  /**
   * Whether the element is shown inside the viewport as it stands (no scrolling): wholly, or, with
   * {@code topOnly}, at least its top edge (a tall card whose head and progress are in view).
   */
  boolean inViewport(WebElement element, boolean topOnly) {
    return Boolean.TRUE.equals(driver.executeScript("const r = arguments[0].getBoundingClientRect();"
        + " const h = window.innerHeight, w = document.documentElement.clientWidth;"
        + " return r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0 && r.right <= w"
        + " && (arguments[1] ? r.top < h : r.bottom <= h);", element, topOnly));
  }

  /** Picks {@code lang} in the header's language switch and waits until the page has reloaded in it. */
  void switchLanguage(String lang) {
    new org.openqa.selenium.support.ui.Select(waitFor().until(ExpectedConditions.elementToBeClickable(By.id("lang"))))
        .selectByValue(lang);
    waitFor().withMessage("the page in " + lang).until(d -> lang.equals(d.findElement(By.tagName("html")).getAttribute("lang"))
        && lang.equals(d.findElement(By.id("lang")).getAttribute("value")));
  }

  /** Saves a PNG of the viewport as {@code name}.png in the screenshot folder. */
  void shot(String name) {
    try {
      Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), screenshots.resolve(name + ".png"),
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A response status that Chromium logs as a SEVERE console entry ("URL - Failed to load
   * resource: the server responded with a status of N") and that a test caused on purpose:
   * {@code path} is a regular expression for the URL's path (a query may follow), {@code status}
   * the status.
   */
  record ExpectedHttpError(String path, int status) {
    /** The page's start-up probe of the session, answered 401 when nobody is signed in. */
    static final ExpectedHttpError SIGNED_OUT_PROBE = api("v1/session", 401);
    /**
     * The icon Chromium asks the server root for when it shows a document that names none (the
     * JSON of /healthz); the pages name an inline one.
     */
    static final ExpectedHttpError ROOT_FAVICON = new ExpectedHttpError("/favicon\\.ico", 404);

    /** {@code apiPath} under the WAR's api/ (the context path is one segment). */
    static ExpectedHttpError api(String apiPath, int status) {
      return new ExpectedHttpError("/[^/?]+/api/" + Pattern.quote(apiPath), status);
    }

    boolean matches(String message) {
      return message.matches("^https?://[^/]+" + path + "(\\?\\S*)? - Failed to load resource: the server responded with a status of "
          + status + "\\b.*");
    }
  }

  /**
   * No SEVERE browser console entry since the last call, except the HTTP errors the test caused on
   * purpose. Reading the log empties it.
   */
  void assertNoConsoleErrors(ExpectedHttpError... expected) {
    List<String> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage)
        .filter(m -> Stream.of(expected).noneMatch(x -> x.matches(m)))
        .toList();
    assertThat(errors).as("browser console errors").isEmpty();
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      deleteTree(profile);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp folder left behind is harmless
    }
  }
}
