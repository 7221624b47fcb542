package io.comfygate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ServerListParserTest {
  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "127.0.0.1:8188                  | http://127.0.0.1:8188",
        "http://127.0.0.1:8188           | http://127.0.0.1:8188",
        "HTTPS://Comfy.Example.COM:443/  | https://comfy.example.com:443",
        "[::1]:8188                      | http://[::1]:8188",
        "http://[fe80::1]:80             | http://[fe80::1]:80",
        "comfy_ui:8188                   | http://comfy_ui:8188",
        "localhost:08188                 | http://localhost:8188",
      })
  void normalisesEachAcceptedForm(String raw, String expected) {
    assertThat(ServerListParser.parse(raw)).containsExactly(URI.create(expected));
  }

  @Test
  void keepsTheOrderOfAPool() {
    assertThat(ServerListParser.parse(" gpu1:8188 , https://gpu2:8443,10.0.0.3:1"))
        .containsExactly(
            URI.create("http://gpu1:8188"),
            URI.create("https://gpu2:8443"),
            URI.create("http://10.0.0.3:1"));
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "``                               | entry 1 is empty",
        "a:1,,b:2                         | entry 2 is empty",
        "a:1,                             | entry 2 is empty",
        "localhost                        | has no port",
        "http://localhost                 | has no port",
        "localhost:                       | has a bad port",
        "localhost:0                      | has a bad port",
        "localhost:65536                  | has a bad port",
        "localhost:80a                    | has a bad port",
        "my host:8188                     | is not host:port",
        "::1:8188                         | is not host:port",
        "user@host:8188                   | is not host:port",
        "http://host:8188/api             | has a path or query",
        "host:8188?x=1                    | has a path or query",
        "ftp://host:21                    | has unknown scheme",
        "ws://host:8188                   | has unknown scheme",
        "a:1,http://A:1                   | entry 2 repeats http://a:1",
      })
  void rejectsMalformedListsNamingTheEntry(String raw, String detail) {
    assertThatThrownBy(() -> ServerListParser.parse(raw))
        .isInstanceOf(RejectedValueException.class)
        .hasMessageContaining(detail);
  }
}
