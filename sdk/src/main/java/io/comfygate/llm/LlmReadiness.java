package io.comfygate.llm;

/**
 * Whether the LLM can take requests now: {@link State#READY}, {@link State#NOT_READY} with the
 * reason (unreachable, HTTP 401, no answer in time, …), or {@link State#DISABLED} with why (the
 * helper is off). Immutable.
 */
public record LlmReadiness(State state, String reason) {
  /** The three readiness states. */
  public enum State { READY, NOT_READY, DISABLED }

  public LlmReadiness {
    if (state == null) {
      throw new IllegalArgumentException("state must not be null");
    }
    if (state != State.READY && (reason == null || reason.isBlank())) {
      throw new IllegalArgumentException(state + " needs a reason");
    }
    reason = reason == null ? "" : reason;
  }

  public static LlmReadiness ready(String detail) {
    return new LlmReadiness(State.READY, detail);
  }

  public static LlmReadiness notReady(String reason) {
    return new LlmReadiness(State.NOT_READY, reason);
  }

  public static LlmReadiness disabled(String reason) {
    return new LlmReadiness(State.DISABLED, reason);
  }

  public boolean isReady() {
    return state == State.READY;
  }
}
