package io.comfygate.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The user page's layout in Chromium on the deployed WAR: after Generate the new job's card and its
 * progress bar are in view without scrolling, at 1280×800 (the jobs to the right of the form, the
 * current one first and large) and at 390×844 (the jobs right under Generate); the bar moves while
 * the job runs; a banner says the simulated ComfyUI serves; without an LLM the assistant's buttons
 * are not offered. Screenshots go to target/screenshots (user-page.png is README's).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UserPageLayoutIT extends DeployedWar {
  // 6 steps of 350 ms: the job runs for about 2 s (well under the WAR's 4 s timeout), long enough to see it move
  @RegisterExtension
  static final ItComfy comfy = new ItComfy(b -> b.steps(6).stepDelay(Duration.ofMillis(350)).samplerPreviews(true));
  @RegisterExtension static final ItBrowser chromium = new ItBrowser();

  private static Browser browser() {
    return chromium.get();
  }

  @Test
  @Order(1)
  void atDesktopWidthTheNewJobIsBesideTheFormInViewWithItsProgressBar() {
    http.awaitHealthy();
    Browser b = browser();
    b.resize(Browser.DESKTOP);
    b.open(base, "");
    b.signIn("dana");
    b.awaitForm("txt2img");
    b.setSmallImage();
    b.setPrompt("a red kite above the dunes at noon");
    b.driver.executeScript("window.scrollTo(0, 0);");
    b.shot("layout-desktop-before");
    assertThat(b.inViewport(b.driver.findElement(By.id("generate")), false)).as("Generate in the first screen").isTrue();

    String id = b.submitForm("a new job card at desktop width");

    WebElement card = b.card(id);
    WebElement bar = card.findElement(By.className("job-progress"));
    assertThat(b.inViewport(card, true)).as("the new card's top in view").isTrue();
    assertThat(b.inViewport(bar, false)).as("its progress bar in view").isTrue();
    assertThat(scrollY()).as("nothing scrolled at desktop width").isZero();
    WebElement form = b.driver.findElement(By.cssSelector(".form-panel"));
    assertThat(card.getRect().getX()).as("the jobs to the right of the form")
        .isGreaterThanOrEqualTo(form.getRect().getX() + form.getRect().getWidth());
    assertThat(b.driver.findElement(By.cssSelector("#job-list > .job:first-child")).getAttribute("data-job-id"))
        .as("the current job first").isEqualTo(id);
    b.waitFor().withMessage("the bar moving").until(d -> Integer.parseInt(bar.getAttribute("value")) > 0
        && "running".equals(card.getAttribute("data-state")));
    b.shot("layout-desktop-running");

    WebElement banner = b.driver.findElement(By.id("demo-banner"));
    b.waitFor().until(ExpectedConditions.visibilityOf(banner));
    assertThat(banner.getText()).startsWith("Simulated ComfyUI");
    assertThat(b.driver.findElements(By.cssSelector(".assist"))).as("no LLM: no assistant").isEmpty();

    b.awaitCard(id, "succeeded");
    assertThat(bar.getAttribute("value")).isEqualTo("100");
    b.waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#gallery-grid figure")));
    b.shot("user-page");
    b.assertNoConsoleErrors(Browser.ExpectedHttpError.SIGNED_OUT_PROBE);
  }

  @Test
  @Order(2)
  void atPhoneWidthTheNewJobIsRightUnderGenerateInView() {
    Browser b = browser();
    b.resize(Browser.PHONE);
    b.open(base, "");
    b.awaitForm("txt2img");
    b.setSmallImage();
    b.setPrompt("a paper boat on a puddle");
    WebElement generate = b.driver.findElement(By.id("generate"));
    b.scrollTo(generate);
    b.assertFitsWidth(Browser.PHONE, "#generate", ".jobs-panel");

    String id = b.submitForm("a new job card at phone width");

    WebElement card = b.card(id);
    WebElement bar = card.findElement(By.className("job-progress"));
    b.waitFor().withMessage("card and bar in view").until(d -> b.inViewport(card, true) && b.inViewport(bar, false));
    WebElement jobs = b.driver.findElement(By.cssSelector(".jobs-panel"));
    assertThat(jobs.getRect().getY()).as("the jobs right under Generate")
        .isBetween(generate.getRect().getY(), generate.getRect().getY() + 200);
    b.shot("layout-phone-after-generate");
    b.awaitCard(id, "succeeded");
    b.assertNoConsoleErrors(Browser.ExpectedHttpError.SIGNED_OUT_PROBE);
  }

  private long scrollY() {
    Map<?, ?> m = (Map<?, ?>) browser().driver.executeScript("return {y: window.scrollY};");
    return ((Number) m.get("y")).longValue();
  }
}
