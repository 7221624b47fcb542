package io.comfygate.engine;

import static io.comfygate.engine.EngineTests.params;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestFingerprintTest {

  @Test
  void keyOrderAndWhitespaceAtAnyDepthDoNotMatter() {
    assertThat(RequestFingerprint.of("t", params("{\"a\": 1, \"b\": {\"y\": [1, {\"q\": 1, \"p\": 2}], \"x\": 2}}")))
        .isEqualTo(RequestFingerprint.of("t", params("{\"b\":{\"x\":2,\"y\":[1,{\"p\":2,\"q\":1}]},\"a\":1}")));
  }

  @Test
  void missingParamsEqualAnEmptyObject() {
    assertThat(RequestFingerprint.of("t", null)).isEqualTo(RequestFingerprint.of("t", params("{}")));
  }

  @Test
  void anotherTemplateValueOrArrayOrderIsAnotherRequest() {
    String base = RequestFingerprint.of("t", params("{\"a\": [1, 2]}"));
    assertThat(RequestFingerprint.of("u", params("{\"a\": [1, 2]}"))).isNotEqualTo(base);
    assertThat(RequestFingerprint.of("t", params("{\"a\": [2, 1]}"))).isNotEqualTo(base);
    assertThat(RequestFingerprint.of("t", params("{\"a\": [1, 2], \"b\": null}"))).isNotEqualTo(base);
  }
}
