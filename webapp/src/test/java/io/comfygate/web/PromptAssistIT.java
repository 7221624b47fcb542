package io.comfygate.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.testkit.llm.FakeOpenAi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The prompt assistant in Chromium on the deployed WAR, its LLM the FakeOpenAi over real HTTP (the
 * WAR is deployed as assist.war with a settings file of its own naming it, via its context
 * parameter): a Korean prompt is translated, the suggestion taken, undone, taken again, and the job
 * generated with the English prompt reaches ComfyUI; Improve's suggestion can be dismissed; an LLM
 * failure is said on the page, in English and in Korean.
 */
@ExtendWith(ArquillianExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PromptAssistIT {
  private static final String KOREAN = "노을 지는 바닷가의 고양이, 수채화";
  private static final String ENGLISH = "a cat on a beach at sunset, watercolor, warm light";
  private static final FakeOpenAi LLM = FakeOpenAi.start("sk-it");

  @RegisterExtension static final ItComfy comfy = new ItComfy(b -> b.steps(3).stepDelay(Duration.ofMillis(200)));
  @RegisterExtension static final ItBrowser chromium = new ItBrowser();

  @ArquillianResource URL base;

  /** The packaged WAR as assist.war, reading a settings file that turns the LLM on. */
  @Deployment(testable = false)
  static WebArchive war() {
    Path env = writeEnv();
    WebArchive war = ShrinkWrap.create(WebArchive.class, "assist.war").merge(ItHttp.packagedWar());
    war.delete("/META-INF/context.xml");
    war.addAsManifestResource(new StringAsset("<Context><CookieProcessor sameSiteCookies=\"lax\"/>"
        + "<Parameter name=\"COMFYGATE_ENV_FILE\" value=\"" + env + "\" override=\"false\"/></Context>"), "context.xml");
    return war;
  }

  /** it.env with its own data folder and the fake LLM. */
  private static Path writeEnv() {
    try {
      Path itEnv = Path.of(System.getProperty("it.env.file"));
      Path data = itEnv.getParent().getParent().resolve("it-data").resolve("assist").toAbsolutePath();
      Files.createDirectories(data);
      String settings = Files.readAllLines(itEnv).stream()
          .filter(l -> !l.startsWith("OUTPUT_DIR=") && !l.startsWith("JOB_DB_PATH=") && !l.startsWith("LOG_FILE_PATH="))
          .collect(Collectors.joining("\n"))
          + "\nOUTPUT_DIR=" + data.resolve("outputs") + "\nJOB_DB_PATH=" + data.resolve("db/app_data.db")
          + "\nLOG_FILE_PATH=" + data.resolve("logs/app.log")
          + "\nLLM_BASE_URL=" + LLM.baseUrl() + "\nLLM_MODEL=fake-model\nLLM_API_KEY=sk-it\nLLM_TIMEOUT_SECONDS=3\n";
      Path env = data.resolve("assist.env");
      Files.writeString(env, settings, StandardCharsets.UTF_8);
      return env;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @AfterAll
  static void stopLlm() {
    LLM.close();
  }

  private static Browser browser() {
    return chromium.get();
  }

  private static WebElement assist(String part) {
    return browser().waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".assist ." + part)));
  }

  private static String prompt() {
    return browser().field("prompt").getAttribute("value");
  }

  private static List<JsonNode> chats() {
    return LLM.requests().stream().filter(r -> r.path().equals("/v1/chat/completions")).map(r -> {
      try {
        return ItHttp.JSON.readTree(r.body());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }).toList();
  }

  @Test
  @Order(1)
  void aKoreanPromptIsTranslatedTakenUndoneTakenAgainAndGenerated() {
    new ItHttp(base).awaitHealthy();
    Browser b = browser();
    b.open(base, "");
    b.signIn("minji");
    b.awaitForm("txt2img");
    b.setSmallImage();
    b.setPrompt(KOREAN);
    LLM.reply("\"" + ENGLISH + "\"");

    assist("assist-translate").click();

    WebElement suggestion = assist("assist-suggestion");
    assertThat(suggestion.findElement(By.className("assist-text")).getText()).isEqualTo(ENGLISH);
    assertThat(prompt()).as("a suggestion only").isEqualTo(KOREAN);
    JsonNode sent = chats().get(0);
    assertThat(sent.path("messages").get(0).path("content").asText()).contains("into English");
    assertThat(sent.path("messages").get(1).path("content").asText()).isEqualTo(KOREAN);
    b.shot("assist-suggestion");

    assist("assist-accept").click();
    assertThat(prompt()).isEqualTo(ENGLISH);
    assertThat(suggestion.isDisplayed()).isFalse();
    assist("assist-undo").click();
    assertThat(prompt()).as("undone").isEqualTo(KOREAN);

    assist("assist-translate").click();
    b.waitFor().until(ExpectedConditions.visibilityOf(suggestion));
    assist("assist-accept").click();
    assertThat(prompt()).isEqualTo(ENGLISH);

    String id = b.submitForm("the job with the translated prompt");
    assertThat(b.card(id).findElement(By.className("job-prompt")).getText()).isEqualTo(ENGLISH);
    b.awaitCard(id, "succeeded");
    assertThat(comfy.get().requests().stream().filter(r -> r.method().equals("POST") && r.path().equals("/prompt"))
        .map(r -> r.body()).filter(body -> body.contains(ENGLISH)).count()).as("ComfyUI got the English prompt").isEqualTo(1);
    b.assertNoConsoleErrors(Browser.ExpectedHttpError.SIGNED_OUT_PROBE);
  }

  @Test
  @Order(2)
  void improvesSuggestionCanBeDismissed() {
    browser().setPrompt("cat");
    LLM.reply("a cat, detailed fur, soft window light, 35mm");
    assist("assist-expand").click();
    WebElement suggestion = assist("assist-suggestion");
    assertThat(suggestion.getText()).contains("detailed fur");
    assertThat(chats().get(chats().size() - 1).path("messages").get(0).path("content").asText()).contains("lighting");

    assist("assist-dismiss").click();
    assertThat(suggestion.isDisplayed()).isFalse();
    assertThat(prompt()).isEqualTo("cat");
  }

  @Test
  @Order(3)
  void aFailingLlmIsSaidOnThePageInItsLanguage() {
    Browser b = browser();
    LLM.failWith(500);
    assist("assist-translate").click();
    b.waitFor().until(d -> d.findElement(By.cssSelector(".assist-status")).getText().contains("HTTP 500"));
    assertThat(b.driver.findElement(By.cssSelector(".assist-suggestion")).isDisplayed()).isFalse();

    b.switchLanguage("ko");
    assertThat(assist("assist-translate").getText()).isEqualTo("영어로 번역");
    b.setPrompt("고양이");
    assist("assist-translate").click();
    b.waitFor().until(ExpectedConditions.textToBe(By.cssSelector(".assist-status"), "지금은 프롬프트 도우미를 사용할 수 없습니다."));
    b.shot("assist-failed-ko");
    LLM.failWith(0);
    b.switchLanguage("en");
    b.assertNoConsoleErrors(Browser.ExpectedHttpError.api("v1/prompt/assist", 503));
  }
}
