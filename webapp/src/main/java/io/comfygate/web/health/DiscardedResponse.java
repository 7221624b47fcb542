package io.comfygate.web.health;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.PrintWriter;
import java.io.Writer;

/**
 * A response whose status, headers and body go nowhere: what the authentication filter answers to
 * wrong credentials on {@code /healthz}, where they must not turn a monitor's probe into a 401.
 */
final class DiscardedResponse extends HttpServletResponseWrapper {
  private static final ServletOutputStream SINK = new ServletOutputStream() {
    @Override
    public void write(int b) {
      // discarded
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setWriteListener(WriteListener listener) {
      throw new UnsupportedOperationException("a discarded response is never written asynchronously");
    }
  };

  DiscardedResponse(HttpServletResponse response) {
    super(response);
  }

  @Override
  public void setStatus(int sc) {}

  @Override
  public void sendError(int sc) {}

  @Override
  public void sendError(int sc, String msg) {}

  @Override
  public void setHeader(String name, String value) {}

  @Override
  public void addHeader(String name, String value) {}

  @Override
  public void setContentType(String type) {}

  @Override
  public void setCharacterEncoding(String charset) {}

  @Override
  public ServletOutputStream getOutputStream() {
    return SINK;
  }

  @Override
  public PrintWriter getWriter() {
    return new PrintWriter(Writer.nullWriter());
  }
}
