package io.comfygate.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.testkit.FakeComfyUi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.FluentWait;

/**
 * The rehearsal checklist of the operations runbook, walked in three headless Chromium sessions
 * (alice, bob, and root, who is both a user and the administrator) against the packaged WAR in a
 * real Tomcat and FakeComfyUi (it.env: 2 waiting jobs per user, 1 running, JOB_TIMEOUT_SECONDS=4,
 * health every second). Each test is one checklist line; they run in order and build on each
 * other's jobs. Every wait is bounded; screenshots of each state go to target/screenshots
 * (rehearsal-*.png).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RehearsalWalkIT extends DeployedWar {
  private static final String HOSTILE = "<img src=x onerror=alert(1)>";
  private static final Pattern ETA = Pattern.compile("about (\\d+) s left");
  private static final Browser.ExpectedHttpError OVER_THE_LIMIT = Browser.ExpectedHttpError.api("v1/jobs", 429);

  // 5 sampler steps of 400 ms: a job runs about 2 s, under the 4 s job timeout.
  @RegisterExtension
  static final ItComfy comfy = new ItComfy(b -> b.steps(5).stepDelay(Duration.ofMillis(400)).samplerPreviews(true));
  private static Browser alice;
  private static Browser bob;
  private static Browser root;
  /** Jobs of the concurrent walk that ended well: alice's, bob's and root's (hostile prompt). */
  private static String aliceDone;
  private static String bobDone;
  private static String rootHostile;

  @BeforeAll
  static void start() throws Exception {
    List<Browser> browsers = Browser.startAll(3);
    alice = browsers.get(0);
    bob = browsers.get(1);
    root = browsers.get(2);
  }

  @AfterAll
  static void stop() {
    Stream.of(alice, bob, root).filter(Objects::nonNull).forEach(Browser::close);
  }

  @Test
  @Order(1)
  void healthzOkThenTheAdminBannerSaysOk() throws Exception {
    http.awaitHealthy();
    root.open(base, "healthz");
    JsonNode health = ItHttp.JSON.readTree(root.driver.findElement(By.tagName("pre")).getText());
    assertThat(health.path("status").asText()).isEqualTo("OK");
    root.shot("rehearsal-01-healthz-ok");

    root.open(base, "admin/");
    root.signIn("root");
    root.waitFor().until(ExpectedConditions.textToBe(By.id("banner-status"), "OK"));
    assertThat(root.driver.findElement(By.id("banner")).getAttribute("class")).contains("ok");
    assertThat(root.driver.findElements(By.cssSelector("#banner-checks li"))).isEmpty();
    root.shot("rehearsal-02-admin-banner-ok");
    root.assertNoConsoleErrors(Browser.ExpectedHttpError.ROOT_FAVICON, Browser.ExpectedHttpError.SIGNED_OUT_PROBE);
  }

  @Test
  @Order(2)
  void threeUsersAtOnceWaitWithEtaCancelTimeOutAndComplete() {
    alice.open(base, "");
    alice.signIn("alice");
    bob.open(base, "");
    bob.signIn("bob");
    root.open(base, ""); // signed in on the admin page: the same session
    root.waitFor().until(ExpectedConditions.textToBe(By.id("who"), "Signed in as root"));
    Stream.of(alice, bob, root).forEach(Browser::setSmallImage);

    long interruptsBefore = interrupts();
    // ComfyUI takes the first prompt but does not start it: every job stays waiting and no job
    // timeout ticks (it counts from the start) while the pages are checked.
    comfy.get().hang(true);
    String a1;
    String a2;
    String b1;
    String r1;
    try {
      a1 = alice.submit("rehearsal: alice, the one that times out");
      b1 = bob.submit("rehearsal: bob's lighthouse");
      r1 = root.submit(HOSTILE);
      a2 = alice.submit("rehearsal: alice's second");
      String a3 = alice.submit("rehearsal: alice's third, cancelled while waiting");

      // a waiting job shows its queue position and an ETA that counts down
      int eta = alice.waitFor().withMessage("a2 waiting with position and ETA").until(d -> {
        WebElement card = alice.card(a2);
        boolean positioned = card.findElement(By.className("job-position")).getText().matches("Position \\d+ in the queue");
        Integer seconds = etaSeconds(card);
        return positioned && seconds != null && seconds > 0 ? seconds : null;
      });
      assertThat(alice.card(a3).findElement(By.className("job-position")).getText()).matches("Position \\d+ in the queue");
      String rootPosition = root.waitFor().until(d -> root.card(r1).findElement(By.className("job-position")).getText());
      assertThat(rootPosition).matches("Position \\d+ in the queue");
      alice.shot("rehearsal-03-waiting-position-eta");
      alice.waitFor(Duration.ofSeconds(5)).withMessage("the ETA counts down from " + eta)
          .until(d -> {
            Integer now = etaSeconds(alice.card(a2));
            return now != null && now < eta;
          });

      // one more than MAX_PER_USER_QUEUE=2 waiting: a plain sentence, no card
      Set<String> cards = alice.cardIds();
      alice.setPrompt("rehearsal: one too many");
      alice.generate();
      WebElement notice = alice.waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("notice")));
      assertThat(notice.getText()).startsWith("You already have 2 jobs waiting").endsWith(".")
          .doesNotContain("{", "}", "quota_exceeded", "429", "HTTP");
      assertThat(alice.cardIds()).isEqualTo(cards);
      alice.scrollTo(notice);
      alice.shot("rehearsal-04-over-the-limit");

      // cancel a waiting job
      alice.card(a3).findElement(By.className("job-cancel")).click();
      WebElement cancelled = alice.awaitCard(a3, "cancelled");
      assertThat(cancelled.findElement(By.className("job-state")).getText()).isEqualTo("Cancelled");
      assertThat(cancelled.findElement(By.className("job-cancel")).isDisplayed()).isFalse();
      assertThat(cancelled.findElement(By.className("job-preview")).isDisplayed()).as("no empty preview").isFalse();
      assertThat(cancelled.findElement(By.className("job-error")).isDisplayed()).as("no red line repeating the badge").isFalse();
      alice.scrollTo(cancelled);
      alice.shot("rehearsal-05-waiting-job-cancelled");

      // alice's first job starts, then ComfyUI freezes mid-prompt: the engine interrupts it at 4 s
      comfy.get().hang(false);
      http.awaitState("api/v1/jobs/" + a1, "alice", "running", Browser.WAIT); // faster than the page
      comfy.get().hang(true);
      alice.awaitCard(a1, "running");
      new FluentWait<>(comfy.get()).withTimeout(Duration.ofSeconds(15)).pollingEvery(Duration.ofMillis(50))
          .withMessage("the engine interrupts the job on ComfyUI").until(c -> interrupts() > interruptsBefore);
    } finally {
      comfy.get().hang(false);
    }
    WebElement timedOut = alice.awaitCard(a1, "timeout");
    assertThat(timedOut.findElement(By.className("job-state")).getText()).isEqualTo("Timed out");
    assertThat(timedOut.findElement(By.className("job-error")).getText()).contains("job timeout of 4 s");
    WebElement lastPreview = timedOut.findElement(By.className("job-preview"));
    assertThat(!lastPreview.isDisplayed() || String.valueOf(lastPreview.getAttribute("src")).startsWith("data:image/"))
        .as("the preview is the last one the job had, or none").isTrue();
    alice.scrollTo(timedOut);
    alice.shot("rehearsal-06-job-timed-out");

    // the others complete, and their images are in their owners' galleries
    aliceDone = a2;
    bobDone = b1;
    rootHostile = r1;
    Map<Browser, String> done = Map.of(alice, a2, bob, b1, root, r1);
    Map<Browser, String> names = Map.of(alice, "alice", bob, "bob", root, "root");
    for (Browser user : List.of(bob, root, alice)) {
      String job = done.get(user);
      WebElement card = user.awaitCard(job, "succeeded");
      assertThat(card.findElement(By.className("job-state")).getText()).isEqualTo("Done");
      WebElement figure = user.waitFor().until(ExpectedConditions.presenceOfElementLocated(
          Browser.galleryImage(user.imageIdOf(job))));
      user.waitFor().until(d -> (Boolean) user.driver.executeScript(
          "const i = arguments[0].querySelector('img.thumb'); return i.complete && i.naturalWidth > 0;", figure));
      user.scrollTo(figure);
      user.shot("rehearsal-07-" + names.get(user) + "-done-in-gallery");
    }

    // root's prompt was HTML with a script handler: text on the card and in the gallery, inert
    assertThat(root.card(r1).findElement(By.className("job-prompt")).getText()).isEqualTo(HOSTILE);
    WebElement hostileFigure = root.driver.findElement(Browser.galleryImage(root.imageIdOf(r1)));
    assertThat(hostileFigure.findElement(By.className("image-prompt")).getText()).isEqualTo(HOSTILE);
    assertInert(root);

    alice.assertNoConsoleErrors(Browser.ExpectedHttpError.SIGNED_OUT_PROBE, OVER_THE_LIMIT);
    bob.assertNoConsoleErrors(Browser.ExpectedHttpError.SIGNED_OUT_PROBE);
    root.assertNoConsoleErrors();
  }

  @Test
  @Order(3)
  void theLogShowsEnqueueStartProgressCompleteInThatOrder() {
    assertThat(aliceDone).as("the walk finished a job").isNotNull();
    List<JsonNode> lines = new FluentWait<>(aliceDone).withTimeout(Duration.ofSeconds(10)).pollingEvery(Duration.ofMillis(100))
        .withMessage("job_complete of " + aliceDone + " in the log").until(id -> {
          List<JsonNode> mine = jobLogLines(id);
          return mine.stream().anyMatch(l -> l.path("event").asText().equals("job_complete")) ? mine : null;
        });
    List<String> events = lines.stream().map(l -> l.path("event").asText()).toList();
    assertThat(String.join(" ", events)).as("events of job " + aliceDone).matches("enqueue job_start( job_progress)+ job_complete");
    List<Integer> percents = lines.stream().filter(l -> l.path("event").asText().equals("job_progress"))
        .map(l -> l.path("percent").asInt()).toList();
    assertThat(percents).as("stepped progress").isSorted().doesNotHaveDuplicates();
    assertThat(lines).allSatisfy(l -> {
      assertThat(l.path("logger_name").asText()).isEqualTo("io.comfygate.jobs");
      assertThat(l.path("user_id").asText()).isEqualTo("alice");
    });
  }

  @Test
  @Order(4)
  void comfyUiStoppedBlocksUsersFailsTheRunningJobAndTheBannerSaysFailUntilItIsBack() throws Exception {
    root.open(base, "admin/");
    root.waitFor().until(ExpectedConditions.textToBe(By.id("banner-status"), "OK"));
    String comfyCheck = "comfyui:127.0.0.1:" + comfy.get().port();

    // slow nodes keep bob's job running until ComfyUI goes away (well before its 4 s timeout)
    comfy.get().slowNodes(Duration.ofSeconds(1));
    String running;
    try {
      running = bob.submit("rehearsal: interrupted by an outage");
      bob.awaitCard(running, "running");
      comfy.get().stop();

      WebElement failed = bob.awaitCard(running, "failed");
      assertThat(failed.findElement(By.className("job-state")).getText()).isEqualTo("Failed");
      assertThat(failed.findElement(By.className("job-error")).getText()).contains("ComfyUI").contains("went down");
      bob.scrollTo(failed);
      bob.shot("rehearsal-08-running-job-failed");

      root.refreshBannerUntil("FAIL", comfyCheck);
      assertThat(root.driver.findElement(By.id("banner")).getAttribute("class")).contains("fail");
      List<String> failing = root.driver.findElements(By.cssSelector("#banner-checks li")).stream().map(WebElement::getText).toList();
      assertThat(failing).anySatisfy(reason -> assertThat(reason).startsWith(comfyCheck + ": ").hasSizeGreaterThan(comfyCheck.length() + 5));
      root.shot("rehearsal-09-admin-banner-fail");

      Set<String> cards = alice.cardIds();
      alice.setPrompt("rehearsal: while ComfyUI is down");
      alice.generate();
      WebElement notice = alice.waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("notice")));
      assertThat(notice.getText()).startsWith("Generation is unavailable right now: ").containsIgnoringCase("comfyui");
      assertThat(alice.cardIds()).as("no job was submitted").isEqualTo(cards);
      alice.scrollTo(notice);
      alice.shot("rehearsal-10-generate-blocked");
    } finally {
      comfy.get().clearFaults();
      comfy.get().restart();
    }

    root.refreshBannerUntil("OK", "checked");
    assertThat(root.driver.findElements(By.cssSelector("#banner-checks li"))).isEmpty();
    root.shot("rehearsal-11-admin-banner-ok-again");

    http.awaitHealthy();
    String again = alice.submit("rehearsal: back again");
    WebElement card = alice.awaitCard(again, "succeeded");
    assertThat(alice.driver.findElement(By.id("notice")).isDisplayed()).isFalse();
    alice.scrollTo(card);
    alice.shot("rehearsal-12-generate-works-again");

    Stream.of(alice, bob, root).forEach(b -> b.assertNoConsoleErrors());
  }

  @Test
  @Order(5)
  void theAdminTableShowsTheHostilePromptAsText() {
    assertThat(rootHostile).as("the walk made root's image").isNotNull();
    root.open(base, "admin/");
    root.waitFor().until(ExpectedConditions.textToBe(By.id("banner-status"), "OK"));
    filterAdminImages("root", "active");
    WebElement row = root.waitFor().withMessage("root's hostile prompt in the table").until(d -> d.findElements(By.cssSelector("#images tr")).stream()
        .filter(r -> r.findElements(By.tagName("td")).size() == 6 && HOSTILE.equals(r.findElements(By.tagName("td")).get(2).getText()))
        .findFirst().orElse(null));
    assertInert(root);
    root.scrollTo(row);
    root.shot("rehearsal-13-admin-table-hostile-prompt-as-text");
    root.assertNoConsoleErrors();
  }

  @Test
  @Order(6)
  void deleteRestoreAndPurgeWithTheDeletedLabelShown() {
    assertThat(bobDone).as("the walk made bob's image").isNotNull();
    bob.open(base, "");
    String image = bob.imageIdOf(bobDone);
    WebElement figure = bob.waitFor().until(ExpectedConditions.presenceOfElementLocated(Browser.galleryImage(image)));
    figure.findElement(By.className("delete")).click();
    bob.waitFor().until(ExpectedConditions.numberOfElementsToBe(Browser.galleryImage(image), 0));
    bob.shot("rehearsal-14-deleted-gone-from-gallery");

    showView(bob, "trash");
    WebElement trashed = bob.waitFor().until(ExpectedConditions.visibilityOfElementLocated(Browser.galleryImage(image)));
    WebElement label = trashed.findElement(By.className("deleted-label"));
    assertThat(label.isDisplayed()).isTrue();
    assertThat(label.getText()).isEqualToIgnoringCase("deleted");
    bob.scrollTo(trashed);
    bob.shot("rehearsal-15-trash-deleted-label");

    trashed.findElement(By.className("restore")).click();
    bob.waitFor().until(ExpectedConditions.numberOfElementsToBe(Browser.galleryImage(image), 0));
    showView(bob, "gallery");
    WebElement restored = bob.waitFor().until(ExpectedConditions.visibilityOfElementLocated(Browser.galleryImage(image)));
    assertThat(restored.findElements(By.className("deleted-label"))).isEmpty();
    bob.scrollTo(restored);
    bob.shot("rehearsal-16-restored");

    restored.findElement(By.className("delete")).click();
    bob.waitFor().until(ExpectedConditions.numberOfElementsToBe(Browser.galleryImage(image), 0));

    // the sweep: root empties the trash after confirming; the result names count and bytes
    root.open(base, "admin/");
    root.waitFor().until(ExpectedConditions.textToBe(By.id("banner-status"), "OK"));
    root.driver.findElement(By.id("purge")).click();
    WebElement dialog = root.waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("purge-dialog")));
    assertThat(dialog.getText()).contains("Purge the trash?").contains("cannot be undone");
    root.shot("rehearsal-17-purge-confirmation");
    root.driver.findElement(By.id("purge-confirm")).click();
    String result = root.waitFor().until(d -> {
      String text = d.findElement(By.id("purge-result")).getText();
      return text.startsWith("Purged ") ? text : null;
    });
    Matcher purged = Pattern.compile("Purged (\\d+) image\\(s\\), freed (\\d+(\\.\\d)? (B|KiB|MiB))\\.").matcher(result);
    assertThat(purged.matches()).as(result).isTrue();
    assertThat(Integer.parseInt(purged.group(1))).isPositive();
    root.scrollTo(root.driver.findElement(By.id("purge-result")));
    root.shot("rehearsal-18-purged");

    // gone for good: not in bob's trash, not in the admin table with deleted images included
    bob.driver.navigate().refresh();
    showView(bob, "trash");
    assertThat(bob.driver.findElements(Browser.galleryImage(image))).isEmpty();
    filterAdminImages("bob", "all");
    assertThat(root.driver.findElements(By.cssSelector("#images img[alt='Image " + image + "']"))).isEmpty();

    Stream.of(bob, root).forEach(b -> b.assertNoConsoleErrors());
  }

  @Test
  @Order(7)
  void phoneAndDesktopLayoutsNeedNoHorizontalScrolling() {
    alice.open(base, "");
    alice.waitFor().until(d -> !alice.cardIds().isEmpty() && !d.findElements(By.cssSelector("#gallery-grid figure")).isEmpty());
    root.open(base, "admin/");
    root.waitFor().until(d -> !d.findElements(By.cssSelector("#images tr td img")).isEmpty());
    for (Dimension size : List.of(Browser.PHONE, Browser.DESKTOP)) {
      String label = size.getWidth() + "x" + size.getHeight();
      alice.resize(size);
      alice.assertFitsWidth(size, "#prompt-form", "#job-list .job", "#gallery-grid figure");
      alice.shot("rehearsal-19-user-page-" + label);
      alice.scrollTo(alice.driver.findElement(By.cssSelector("#gallery-grid figure")));
      alice.shot("rehearsal-20-user-gallery-" + label);
      root.resize(size);
      root.assertFitsWidth(size, "#banner", "#image-filters", "section[aria-labelledby=images-title] .table-wrap", "#purge",
          "#hook-filters");
      root.shot("rehearsal-21-admin-page-" + label);
    }
    Stream.of(alice, root).forEach(b -> b.assertNoConsoleErrors());
  }

  // ---------- helpers ----------

  /** No element made from a prompt's markup and no alert opened. */
  private static void assertInert(Browser user) {
    assertThat(user.driver.findElements(By.cssSelector("img[src='x']"))).isEmpty();
    assertThatThrownBy(() -> user.driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
  }

  private static Integer etaSeconds(WebElement card) {
    Matcher m = ETA.matcher(card.findElement(By.className("job-eta")).getText());
    return m.matches() ? Integer.valueOf(m.group(1)) : null;
  }

  /** POST /interrupt requests the fake has received so far. */
  private static long interrupts() {
    return comfy.get().requests().stream().filter(r -> r.path().endsWith("/interrupt")).count();
  }

  /** The io.comfygate.jobs lines of one job, from the WAR's JSON log (rotated files first). */
  private static List<JsonNode> jobLogLines(String jobId) {
    Path log = Path.of(ItHttp.itSetting("LOG_FILE_PATH"));
    List<Path> files = new ArrayList<>();
    for (int i = 9; i >= 1; i--) {
      Path rotated = log.resolveSibling(log.getFileName() + "." + i);
      if (Files.exists(rotated)) {
        files.add(rotated);
      }
    }
    files.add(log);
    List<JsonNode> mine = new ArrayList<>();
    for (Path file : files) {
      try {
        for (String line : Files.readAllLines(file)) {
          if (line.contains(jobId)) {
            JsonNode json = ItHttp.JSON.readTree(line);
            if (json.path("logger_name").asText().equals("io.comfygate.jobs") && json.path("job_id").asText().equals(jobId)) {
              mine.add(json);
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(file.toString(), e);
      }
    }
    return mine;
  }

  /** Switches the user page's image view and waits until the grid shows it. */
  private static void showView(Browser user, String view) {
    user.waitFor().until(ExpectedConditions.elementToBeClickable(By.id("show-" + view))).click();
    user.waitFor().until(d -> view.equals(d.findElement(By.id("gallery-grid")).getAttribute("data-view")));
  }

  /**
   * On root's admin page: applies the images filter and waits until every row is that user's, or
   * the table says none match.
   */
  private static void filterAdminImages(String user, String include) {
    WebElement field = root.driver.findElement(By.id("flt-user"));
    field.clear();
    field.sendKeys(user);
    new org.openqa.selenium.support.ui.Select(root.driver.findElement(By.id("flt-include"))).selectByValue(include);
    root.driver.findElement(By.cssSelector("#image-filters button[type=submit]")).click();
    root.waitFor().withMessage("only " + user + "'s images listed").until(d -> {
      List<WebElement> rows = d.findElements(By.cssSelector("#images tr"));
      boolean none = rows.size() == 1 && rows.get(0).getText().equals("No images match.");
      return none || rows.stream().allMatch(r -> r.findElements(By.tagName("td")).size() == 6
          && user.equals(r.findElements(By.tagName("td")).get(1).getText()));
    });
  }
}
