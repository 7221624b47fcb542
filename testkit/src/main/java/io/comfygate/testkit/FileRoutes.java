package io.comfygate.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;

/** GET /view and POST /upload/image over the fake's {@link FileStore}. */
final class FileRoutes {
  private final FakeServerState st;

  FileRoutes(FakeServerState st) {
    this.st = st;
  }

  void view(Exchange ex) throws IOException {
    FileStore.Lookup found = st.files().view(ex.param("filename"), ex.param("type"), ex.param("subfolder"));
    if (found.status() != 200) {
      ex.empty(found.status());
      return;
    }
    byte[] bytes = Files.readAllBytes(found.file());
    String name = found.file().getFileName().toString();
    ex.resp.setStatus(200);
    ex.resp.setHeader("Content-Disposition", "filename=\"" + name + "\"");
    ex.resp.setContentType(name.endsWith(".png") ? "image/png" : "application/octet-stream");
    ex.resp.setContentLength(bytes.length);
    ex.resp.getOutputStream().write(bytes);
  }

  void uploadImage(Exchange ex) throws IOException {
    Map<String, Multipart.Part> parts = Multipart.parse(ex.req.getContentType(), ex.body);
    Multipart.Part image = parts.get("image");
    if (image == null || image.filename() == null) {
      ex.empty(400);
      return;
    }
    String overwrite = text(parts, "overwrite");
    FileStore.Upload up = st.files().upload(image.data(), image.filename(), text(parts, "type"),
        text(parts, "subfolder"), "true".equals(overwrite) || "1".equals(overwrite));
    if (up.status() == 500) {
      ex.serverError();
      return;
    }
    if (up.status() != 200) {
      ex.empty(up.status());
      return;
    }
    ObjectNode out = Json.object();
    out.put("name", up.name());
    out.put("subfolder", up.subfolder());
    out.put("type", up.type());
    ex.json(200, out);
  }

  private static String text(Map<String, Multipart.Part> parts, String name) {
    Multipart.Part p = parts.get(name);
    return p == null ? null : p.text();
  }
}
