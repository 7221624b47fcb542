package io.comfygate.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback TCP relay in front of a ComfyUI server that notes, on one {@link System#nanoTime()}
 * clock, when the bytes that matter to the benchmarks pass through:
 *
 * <ul>
 *   <li>every {@code execution_start} and {@code execution_success} WebSocket frame the server
 *       sends to any client, with its prompt id;
 *   <li>every {@code POST /prompt} request line a client sends.
 * </ul>
 *
 * <p>Why a relay: ComfyUI sends {@code execution_*} only to the socket of the client that queued
 * the prompt, and its own {@code timestamp} fields have millisecond resolution, too coarse for a
 * gap of well under a millisecond. Putting the same relay in front of both the engine and the
 * baseline client measures both at the same point, with the same (small) added hop.
 *
 * <p>Bytes are forwarded unchanged; frames are read, never altered. Compressed WebSocket frames
 * (permessage-deflate) cannot be read and are counted in {@link #unreadableFrames()}. Threads are
 * daemons named {@code bench-tap-*}; {@link #close()} ends them by closing every socket.
 */
public final class FrameTap implements AutoCloseable {
  /** One noted frame ({@code execution_start}, {@code execution_success}) or request ({@link #POST}). */
  public record Mark(long nanos, String type, String promptId) {}

  /** The type of a {@link Mark} for a {@code POST /prompt}; its prompt id is not read (null). */
  public static final String POST = "post";

  private static final Pattern EXECUTION = Pattern.compile(
      "\"type\"\\s*:\\s*\"(execution_start|execution_success)\"");
  private static final Pattern PROMPT_ID = Pattern.compile("\"prompt_id\"\\s*:\\s*\"([^\"]+)\"");
  private static final String[] POST_PROMPT = {"POST /prompt ", "POST /api/prompt "};
  private static final int TAIL = 16; // longest request line above, less one

  private final ServerSocket server;
  private final int targetPort;
  private final Queue<Mark> marks = new ConcurrentLinkedQueue<>();
  private final BlockingQueue<Long> posts = new LinkedBlockingQueue<>();
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger unreadable = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();

  private FrameTap(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "bench-tap-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A relay on a free loopback port forwarding to {@code 127.0.0.1:targetPort}. */
  public static FrameTap start(int targetPort) throws IOException {
    return new FrameTap(targetPort);
  }

  /** {@code http://127.0.0.1:PORT} of the relay. */
  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  /** Every frame and POST noted so far, in order of receipt. */
  public List<Mark> marks() {
    return new ArrayList<>(marks);
  }

  /** The nanoTime of the next {@code POST /prompt} not yet taken; null if none came in time. */
  public Long takePost(Duration timeout) throws InterruptedException {
    return posts.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Forgets noted frames and POSTs. */
  public void clear() {
    marks.clear();
    posts.clear();
  }

  public int unreadableFrames() {
    return unreadable.get();
  }

  private void acceptLoop() {
    while (!closed.get()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket();
        upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 3_000);
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        sockets.add(client);
        sockets.add(upstream);
        Connection c = new Connection(client, upstream);
        int n = connections.incrementAndGet();
        daemon("bench-tap-up-" + n, c::pumpUp).start();
        daemon("bench-tap-down-" + n, c::pumpDown).start();
      } catch (IOException e) {
        if (!closed.get()) {
          System.err.println("tap: accept failed: " + e);
        }
      }
    }
  }

  private static Thread daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** One client connection and its upstream twin. */
  private final class Connection {
    private final Socket client;
    private final Socket upstream;
    private volatile boolean webSocket;

    Connection(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }

    /** Client to server: forwards, and notes each POST /prompt request line. */
    void pumpUp() {
      byte[] chunk = new byte[64 * 1024];
      String tail = "";
      boolean first = true;
      try (InputStream in = client.getInputStream(); OutputStream out = upstream.getOutputStream()) {
        for (int n; (n = in.read(chunk)) > 0; ) {
          long now = System.nanoTime();
          String text = tail + new String(chunk, 0, n, StandardCharsets.ISO_8859_1);
          if (first) {
            webSocket = text.startsWith("GET /ws");
            first = false;
          }
          for (String line : POST_PROMPT) {
            // Matches wholly inside the carried tail were counted with the previous chunk.
            for (int i = text.indexOf(line); i >= 0; i = text.indexOf(line, i + 1)) {
              if (i + line.length() > tail.length()) {
                posts.add(now);
                marks.add(new Mark(now, POST, null));
              }
            }
          }
          tail = text.length() <= TAIL ? text : text.substring(text.length() - TAIL);
          out.write(chunk, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // The peer closed; so do we.
      } finally {
        closeBoth();
      }
    }

    /** Server to client: forwards, and on a WebSocket notes execution_start/success frames. */
    void pumpDown() {
      byte[] chunk = new byte[64 * 1024];
      FrameReader frames = new FrameReader();
      try (InputStream in = upstream.getInputStream(); OutputStream out = client.getOutputStream()) {
        for (int n; (n = in.read(chunk)) > 0; ) {
          long now = System.nanoTime();
          out.write(chunk, 0, n);
          out.flush();
          if (webSocket) {
            frames.feed(chunk, n, now);
          }
        }
      } catch (IOException e) {
        // The peer closed; so do we.
      } finally {
        closeBoth();
      }
    }

    private void closeBoth() {
      for (Socket s : new Socket[] {client, upstream}) {
        sockets.remove(s);
        try {
          s.close();
        } catch (IOException ignored) {
          // Already gone.
        }
      }
    }
  }

  /** Splits a server's byte stream (101 response, then frames) into WebSocket frames. */
  private final class FrameReader {
    private byte[] buf = new byte[64 * 1024];
    private int len;
    private boolean headersDone;

    void feed(byte[] chunk, int n, long now) {
      if (len + n > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
      }
      System.arraycopy(chunk, 0, buf, len, n);
      len += n;
      int pos = 0;
      if (!headersDone) {
        int end = indexOfCrLfCrLf();
        if (end < 0) {
          return;
        }
        headersDone = true;
        pos = end + 4;
      }
      while (true) {
        int consumed = frameAt(pos, now);
        if (consumed == 0) {
          break;
        }
        pos += consumed;
      }
      System.arraycopy(buf, pos, buf, 0, len - pos);
      len -= pos;
    }

    /** Reads one whole frame at {@code pos}; returns its length, or 0 if it is not all here yet. */
    private int frameAt(int pos, long now) {
      if (len - pos < 2) {
        return 0;
      }
      int b0 = buf[pos] & 0xff;
      int b1 = buf[pos + 1] & 0xff;
      long payload = b1 & 0x7f;
      int header = 2;
      if (payload == 126) {
        if (len - pos < 4) {
          return 0;
        }
        payload = ((buf[pos + 2] & 0xff) << 8) | (buf[pos + 3] & 0xff);
        header = 4;
      } else if (payload == 127) {
        if (len - pos < 10) {
          return 0;
        }
        payload = 0;
        for (int i = 0; i < 8; i++) {
          payload = (payload << 8) | (buf[pos + 2 + i] & 0xff);
        }
        header = 10;
      }
      if ((b1 & 0x80) != 0) {
        header += 4; // servers do not mask, but a mask key would sit here
      }
      if (len - pos < header + payload) {
        return 0;
      }
      int opcode = b0 & 0x0f;
      boolean compressed = (b0 & 0x40) != 0;
      if (compressed) {
        unreadable.incrementAndGet();
      } else if (opcode == 1) {
        note(new String(buf, pos + header, (int) payload, StandardCharsets.UTF_8), now);
      }
      return (int) (header + payload);
    }

    private void note(String text, long now) {
      Matcher type = EXECUTION.matcher(text);
      if (!type.find()) {
        return;
      }
      Matcher id = PROMPT_ID.matcher(text);
      if (id.find()) {
        marks.add(new Mark(now, type.group(1), id.group(1)));
      }
    }

    private int indexOfCrLfCrLf() {
      for (int i = 0; i + 3 < len; i++) {
        if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
          return i;
        }
      }
      return -1;
    }
  }

  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    try {
      server.close();
    } catch (IOException ignored) {
      // Closing anyway.
    }
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException ignored) {
        // Closing anyway.
      }
    }
  }
}
