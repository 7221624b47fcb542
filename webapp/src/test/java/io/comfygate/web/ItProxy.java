package io.comfygate.web;

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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy on loopback in front of the deployed WAR, for the network faults a client must ride
 * out: the answer to a request dropped after the server handled it, every open connection cut, new
 * connections refused for a while.
 */
final class ItProxy implements AutoCloseable {
  private final ServerSocket server;
  private final int target;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicReference<String> dropAnswerTo = new AtomicReference<>();
  private volatile long refuseUntil;
  private volatile int dropped;

  ItProxy(int targetPort) throws IOException {
    this.target = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::accept, "it-proxy-accept");
    accept.setDaemon(true);
    accept.start();
  }

  /** The proxy's address for {@code path} (e.g. {@code /comfygate/}). */
  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
  }

  /** The next request whose first line starts with {@code prefix} reaches the server, but its answer is dropped. */
  void dropNextAnswerTo(String prefix) {
    dropAnswerTo.set(prefix);
  }

  int dropped() {
    return dropped;
  }

  /** Cuts every open connection, and refuses new ones for {@code outage}. */
  void cutAll(Duration outage) {
    refuseUntil = System.nanoTime() + outage.toNanos();
    open.forEach(ItProxy::closeQuietly);
    open.clear();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        if (System.nanoTime() < refuseUntil) {
          closeQuietly(client);
          continue;
        }
        Socket upstream = new Socket();
        upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 5000);
        open.add(client);
        open.add(upstream);
        boolean[] dropThisAnswer = new boolean[1];
        pump(client, upstream, first -> {
          String prefix = dropAnswerTo.get();
          if (prefix != null && first.startsWith(prefix) && dropAnswerTo.compareAndSet(prefix, null)) {
            dropThisAnswer[0] = true;
          }
        }, null);
        pump(upstream, client, null, () -> dropThisAnswer[0]);
      } catch (IOException e) {
        // closed, or the target refused: the client sees a closed connection
      }
    }
  }

  private void pump(Socket from, Socket to, java.util.function.Consumer<String> requests,
      java.util.function.BooleanSupplier dropAnswer) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[16384];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) > 0) {
          if (requests != null) {
            requests.accept(new String(buffer, 0, Math.min(n, 200), StandardCharsets.ISO_8859_1));
          }
          if (dropAnswer != null && dropAnswer.getAsBoolean()) {
            dropped++;
            break; // the server answered; the client never hears it
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // cut
      } finally {
        closeQuietly(from);
        closeQuietly(to);
        open.remove(from);
        open.remove(to);
      }
    }, "it-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    open.forEach(ItProxy::closeQuietly);
  }
}
