package io.comfygate.health;

/**
 * A check's status changed between two full rounds, e.g. UP → DOWN when a backend stops answering.
 * Before its first result a check is presumed UP, so a check that starts DOWN (or DISABLED) is
 * reported once as a change from UP. Immutable.
 *
 * @param result the result that shows the new status (with its reason)
 */
public record HealthChange(String check, Status from, Status to, CheckResult result) {}
