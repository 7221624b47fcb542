/**
 * Load drivers against the WAR itself: ComfyGate deployed in an embedded Tomcat (through the
 * examples' {@code Launcher}) in this JVM, simulated ComfyUI backends on loopback, clients over
 * real HTTP and WebSocket. Each driver is a plain {@code main}, bounded in time; figures go to
 * BENCHMARKS.md. Measuring in one JVM puts every timestamp on one {@link System#nanoTime()} clock.
 *
 * <p>{@code RigPair} runs the WAR twice on one PostgreSQL schema, for the drivers of several instances
 * ({@code ClusterLiveDelay}, {@code ClusterSubmitRates}).
 */
package io.comfygate.bench.war;
