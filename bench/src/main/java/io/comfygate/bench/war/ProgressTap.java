package io.comfygate.bench.war;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback relay in front of one ComfyUI server that notes, on the {@link System#nanoTime()}
 * clock, each {@code progress} and {@code execution_success} WebSocket frame the server sends, as
 * soon as the frame's last byte has been passed on to the client. Bytes pass unchanged. HTTP
 * connections are piped without looking; only a connection whose request starts with
 * {@code GET /ws} is read frame by frame. Compressed frames cannot be read and are counted.
 */
final class ProgressTap implements AutoCloseable {
  /** A noted frame: {@code progress} (with value and max) or {@code execution_success}. */
  record Frame(long nanos, String type, String promptId, int value, int max) {}

  private final ServerSocket server;
  private final int targetPort;
  private final Queue<Frame> frames = new ConcurrentLinkedQueue<>();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger compressed = new AtomicInteger();
  private volatile boolean closed;

  private ProgressTap(URI target) throws IOException {
    this.targetPort = target.getPort();
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    thread("warbench-tap-accept", this::accept);
  }

  static ProgressTap start(URI target) throws IOException {
    return new ProgressTap(target);
  }

  URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  List<Frame> frames() {
    return new ArrayList<>(frames);
  }

  long successes() {
    return frames.stream().filter(f -> f.type().equals("execution_success")).count();
  }

  int compressedFrames() {
    return compressed.get();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        open.add(client);
        open.add(upstream);
        CountDownLatch looked = new CountDownLatch(1);
        boolean[] webSocket = new boolean[1];
        thread("warbench-tap-up", () -> up(client, upstream, webSocket, looked));
        thread("warbench-tap-down", () -> down(client, upstream, webSocket, looked));
      } catch (IOException e) {
        if (!closed) {
          System.err.println("tap: " + e);
        }
      }
    }
  }

  /** Client to server: decides from the first bytes whether this is the WebSocket, then pipes. */
  private void up(Socket client, Socket upstream, boolean[] webSocket, CountDownLatch looked) {
    try (InputStream in = client.getInputStream(); OutputStream out = upstream.getOutputStream()) {
      byte[] first = new byte[8192];
      int n = in.read(first);
      if (n > 0) {
        webSocket[0] = new String(first, 0, n, StandardCharsets.ISO_8859_1).startsWith("GET /ws");
        looked.countDown();
        out.write(first, 0, n);
        in.transferTo(out);
      }
    } catch (IOException e) {
      // a peer closed
    } finally {
      looked.countDown();
      close(client, upstream);
    }
  }

  /** Server to client: pipes, and on the WebSocket reads each frame as it passes. */
  private void down(Socket client, Socket upstream, boolean[] webSocket, CountDownLatch looked) {
    try (InputStream raw = upstream.getInputStream(); OutputStream out = client.getOutputStream()) {
      if (!looked.await(30, TimeUnit.SECONDS) || !webSocket[0]) {
        raw.transferTo(out);
        return;
      }
      DataInputStream in = new DataInputStream(new BufferedInputStream(new Forwarding(raw, out)));
      skipHeaders(in);
      while (true) {
        readFrame(in);
      }
    } catch (IOException | InterruptedException e) {
      // a peer closed
    } finally {
      close(client, upstream);
    }
  }

  private static void skipHeaders(DataInputStream in) throws IOException {
    int matched = 0;
    while (matched < 4) {
      int b = in.readUnsignedByte();
      matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : b == '\r' ? 1 : 0;
    }
  }

  private void readFrame(DataInputStream in) throws IOException {
    int b0 = in.readUnsignedByte();
    int b1 = in.readUnsignedByte();
    long length = b1 & 0x7f;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    if ((b1 & 0x80) != 0) {
      in.readInt(); // a mask key; servers send none
    }
    byte[] payload = new byte[(int) length];
    in.readFully(payload);
    long now = System.nanoTime();
    if ((b0 & 0x40) != 0) {
      compressed.incrementAndGet();
    } else if ((b0 & 0x0f) == 1) {
      note(new String(payload, StandardCharsets.UTF_8), now);
    }
  }

  private void note(String text, long now) throws IOException {
    if (!text.contains("\"progress\"") && !text.contains("\"execution_success\"")) {
      return;
    }
    JsonNode message = Rig.JSON.readTree(text);
    String type = message.path("type").asText();
    JsonNode data = message.path("data");
    if (type.equals("progress") || type.equals("execution_success")) {
      frames.add(new Frame(now, type, data.path("prompt_id").asText(null), data.path("value").asInt(),
          data.path("max").asInt()));
    }
  }

  /** Passes every byte it reads on to {@code out} at once. */
  private static final class Forwarding extends FilterInputStream {
    private final OutputStream out;

    Forwarding(InputStream in, OutputStream out) {
      super(in);
      this.out = out;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        out.write(b, off, n);
        out.flush();
      }
      return n;
    }
  }

  private void close(Socket... sockets) {
    for (Socket s : sockets) {
      open.remove(s);
      try {
        s.close();
      } catch (IOException ignored) {
        // already closed
      }
    }
  }

  private static void thread(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    close(open.toArray(Socket[]::new));
  }
}
