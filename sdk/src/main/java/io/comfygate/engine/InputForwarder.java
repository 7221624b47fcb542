package io.comfygate.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.comfygate.errors.InvalidParamsException;
import io.comfygate.errors.InvalidParamsException.Problem;
import io.comfygate.templates.ParamSpec;
import io.comfygate.templates.ParamType;
import io.comfygate.templates.Target;
import io.comfygate.templates.Template;
import io.comfygate.uploads.Upload;
import io.comfygate.uploads.UploadId;
import io.comfygate.uploads.Uploads;
import java.util.ArrayList;
import java.util.List;

/**
 * The input images of jobs: at submit, every {@code image} parameter must name an upload of the
 * job's user; at dispatch, each one is sent to the backend that runs the job ({@code POST
 * /upload/image}, overwrite, under a name derived from the upload id, so sending it again is
 * harmless) and the name ComfyUI gives back replaces the upload id in the workflow. A backend
 * remembers what it has received until it goes down or refuses a workflow, then gets it again.
 */
final class InputForwarder {
  /** An input image could not be provided; the message says which and why. */
  static final class InputUnavailable extends Exception {
    private static final long serialVersionUID = 1L;

    InputUnavailable(String message) {
      super(message);
    }
  }

  private final Uploads uploads;

  /** @param uploads the upload store, or {@code null} when this engine has none */
  InputForwarder(Uploads uploads) {
    this.uploads = uploads;
  }

  /** @throws InvalidParamsException naming each image parameter that is not an upload of {@code userId} */
  void checkOwned(Template template, ObjectNode params, String userId) {
    List<Problem> problems = new ArrayList<>();
    for (ParamSpec spec : imageParams(template)) {
      JsonNode value = params.get(spec.name());
      if (value == null) {
        continue;
      }
      if (uploads == null) {
        problems.add(new Problem(spec.name(), "image uploads are not available here (no upload store)"));
      } else if (uploads.find(UploadId.of(value.textValue())).filter(u -> u.userId().equals(userId)).isEmpty()) {
        problems.add(new Problem(spec.name(), "no upload " + value.textValue()
            + " of yours (upload the image first with POST /api/v1/uploads; uploads expire)"));
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidParamsException(problems);
    }
  }

  /** Whether the template takes any input image. */
  boolean hasImages(Template template) {
    return !imageParams(template).isEmpty();
  }

  /** Whether {@code backend} is remembered to have one of the job's input images already. */
  boolean sentBefore(Template template, JsonNode params, Backend backend) {
    return imageParams(template).stream().map(spec -> params.path(spec.name()).asText(""))
        .anyMatch(backend.inputs::containsKey);
  }

  /**
   * The workflow to send to {@code backend}: each input image uploaded there (unless it has it) and
   * its LoadImage inputs set to the name ComfyUI stored it under.
   *
   * @throws InputUnavailable the upload no longer exists
   * @throws io.comfygate.errors.ComfyException sending it to ComfyUI failed
   */
  ObjectNode prepare(Template template, JsonNode params, ObjectNode workflow, Backend backend) throws InputUnavailable {
    ObjectNode out = workflow.deepCopy();
    for (ParamSpec spec : imageParams(template)) {
      JsonNode value = params.get(spec.name());
      if (value == null || !value.isTextual()) {
        continue;
      }
      String name = backend.inputs.get(value.textValue());
      if (name == null) {
        name = send(spec, value.textValue(), backend);
        backend.inputs.put(value.textValue(), name);
      }
      for (Target target : spec.targets()) {
        ((ObjectNode) out.get(target.nodeId()).get("inputs")).set(target.input(), TextNode.valueOf(name));
      }
    }
    return out;
  }

  private String send(ParamSpec spec, String uploadId, Backend backend) throws InputUnavailable {
    Upload upload = uploads == null ? null : uploads.find(UploadId.of(uploadId)).orElse(null);
    if (upload == null || !java.nio.file.Files.isRegularFile(uploads.file(upload))) {
      throw new InputUnavailable("its input image " + uploadId + " (parameter " + spec.name()
          + ") no longer exists (uploads are kept UPLOAD_RETENTION_HOURS)");
    }
    String file = upload.file();
    String remoteName = "comfygate-" + file; // <upload id>.<ext>: the same upload always lands on the same name
    return backend.client.uploadImage(uploads.file(upload).toAbsolutePath(), remoteName, true, "", "input")
        .loadImageValue();
  }

  private static List<ParamSpec> imageParams(Template template) {
    return template.params().stream().filter(p -> p.type() == ParamType.IMAGE).toList();
  }
}
