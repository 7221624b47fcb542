package io.comfygate.web.api;

import java.util.List;

/**
 * The Generate button's pre-check: the {@link HealthView} fields, plus {@code simulated}: true when
 * a ComfyUI backend is the simulated one (FakeComfyUi, no GPU), so that the page can say plainly
 * that its images are generated placeholders.
 */
public record PrecheckView(String status, boolean ok, String summary, String checkedAt, List<HealthView.Check> checks,
    boolean simulated) {

  public static PrecheckView of(HealthView health, boolean simulated) {
    return new PrecheckView(health.status(), health.ok(), health.summary(), health.checkedAt(), health.checks(),
        simulated);
  }
}
