package io.comfygate.testkit;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Computes the outputs of non-output nodes on simulated values ({@link Img} for IMAGE/LATENT,
 * strings or seeds for the rest). Stateless apart from reading uploaded files.
 */
final class NodeSimulator {
  // Beyond this many pixels a real CPU run fails to allocate the tensor (transcript 08).
  private static final long MAX_PIXELS = 1L << 28;

  private final FileStore files;

  NodeSimulator(FileStore files) {
    this.files = files;
  }

  /** The node's outputs, by slot. Inputs are converted literals or upstream outputs. */
  List<Object> compute(String classType, Map<String, Object> in) throws NodeFailure {
    switch (classType) {
      case "EmptyImage":
        return List.of(allocate(integer(in, "width"), integer(in, "height"), integer(in, "batch_size"),
            ((Number) in.get("color")).longValue()));
      case "EmptyLatentImage":
        return List.of(allocate(integer(in, "width"), integer(in, "height"), integer(in, "batch_size"), 0));
      case "LoadImage":
        return loadImage(String.valueOf(in.get("image")));
      case "ImageBlur":
        return List.of(img(in, "image").withSeed(Img.mix(img(in, "image").seed(), integer(in, "blur_radius"))));
      case "ImageInvert":
        return List.of(img(in, "image").withSeed(~img(in, "image").seed()));
      case "ImageScale":
        return List.of(scale(img(in, "image"), integer(in, "width"), integer(in, "height")));
      case "ImageBlend":
        return List.of(blend(img(in, "image1"), img(in, "image2")));
      case "CheckpointLoaderSimple":
        String ckpt = String.valueOf(in.get("ckpt_name"));
        return List.of("model:" + ckpt, "clip:" + ckpt, "vae:" + ckpt);
      case "CLIPTextEncode":
        return List.of((long) String.valueOf(in.get("text")).hashCode());
      case "KSampler":
        Img latent = img(in, "latent_image");
        long seed = Img.mix(((Number) in.get("seed")).longValue(), ((Number) in.get("positive")).longValue());
        return List.of(latent.withSeed(Img.mix(seed, ((Number) in.get("negative")).longValue())));
      case "VAEDecode":
        return List.of(img(in, "samples"));
      case "VAEEncode":
        return List.of(img(in, "pixels"));
      default:
        throw new NodeFailure("NotImplementedError", "FakeComfyUi cannot simulate " + classType + "\n");
    }
  }

  private static Img allocate(int w, int h, int batch, long seed) throws NodeFailure {
    if ((long) w * h * batch > MAX_PIXELS) {
      long bytes = (long) w * h * batch * 4;
      throw new NodeFailure("RuntimeError", "[enforce fail at alloc_cpu.cpp:75] err == 0. DefaultCPUAllocator: "
          + "can't allocate memory: you tried to allocate " + bytes + " bytes. Error code 12 (Cannot allocate memory)\n");
    }
    return new Img(w, h, batch, seed);
  }

  private List<Object> loadImage(String name) throws NodeFailure {
    Path file = files.inputFile(name.replace(" [input]", ""));
    try {
      BufferedImage image = ImageIO.read(file.toFile());
      if (image == null) {
        throw new NodeFailure("UnidentifiedImageError", "cannot identify image file '" + file.getFileName() + "'\n");
      }
      Img img = new Img(image.getWidth(), image.getHeight(), 1, name.hashCode());
      return List.of(img, img);
    } catch (IOException e) {
      throw new NodeFailure("FileNotFoundError", "No such file or directory: '" + name + "'\n");
    }
  }

  private static Img scale(Img src, int w, int h) {
    // 0 keeps the aspect ratio from the other side, as ImageScale does.
    int width = w == 0 ? Math.max(1, src.width() * h / Math.max(1, src.height())) : w;
    int height = h == 0 ? Math.max(1, src.height() * width / Math.max(1, src.width())) : h;
    return new Img(width, height, src.batch(), src.seed());
  }

  private static Img blend(Img a, Img b) throws NodeFailure {
    if (a.batch() != b.batch()) {
      throw new NodeFailure("RuntimeError", "The size of tensor a (" + a.batch() + ") must match the size of tensor b ("
          + b.batch() + ") at non-singleton dimension 0\n");
    }
    return a.withSeed(Img.mix(a.seed(), b.seed()));
  }

  private static Img img(Map<String, Object> in, String name) {
    return (Img) in.get(name);
  }

  private static int integer(Map<String, Object> in, String name) {
    return ((Number) in.get(name)).intValue();
  }
}
