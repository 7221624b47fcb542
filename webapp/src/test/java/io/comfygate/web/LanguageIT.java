package io.comfygate.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * Both pages in Korean in Chromium on the deployed WAR: the header switch turns the page Korean and
 * is remembered (a reload, the admin page); after a job, the gallery and the admin tables are
 * filled, no English text of the catalogue shows anywhere (visible text, alt texts, labels,
 * placeholders), state names are Korean, dates use the Korean format; and a refused request's
 * error code is said in Korean.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LanguageIT extends DeployedWar {
  @RegisterExtension
  static final ItComfy comfy = new ItComfy(b -> b.steps(3).stepDelay(Duration.ofMillis(700)));
  @RegisterExtension static final ItBrowser chromium = new ItBrowser();

  private static final Path CATALOGUES = Path.of("src", "main", "webapp", "i18n");
  /** Every text a page shows, attributes a person reads included; server texts in `skip` left out. */
  private static final String PAGE_TEXT = "const skip = arguments[0];"
      + " const clone = document.body.cloneNode(true);"
      + " clone.querySelectorAll(skip).forEach((n) => n.remove());"
      + " clone.querySelectorAll('[hidden], dialog:not([open])').forEach((n) => n.remove());"
      + " const attrs = [...clone.querySelectorAll('[alt], [placeholder], [aria-label], [title], [data-label]')]"
      + "   .flatMap((n) => ['alt', 'placeholder', 'aria-label', 'title', 'data-label'].map((a) => n.getAttribute(a)).filter(Boolean));"
      + " document.body.append(clone); const text = clone.innerText; clone.remove();"
      + " return text + '\\n' + attrs.join('\\n') + '\\n' + document.title;";

  private static Browser browser() {
    return chromium.get();
  }

  @Test
  @Order(1)
  void theUserPageInKoreanShowsNoEnglishCatalogueText() throws Exception {
    http.awaitHealthy();
    Browser b = browser();
    b.open(base, "");
    b.waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-form")));
    assertThat(b.driver.findElement(By.id("signin-submit")).getText()).as("the browser's language").isEqualTo("Sign in");
    b.switchLanguage("ko");
    assertThat(b.driver.findElement(By.id("signin-submit")).getText()).isEqualTo("로그인");
    b.waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("username"))).sendKeys("minji");
    b.driver.findElement(By.id("password")).sendKeys("minji-pw");
    b.driver.findElement(By.id("signin-submit")).click();
    b.waitFor().until(ExpectedConditions.textToBe(By.id("who"), "minji(으)로 로그인됨"));
    b.awaitForm("txt2img");
    b.setSmallImage();

    String id = b.submit("바다 위의 등대, 새벽");
    b.awaitCard(id, "succeeded");
    assertThat(b.card(id).findElement(By.className("job-state")).getText()).isEqualTo("완료");
    b.waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#gallery-grid figure")));
    String meta = b.driver.findElement(By.cssSelector("#gallery-grid figure .image-meta")).getText();
    assertThat(meta).as("a Korean date").containsPattern("\\d{4}\\. \\d{1,2}\\. \\d{1,2}\\.");

    // a refused request (over MAX_PER_USER_QUEUE=2 waiting): its error code said in Korean
    List<String> queued = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      queued.add(b.submit("등대 " + i));
    }
    b.generate();
    b.waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("notice")));
    assertThat(b.driver.findElement(By.id("notice")).getText()).matches("한도\\(2\\)를 넘었습니다\\. [\\d,]+초 후에 다시 시도하세요\\.");
    for (String q : queued) {
      b.awaitCard(q, "succeeded");
    }
    assertNoEnglish("#job-list .job-prompt, #gallery-grid .image-prompt, .job-error, #template-name");
    b.shot("ko-user-page");

    b.open(base, "");
    b.waitFor().until(ExpectedConditions.textToBe(By.id("who"), "minji(으)로 로그인됨"));
    assertThat(b.driver.findElement(By.tagName("html")).getAttribute("lang")).as("remembered").isEqualTo("ko");
    b.assertNoConsoleErrors(Browser.ExpectedHttpError.SIGNED_OUT_PROBE, Browser.ExpectedHttpError.api("v1/jobs", 429));
  }

  @Test
  @Order(2)
  void theAdminPageInKoreanShowsNoEnglishCatalogueText() throws Exception {
    Browser b = browser();
    b.driver.findElement(By.id("signout")).click();
    b.open(base, "admin/");
    b.waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("username"))).sendKeys("root");
    b.driver.findElement(By.id("password")).sendKeys("root-pw");
    b.driver.findElement(By.id("signin-submit")).click();
    b.waitFor().until(ExpectedConditions.textToBe(By.id("who"), "root(으)로 로그인됨"));
    b.waitFor().until(ExpectedConditions.textToBe(By.id("banner-status"), "OK"));
    b.waitFor().until(d -> !d.findElement(By.id("img-page-info")).getText().isEmpty()
        && !d.findElement(By.id("hook-page-info")).getText().isEmpty());
    assertThat(b.driver.findElement(By.id("img-page-info")).getText()).matches("\\d+쪽 중 1쪽 \\(이미지 [\\d,]+개\\)");
    // what users, other tests and the server wrote: names, prompts, ids, hosts, reasons
    assertNoEnglish("#banner-summary, #banner-checks, #backends h3, .error, .hook-last, .hook-type, .hook-job, .hook-host,"
        + " .hook-event, #images td:nth-child(-n+3), #keys td:nth-child(-n+3), #waiting td:nth-child(-n+3),"
        + " #backends td:nth-child(-n+3)");
    b.shot("ko-admin-page");
    b.assertNoConsoleErrors(Browser.ExpectedHttpError.SIGNED_OUT_PROBE);
  }

  /**
   * No English catalogue value (each part between its {placeholders}) that Korean says otherwise
   * appears as a whole word in the page's text; `serverTexts` are elements showing what the server
   * or a user wrote.
   */
  private static void assertNoEnglish(String serverTexts) throws IOException {
    Map<String, String> en = catalogue("en");
    Map<String, String> ko = catalogue("ko");
    String text = (String) browser().driver.executeScript(PAGE_TEXT, serverTexts);
    List<String> found = new ArrayList<>();
    for (Map.Entry<String, String> e : en.entrySet()) {
      if (e.getValue().equals(ko.get(e.getKey()))) {
        continue; // the same in both ("CFG", "English")
      }
      for (String part : e.getValue().split("\\{\\w+\\}")) {
        String words = part.strip().replaceAll("^[\\p{Punct}\\s–…]+|[\\p{Punct}\\s–…]+$", "");
        if (words.length() >= 2 && words.chars().anyMatch(Character::isLetter)
            && Pattern.compile("(?<![\\p{L}\\d])" + Pattern.quote(words) + "(?![\\p{L}\\d])").matcher(text).find()) {
          found.add(e.getKey() + ": " + words);
        }
      }
    }
    assertThat(found).as("English catalogue texts on the Korean page:\n" + text).isEmpty();
  }

  private static Map<String, String> catalogue(String lang) throws IOException {
    return ItHttp.JSON.readValue(CATALOGUES.resolve(lang + ".json").toFile(), new TypeReference<Map<String, String>>() {});
  }
}
