package io.comfygate.internal.http;

import java.io.FileNotFoundException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Internal, not API. A {@code multipart/form-data} body of text fields plus one file part. A file
 * from disk is streamed by the JDK publisher, never read fully into memory.
 */
public final class Multipart {
  private final String boundary = "comfygate-" + UUID.randomUUID();
  private final Map<String, String> fields = new LinkedHashMap<>();
  private String fileField;
  private String fileName;
  private HttpRequest.BodyPublisher filePublisher;

  public Multipart field(String name, String value) {
    fields.put(name, value);
    return this;
  }

  public Multipart file(String field, String name, byte[] bytes) {
    return file(field, name, HttpRequest.BodyPublishers.ofByteArray(bytes));
  }

  public Multipart file(String field, String name, Path path) throws FileNotFoundException {
    return file(field, name, HttpRequest.BodyPublishers.ofFile(path));
  }

  private Multipart file(String field, String name, HttpRequest.BodyPublisher publisher) {
    this.fileField = field;
    this.fileName = name;
    this.filePublisher = publisher;
    return this;
  }

  public String contentType() {
    return "multipart/form-data; boundary=" + boundary;
  }

  public HttpRequest.BodyPublisher publisher() {
    List<HttpRequest.BodyPublisher> parts = new ArrayList<>();
    StringBuilder head = new StringBuilder();
    fields.forEach((k, v) -> head.append("--").append(boundary).append("\r\n")
        .append("Content-Disposition: form-data; name=\"").append(quote(k)).append("\"\r\n\r\n")
        .append(v).append("\r\n"));
    if (filePublisher != null) {
      head.append("--").append(boundary).append("\r\n")
          .append("Content-Disposition: form-data; name=\"").append(quote(fileField))
          .append("\"; filename=\"").append(quote(fileName)).append("\"\r\n")
          .append("Content-Type: application/octet-stream\r\n\r\n");
      parts.add(HttpRequest.BodyPublishers.ofString(head.toString(), StandardCharsets.UTF_8));
      parts.add(filePublisher);
      parts.add(HttpRequest.BodyPublishers.ofString("\r\n--" + boundary + "--\r\n", StandardCharsets.UTF_8));
    } else {
      parts.add(HttpRequest.BodyPublishers.ofString(head + "--" + boundary + "--\r\n", StandardCharsets.UTF_8));
    }
    return HttpRequest.BodyPublishers.concat(parts.toArray(new HttpRequest.BodyPublisher[0]));
  }

  private static String quote(String s) {
    // Quotes and line breaks would end the header value early.
    return s.replace("\"", "%22").replace("\r", "%0D").replace("\n", "%0A");
  }
}
