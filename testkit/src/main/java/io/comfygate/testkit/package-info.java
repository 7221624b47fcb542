/**
 * Test support for ComfyGate: {@link io.comfygate.testkit.FakeComfyUi}, a fake ComfyUI 0.3.64 on a
 * real socket (HTTP and WebSocket, faithful to the recorded {@link io.comfygate.testkit.Transcripts}),
 * its JUnit 5 extension {@link io.comfygate.testkit.FakeComfyUiExtension}, a standalone
 * {@link io.comfygate.testkit.FakeComfyUiMain} for demos without a GPU, a settable
 * {@link io.comfygate.testkit.FakeClock} and bounded polling with {@link io.comfygate.testkit.Await}.
 *
 * <p>Only the classes documented here are API; everything package-private is implementation.
 */
package io.comfygate.testkit;
