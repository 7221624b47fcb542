package io.comfygate.remote.errors;

/**
 * The root of every error of the client: unchecked, split by what the caller can do about it.
 * {@link #status()} is the HTTP status (0 when no answer came) and {@link #code()} the API's error
 * code ({@code invalid_params}, {@code quota_exceeded}, …; {@code null} without one).
 *
 * <table>
 * <caption>HTTP status to exception</caption>
 * <tr><td>400 invalid_params</td><td>{@link InvalidParamsException} (each field's problem)</td></tr>
 * <tr><td>other 400, 413, 415</td><td>{@link RejectedException}</td></tr>
 * <tr><td>401</td><td>{@link UnauthorizedException}</td></tr>
 * <tr><td>403</td><td>{@link ForbiddenException}</td></tr>
 * <tr><td>404 not_found</td><td>{@link NotFoundException}</td></tr>
 * <tr><td>422 idempotency_key_reused</td><td>{@link IdempotencyKeyReusedException}</td></tr>
 * <tr><td>429</td><td>{@link QuotaExceededException} (limit, retry-after)</td></tr>
 * <tr><td>503, no connection, another server's 404</td><td>{@link UnavailableException}</td></tr>
 * <tr><td>a deadline passed</td><td>{@link ComfyGateTimeoutException}</td></tr>
 * <tr><td>500 and other 5xx</td><td>{@link ServerErrorException} (error id)</td></tr>
 * </table>
 */
public class ComfyGateException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String code;

  public ComfyGateException(int status, String code, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.code = code;
  }

  /** The HTTP status, or 0 when no answer came. */
  public int status() {
    return status;
  }

  /** The API's error code, or null. */
  public String code() {
    return code;
  }
}
