package io.comfygate.health;

/** A check's state. Only {@link #DOWN} fails health; {@link #DISABLED} is a feature turned off. */
public enum Status {
  UP,
  DOWN,
  DISABLED
}
