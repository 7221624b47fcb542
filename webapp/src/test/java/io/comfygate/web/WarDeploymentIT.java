package io.comfygate.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The packaged WAR deploys to a real Tomcat and answers on its REST and static paths. */
@ExtendWith(ArquillianExtension.class)
class WarDeploymentIT {

  @Deployment(testable = false)
  static WebArchive war() {
    return ShrinkWrap.createFromZipFile(WebArchive.class, new File(System.getProperty("war.file")));
  }

  @ArquillianResource URL base;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private HttpResponse<String> get(String path) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + base.getPort() + base.getPath()).resolve(path);
    return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void restApiAnswersJson() throws Exception {
    HttpResponse<String> about = get("api/v1/about");
    assertThat(about.statusCode()).isEqualTo(200);
    assertThat(about.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
    assertThat(about.body()).contains("\"name\":\"ComfyGate\"");
  }

  @Test
  void staticPageIsServed() throws Exception {
    HttpResponse<String> index = get("index.html");
    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(index.body()).contains("<h1>ComfyGate</h1>");
  }
}
