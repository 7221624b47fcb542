/**
 * Benchmarks of several engine instances on one PostgreSQL database, each instance in a JVM of its
 * own ({@link io.comfygate.bench.cluster.ClusterChild}) so that it can be killed with SIGKILL. Bounded
 * in time, loopback only; figures go to BENCHMARKS.md, section 7.
 */
package io.comfygate.bench.cluster;
