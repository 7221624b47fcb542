package io.comfygate.store.jdbc;

import io.comfygate.errors.StoreException;

/**
 * A dispatch write was refused because this instance no longer holds the dispatcher lease (it
 * expired, or another instance took it): nothing was written, and nothing may be sent to ComfyUI.
 */
public final class LeaseLostException extends StoreException {
  private static final long serialVersionUID = 1L;

  public LeaseLostException(String operation, String holder) {
    super(operation, "instance " + holder + " no longer holds the dispatcher lease; nothing was written");
  }
}
