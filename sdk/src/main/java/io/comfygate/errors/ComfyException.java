package io.comfygate.errors;

/**
 * Root of every exception the ComfyGate SDK throws. Unchecked: callers catch the subtype that
 * matches what they can do about it (retry later, fix the input, give up), not this root.
 *
 * <p>Messages carry the state needed to understand the failure without a debugger (the server,
 * the call, the deadline); the cause is always kept.
 *
 * <h2>What the ComfyUI client throws</h2>
 * <table>
 *   <caption>Failure → exception → what the caller can do</caption>
 *   <tr><th>Failure</th><th>Exception</th><th>Caller action</th></tr>
 *   <tr><td>400 from {@code POST /prompt}</td><td>{@link ComfyValidationException} (carries
 *       {@code node_errors})</td><td>fix the workflow; retrying is pointless</td></tr>
 *   <tr><td>403 (origin check)</td><td>{@link ComfyForbiddenException}</td><td>fix the proxy:
 *       forward {@code Host}, drop {@code Origin}</td></tr>
 *   <tr><td>404</td><td>{@link ComfyNotFoundException}</td><td>the file or route does not exist</td></tr>
 *   <tr><td>413</td><td>{@link ComfyPayloadTooLargeException}</td><td>send less, or raise
 *       {@code --max-upload-size}</td></tr>
 *   <tr><td>500 and other 5xx (plain-text body kept)</td><td>{@link ComfyServerErrorException}</td>
 *       <td>usually a malformed request; check the body</td></tr>
 *   <tr><td>any other non-2xx status</td><td>{@link ComfyHttpException}</td><td>inspect
 *       {@code status()} and {@code body()}</td></tr>
 *   <tr><td>connection refused, unknown host, connect timeout</td>
 *       <td>{@link ComfyUnavailableException}</td><td>the request never reached the server:
 *       retry later or elsewhere</td></tr>
 *   <tr><td>connection lost mid-call, bad file I/O</td><td>{@link ComfyIoException}</td>
 *       <td>the request may have been processed: check before resubmitting</td></tr>
 *   <tr><td>no answer within the call's deadline</td><td>{@link ComfyTimeoutException}</td>
 *       <td>the server is busy or hung</td></tr>
 *   <tr><td>a body that is not what ComfyUI sends</td><td>{@link ComfyProtocolException}</td>
 *       <td>wrong server or incompatible version</td></tr>
 *   <tr><td>the calling thread was interrupted</td><td>{@link ComfyInterruptedException}
 *       (interrupt flag restored)</td><td>stop</td></tr>
 *   <tr><td>call on a closed client</td><td>{@link IllegalStateException}</td><td>a bug</td></tr>
 * </table>
 */
public class ComfyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ComfyException(String message) {
    super(message);
  }

  public ComfyException(String message, Throwable cause) {
    super(message, cause);
  }
}
