package io.comfygate.errors;

/**
 * A workflow template file cannot be used: it does not parse, or it contradicts itself (a target
 * names a missing node, a default is out of its own range, ...). Reported at start-up with the
 * file and the reason, so an operator can fix the file.
 */
public class TemplateException extends ComfyException {
  private static final long serialVersionUID = 1L;

  private final String source;

  public TemplateException(String source, String reason) {
    super("Template " + source + ": " + reason);
    this.source = source;
  }

  public TemplateException(String source, String reason, Throwable cause) {
    super("Template " + source + ": " + reason, cause);
    this.source = source;
  }

  /** The file (or shipped resource) the template came from. */
  public String source() {
    return source;
  }
}
