package io.comfygate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ShapesTest {
  @Test
  void ignoresValuesButNotKeysOrTypes() {
    assertThat(Shapes.of(Json.parse("{\"a\":1,\"b\":[\"x\"]}"))).isEqualTo(Shapes.of(Json.parse("{\"b\":[\"y\",\"z\"],\"a\":2.5}")));
    assertThat(Shapes.of(Json.parse("{\"a\":1}"))).isNotEqualTo(Shapes.of(Json.parse("{\"a\":\"1\"}")));
    assertThat(Shapes.of(Json.parse("{\"a\":1}"))).isNotEqualTo(Shapes.of(Json.parse("{\"a\":1,\"c\":null}")));
  }

  @Test
  void uuidKeysCountAsOne() {
    assertThat(Shapes.of(Json.parse("{\"ff0cb479-6e99-495a-b41d-e719f3c581d4\":{}}")))
        .isEqualTo(Shapes.of(Json.parse("{\"00000000-1111-2222-3333-444444444444\":{}}")));
  }

  @Test
  void collapsesProgressRunsKeepingTheirOrder() {
    List<String> a = List.of("executing", "progress_state", "progress", "binary:1", "progress_state", "progress", "binary:1", "executed");
    assertThat(Shapes.collapse(a)).containsExactly("executing", "progress_state", "progress", "binary:1", "executed");
    List<String> b = List.of("executing", "progress_state", "binary:4", "progress", "executed");
    assertThat(Shapes.collapse(b)).containsExactly("executing", "progress_state", "binary:4", "progress", "executed");
  }
}
