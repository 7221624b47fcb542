package io.comfygate.testkit;

import java.time.Duration;

/** The fake's fixed settings, validated by {@link FakeComfyUi.Builder}. */
record FakeConfig(int port, int steps, Duration stepDelay, long maxUploadSize, boolean samplerPreviews) {}
