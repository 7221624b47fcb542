package io.comfygate.web;

import static io.comfygate.web.ItHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.testkit.WebhookReceiver;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The admin page's webhook deliveries panel in headless Chromium against the packaged WAR: a job
 * whose receiver answers has its events listed as delivered (HTTP 204); a job whose receiver is
 * down has its first event given up (it.env: WEBHOOK_MAX_ATTEMPTS=3, so within about 15 s), shown as
 * failed with the connection error; with the receiver up again, "Send again" (pressed from the
 * keyboard) puts it back to pending and it becomes delivered. The state filter, the job filter and
 * the empty-list message work; with more events than a page holds the panel pages (previous, next,
 * "Page N of M (T deliveries)") and a filter starts again at page 1; and the panel fits a phone and
 * a desktop. Screenshots go to
 * target/screenshots (admin-webhooks-*).
 */
class AdminWebhooksIT extends DeployedWar {
  private static final Duration GIVE_UP = Duration.ofSeconds(40);

  @RegisterExtension static final ItComfy comfy = ItComfy.withSteps(1);
  /** Answers every delivery. */
  private static final WebhookReceiver up = new WebhookReceiver();
  /** Down (its port closed) until the test starts it again on the same port. */
  private static final WebhookReceiver flaky = new WebhookReceiver();
  private static Browser browser;

  @BeforeAll
  static void start() throws IOException {
    up.start();
    flaky.start();
    flaky.stop();
    browser = Browser.start();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    up.close();
    flaky.close();
  }

  @Test
  void theAdminSeesDeliveredAndFailedEventsAndSendsAFailedOneAgain() {
    http.awaitHealthy();
    String key = "key:" + json(http.send("POST", "api/v1/admin/api-keys", "root",
        "{\"user_id\": \"hooked\", \"name\": \"admin-page\"}"), 201).path("key").asText();
    String good = submit(key, up);
    String bad = submit(key, flaky);
    http.await("api/v1/admin/webhooks?job_id=" + good, "root", GIVE_UP,
        r -> r.body().split("\"delivered\"", -1).length - 1 == 3);
    JsonNode failed = json(http.await("api/v1/admin/webhooks?state=failed&job_id=" + bad, "root", GIVE_UP,
        r -> r.body().contains("job.queued")), 200).path("items").get(0);
    String failedId = failed.path("event_id").asText();

    browser.open(base, "admin/");
    browser.signIn("root");

    // every state: both jobs' events, the delivered ones with their HTTP status
    WebElement delivered = awaitRow(good, "job.succeeded", "delivered");
    assertThat(cell(delivered, "Last status or error").getText()).isEqualTo("HTTP 204");
    assertThat(cell(delivered, "Attempts").getText()).isEqualTo("1");
    assertThat(cell(delivered, "Receiver").getText()).isEqualTo("127.0.0.1:" + up.url().getPort());
    assertThat(cell(delivered, "Action").findElements(By.tagName("button"))).extracting(WebElement::getText)
        .containsExactly("Send again");

    // state filter: only failed rows, the given-up event among them with its error and no next attempt
    new Select(browser.driver.findElement(By.id("hook-state"))).selectByValue("failed");
    browser.driver.findElement(By.id("hook-job")).sendKeys(bad);
    browser.driver.findElement(By.cssSelector("#hook-filters button[type=submit]")).click();
    // the answer replaces the whole list: wait until it is shown (only failed rows, ours among
    // them, no load in flight), then take the row from it
    WebElement row = browser.waitFor().until(d -> loaded() && d.findElements(By.cssSelector("#hooks tr[data-state]")).stream()
        .allMatch(r -> "failed".equals(r.getAttribute("data-state"))) ? rowOf(failedId) : null);
    assertThat(row.getAttribute("data-state")).isEqualTo("failed");
    assertThat(cell(row, "Event").getAttribute("title")).isEqualTo(failedId);
    assertThat(cell(row, "Job").getText()).isEqualTo(bad);
    assertThat(cell(row, "Attempts").getText()).isEqualTo("3");
    assertThat(cell(row, "Last status or error").getText()).isEqualTo("the receiver is not reachable: connection refused");
    assertThat(cell(row, "Next attempt").getText()).isEmpty();
    browser.scrollTo(row);
    browser.shot("admin-webhooks-01-failed-1280x800");

    // the receiver is back but holds its answer: "Send again" (from the keyboard) shows pending
    flaky.holdRequests();
    flaky.start();
    try {
      WebElement sendAgain = cell(row, "Action").findElement(By.tagName("button"));
      assertThat(sendAgain.getText()).isEqualTo("Send again");
      sendAgain.sendKeys(Keys.ENTER);
      WebElement pending = browser.waitFor().withMessage("the event pending again")
          .until(d -> "pending".equals(attr(failedId, "data-state")) ? rowOf(failedId) : null);
      assertThat(cell(pending, "Attempts").getText()).isIn("0", "1");
      assertThat(cell(pending, "Last status or error").getText()).as("the old error is not this round's")
          .isIn("not tried yet", "");
      assertThat(cell(pending, "Action").findElements(By.tagName("button"))).isEmpty();
      browser.shot("admin-webhooks-02-pending-again-1280x800");
    } finally {
      flaky.release();
    }
    // the page follows the row until the attempt is over
    WebElement redelivered = browser.waitFor().withMessage("the event delivered")
        .until(d -> "delivered".equals(attr(failedId, "data-state")) ? rowOf(failedId) : null);
    assertThat(cell(redelivered, "Last status or error").getText()).isEqualTo("HTTP 204");
    assertThat(flaky.hits(bad)).extracting(WebhookReceiver.Hit::eventId).contains(failedId);

    // the "failed" filter no longer lists it once refreshed; a job with no events says so
    browser.driver.findElement(By.id("hooks-refresh")).click();
    browser.waitFor().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#hooks tr[data-event-id='" + failedId + "']"), 0));
    WebElement jobFilter = browser.driver.findElement(By.id("hook-job"));
    jobFilter.clear();
    jobFilter.sendKeys("j-no-such-job", Keys.ENTER);
    browser.waitFor().until(ExpectedConditions.textToBe(By.cssSelector("#hooks td.muted"), "No webhook deliveries match."));

    // more events than a page holds (20): six more jobs, then the whole list pages, with its total
    for (int i = 0; i < 6; i++) {
      http.awaitState("api/v1/jobs/" + submit(key, up), key, "succeeded", Duration.ofSeconds(30));
    }
    long total = json(http.send("GET", "api/v1/admin/webhooks?size=1", "root", null), 200).path("total").asLong();
    assertThat(total).as("eight jobs' events at least").isGreaterThanOrEqualTo(24);
    long pages = (total + 19) / 20;
    new Select(browser.driver.findElement(By.id("hook-state"))).selectByValue("");
    jobFilter.clear();
    jobFilter.sendKeys(Keys.ENTER);
    browser.waitFor().until(ExpectedConditions.textToBe(By.id("hook-page-info"),
        "Page 1 of " + pages + " (" + total + " deliveries)"));
    List<String> firstPage = eventIds();
    assertThat(firstPage).hasSize(20);
    assertThat(browser.driver.findElement(By.id("hook-prev")).isEnabled()).isFalse();
    browser.driver.findElement(By.id("hook-next")).click();
    browser.waitFor().until(ExpectedConditions.textToBe(By.id("hook-page-info"),
        "Page 2 of " + pages + " (" + total + " deliveries)"));
    List<String> secondPage = eventIds();
    assertThat(secondPage).isNotEmpty().doesNotContainAnyElementsOf(firstPage);
    assertThat(browser.driver.findElement(By.id("hook-prev")).isEnabled()).isTrue();
    browser.scrollTo(browser.driver.findElement(By.id("hook-next")));
    browser.shot("admin-webhooks-04-page-2-1280x800");
    browser.driver.findElement(By.id("hook-prev")).click();
    browser.waitFor().until(ExpectedConditions.textToBe(By.id("hook-page-info"),
        "Page 1 of " + pages + " (" + total + " deliveries)"));
    assertThat(eventIds()).isEqualTo(firstPage);
    // from page 2, a filter starts again at page 1
    browser.driver.findElement(By.id("hook-next")).click();
    browser.waitFor().until(ExpectedConditions.textToBe(By.id("hook-page-info"),
        "Page 2 of " + pages + " (" + total + " deliveries)"));

    // everything again, at both widths: no sideways scrolling, the action and the pager reachable
    jobFilter.sendKeys(good, Keys.ENTER);
    browser.waitFor().until(ExpectedConditions.textToBe(By.id("hook-page-info"), "Page 1 of 1 (3 deliveries)"));
    assertThat(browser.driver.findElement(By.id("hook-next")).isEnabled()).isFalse();
    awaitRow(good, "job.succeeded", "delivered");
    for (Dimension size : List.of(Browser.PHONE, Browser.DESKTOP)) {
      browser.resize(size);
      WebElement first = browser.driver.findElement(By.cssSelector("#hooks tr[data-event-id]"));
      browser.scrollTo(first);
      browser.assertFitsWidth(size, "#hook-filters", "#hooks tr[data-event-id] button", "#hooks-refresh",
          "#hook-prev", "#hook-next", "#hook-page-info");
      browser.shot("admin-webhooks-03-list-" + size.getWidth() + "x" + size.getHeight());
    }
    browser.assertNoConsoleErrors(Browser.ExpectedHttpError.SIGNED_OUT_PROBE);
  }

  private String submit(String key, WebhookReceiver receiver) {
    return json(http.send("POST", "api/v1/jobs", key,
        "{\"params\": {\"prompt\": \"hook\", \"width\": 64, \"height\": 64, \"steps\": 1}, \"webhook_url\": \""
            + receiver.url() + "\"}"), 202).path("id").asText();
  }

  /** Waits until the job's event of {@code type} is listed in {@code state}, pressing Refresh meanwhile. */
  private static WebElement awaitRow(String jobId, String type, String state) {
    return browser.waitFor().pollingEvery(Duration.ofMillis(700)).withMessage(jobId + " " + type + " " + state).until(d -> {
      if (!loaded()) {
        return null; // the rows shown are about to be replaced
      }
      for (WebElement r : d.findElements(By.cssSelector("#hooks tr[data-state='" + state + "']"))) {
        if (cell(r, "Job").getText().equals(jobId) && cell(r, "Type").getText().equals(type)) {
          return r;
        }
      }
      d.findElement(By.id("hooks-refresh")).click();
      return null;
    });
  }

  /** No load of the list is in flight (the page disables Refresh while one is). */
  private static boolean loaded() {
    return browser.driver.findElement(By.id("hooks-refresh")).isEnabled();
  }

  /** The event ids of the rows shown, top to bottom. */
  private static List<String> eventIds() {
    return browser.driver.findElements(By.cssSelector("#hooks tr[data-event-id]")).stream()
        .map(r -> r.getAttribute("data-event-id")).toList();
  }

  private static WebElement rowOf(String eventId) {
    return browser.driver.findElements(By.cssSelector("#hooks tr[data-event-id='" + eventId + "']")).stream().findFirst().orElse(null);
  }

  private static String attr(String eventId, String name) {
    WebElement r = rowOf(eventId);
    return r == null ? null : r.getAttribute(name);
  }

  private static WebElement cell(WebElement row, String label) {
    return row.findElement(By.cssSelector("td[data-label='" + label + "']"));
  }
}
