package io.comfygate.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.config.Settings;
import io.comfygate.web.resources.UploadsResource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/nginx/comfygate.conf and UPLOAD_MAX_BYTES stay tied: the upload location lets through a
 * file of the default limit with its multipart framing (else nginx refuses, as HTML, uploads the WAR
 * accepts), and every other path keeps small bodies.
 */
class NginxConfTest {
  // Maven runs tests with the module directory (webapp/) as working directory.
  private static final Path CONF = Path.of("..", "deploy", "nginx", "comfygate.conf");

  @Test
  void theUploadLocationTakesUploadMaxBytesWithItsFramingAndEverythingElseStaysSmall() throws IOException {
    String conf = Files.readString(CONF, StandardCharsets.UTF_8);
    long uploadMax = Settings.defaults().uploadMaxBytes();

    Matcher upload = Pattern.compile("location = /comfygate/api/v1/uploads \\{([^}]*)}").matcher(conf);
    assertThat(upload.find()).as("a location for exactly the upload endpoint").isTrue();
    long uploads = bodyLimit(upload.group(1));
    assertThat(uploads).as("client_max_body_size of the upload location")
        .isGreaterThanOrEqualTo(uploadMax + UploadsResource.MULTIPART_OVERHEAD)
        .isLessThanOrEqualTo(uploadMax + 2 * 1024 * 1024);
    assertThat(upload.group(1)).contains("proxy_pass http://comfygate_tomcat;");
    String comment = conf.substring(conf.lastIndexOf("\n\n", upload.start()), upload.start());
    assertThat(comment).as("the comment above it").contains("UPLOAD_MAX_BYTES").contains(Long.toString(uploadMax));

    String outside = conf.substring(0, upload.start()) + conf.substring(upload.end());
    Matcher others = Pattern.compile("client_max_body_size\\s+(\\S+);").matcher(outside);
    int count = 0;
    while (others.find()) {
      assertThat(size(others.group(1))).as("client_max_body_size elsewhere").isLessThanOrEqualTo(1024 * 1024);
      count++;
    }
    assertThat(count).as("a server-wide client_max_body_size").isEqualTo(1);
  }

  private static long bodyLimit(String block) {
    Matcher m = Pattern.compile("client_max_body_size\\s+(\\S+);").matcher(block);
    assertThat(m.find()).as("client_max_body_size in the upload location").isTrue();
    return size(m.group(1));
  }

  /** nginx sizes: bytes, or k/m/g suffixed. */
  private static long size(String value) {
    String v = value.toLowerCase(Locale.ROOT);
    long unit = v.endsWith("k") ? 1024 : v.endsWith("m") ? 1024 * 1024 : v.endsWith("g") ? 1024L * 1024 * 1024 : 1;
    return Long.parseLong(unit == 1 ? v : v.substring(0, v.length() - 1)) * unit;
  }
}
