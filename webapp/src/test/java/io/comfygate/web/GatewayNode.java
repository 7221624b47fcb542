package io.comfygate.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One ComfyGate instance of a cluster, set up as deploy/cluster/README.md says: a CATALINA_BASE made
 * with Tomcat's makebase.sh from the files in deploy/tomcat, its own route and port, a settings file
 * pointing at the shared PostgreSQL and output folder, started with catalina.sh and stopped (SIGTERM),
 * killed (SIGKILL) or paused (SIGSTOP) by its PID.
 */
final class GatewayNode implements AutoCloseable {
  private static final Duration START_LIMIT = Duration.ofSeconds(120);

  final String name;
  final int port;
  final ItHttp http;
  private final Path base;
  private final Map<String, String> settings;
  private long pid = -1;

  private GatewayNode(String name, int port, Path base, Map<String, String> settings) {
    this.name = name;
    this.port = port;
    this.base = base;
    this.settings = settings;
    this.http = at(port);
  }

  /**
   * Makes the CATALINA_BASE {@code target/cluster-<name>} (replacing a leftover one) with the deploy
   * files, the packaged WAR, {@code users} (a {@code tomcat-users.xml}) and these settings over
   * .env.example's.
   */
  static GatewayNode create(String name, int port, String usersXml, Map<String, String> overrides) {
    Path target = Path.of(System.getProperty("war.file")).toAbsolutePath().getParent();
    Path base = target.resolve("cluster-" + name);
    Path deploy = Path.of(System.getProperty("deploy.dir")).toAbsolutePath().normalize();
    try {
      ItFiles.deleteTree(base);
      run(List.of(tomcatHome().resolve("bin/makebase.sh").toString(), base.toString()), Map.of());
      Files.delete(base.resolve("webapps/ROOT"));
      Files.copy(deploy.resolve("tomcat/conf/server.xml"), base.resolve("conf/server.xml"), StandardCopyOption.REPLACE_EXISTING);
      Files.createDirectories(base.resolve("conf/Catalina/localhost"));
      Files.copy(deploy.resolve("tomcat/conf/Catalina/localhost/comfygate.xml"), base.resolve("conf/Catalina/localhost/comfygate.xml"));
      Files.copy(deploy.resolve("tomcat/bin/setenv.sh"), base.resolve("bin/setenv.sh"));
      Files.writeString(base.resolve("conf/tomcat-users.xml"), usersXml);
      Files.copy(Path.of(System.getProperty("war.file")), base.resolve("webapps/comfygate.war"));
      Map<String, String> settings = new LinkedHashMap<>();
      settings.put("LOG_FILE_PATH", base.resolve("logs/app.log").toString());
      settings.put("HEALTHZ_DISK_MIN_FREE_MB", "1");
      settings.put("HEALTH_CHECK_INTERVAL_SECONDS", "1");
      settings.putAll(overrides);
      Files.writeString(base.resolve("conf/comfygate.env"), envFile(deploy.getParent().resolve(".env.example"), settings));
      return new GatewayNode(name, port, base, settings);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A {@code tomcat-users.xml} with each user's password {@code <name>-pw} (as {@link ItHttp#basic}
   * sends it) hashed by Tomcat's digest.sh with the parameters of deploy's server.xml.
   */
  static String usersXml(Map<String, String> rolesByUser) {
    List<String> command = new ArrayList<>(List.of(tomcatHome().resolve("bin/digest.sh").toString(),
        "-a", "PBKDF2WithHmacSHA512", "-i", "100000", "-s", "16", "-k", "256",
        "-h", "org.apache.catalina.realm.SecretKeyCredentialHandler"));
    rolesByUser.keySet().forEach(u -> command.add(u + "-pw"));
    Map<String, String> hashes = run(command, Map.of()).lines().filter(l -> l.contains(":"))
        .collect(Collectors.toMap(l -> l.substring(0, l.indexOf(':')), l -> l.substring(l.indexOf(':') + 1)));
    StringBuilder xml = new StringBuilder("<tomcat-users xmlns=\"http://tomcat.apache.org/xml\" version=\"1.0\">\n"
        + "  <role rolename=\"user\"/>\n  <role rolename=\"admin\"/>\n");
    rolesByUser.forEach((user, roles) -> xml.append("  <user username=\"").append(user).append("\" password=\"")
        .append(hashes.get(user + "-pw")).append("\" roles=\"").append(roles).append("\"/>\n"));
    return xml.append("</tomcat-users>\n").toString();
  }

  /** Starts Tomcat (catalina.sh start) and waits for {@code /healthz} to answer at all. */
  void start() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("CATALINA_HOME", tomcatHome().toString());
    env.put("CATALINA_BASE", base.toString());
    env.put("COMFYGATE_HTTP_PORT", Integer.toString(port));
    env.put("COMFYGATE_JVM_ROUTE", name);
    env.put("COMFYGATE_HEAP", "384m");
    env.put("JAVA_HOME", System.getProperty("java.home"));
    run(List.of(tomcatHome().resolve("bin/catalina.sh").toString(), "start"), env);
    try {
      pid = Long.parseLong(Files.readString(base.resolve("temp/catalina.pid")).trim());
    } catch (IOException e) {
      throw new UncheckedIOException("no PID file: setenv.sh not used?", e);
    }
    long deadline = System.nanoTime() + START_LIMIT.toNanos();
    while (true) {
      if (!alive()) {
        throw new AssertionError(name + ": Tomcat exited during start:\n" + catalinaOut());
      }
      try {
        int status = http.send("GET", "healthz", null, null).statusCode();
        if (status == 200 || status == 503) {
          return;
        }
      } catch (UncheckedIOException notYet) {
        // not listening yet
      }
      if (System.nanoTime() > deadline || catalinaOut().contains("Failed to initialize component [Connector")) {
        throw new AssertionError(name + ": no /healthz within " + START_LIMIT + " (port " + port + "):\n" + catalinaOut());
      }
      sleep(250);
    }
  }

  long pid() {
    return pid;
  }

  boolean alive() {
    return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** SIGTERM and a bounded wait for the JVM to end: a clean stop, as systemctl stop does. */
  void stop() {
    signal("TERM");
    awaitExit(Duration.ofSeconds(60));
  }

  /** SIGKILL: the machine dies. */
  void kill() {
    signal("KILL");
    awaitExit(Duration.ofSeconds(10));
  }

  /** SIGSTOP / SIGCONT: a GC pause or a frozen VM longer than the lease. */
  void pause() {
    signal("STOP");
  }

  void resume() {
    signal("CONT");
  }

  String setting(String key) {
    return settings.get(key);
  }

  /** Tomcat's console and the app log, for failure messages. */
  String catalinaOut() {
    try {
      Path out = base.resolve("logs/catalina.out");
      return Files.exists(out) ? tail(Files.readString(out, StandardCharsets.UTF_8), 6000) : "(no catalina.out)";
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  /** The app's JSON log lines so far. */
  List<String> appLog() {
    try {
      Path log = base.resolve("logs/app.log");
      return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    if (alive()) {
      signal("CONT"); // a paused JVM does not act on TERM
      signal("TERM");
      if (!awaitExit(Duration.ofSeconds(30))) {
        signal("KILL");
        awaitExit(Duration.ofSeconds(10));
      }
    }
  }

  static ItHttp at(int port) {
    try {
      return new ItHttp(URI.create("http://127.0.0.1:" + port + "/comfygate/").toURL());
    } catch (java.net.MalformedURLException e) {
      throw new IllegalStateException(e);
    }
  }

  private void signal(String signal) {
    if (pid > 0) {
      run(List.of("kill", "-" + signal, Long.toString(pid)), Map.of());
    }
  }

  private boolean awaitExit(Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (alive()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      sleep(100);
    }
    return true;
  }

  private static String envFile(Path example, Map<String, String> settings) throws IOException {
    Map<String, String> left = new LinkedHashMap<>(settings);
    StringBuilder out = new StringBuilder();
    for (String line : Files.readAllLines(example, StandardCharsets.UTF_8)) {
      int eq = line.indexOf('=');
      String key = eq > 0 && !line.startsWith("#") ? line.substring(0, eq) : null;
      out.append(key != null && left.containsKey(key) ? key + "=" + left.remove(key) : line).append('\n');
    }
    left.forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
    return out.toString();
  }

  private static Path tomcatHome() {
    return Path.of(System.getProperty("tomcat.home")).toAbsolutePath();
  }

  private static String run(List<String> command, Map<String, String> env) {
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().putAll(env);
      Process p = builder.start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes(); // short commands; catalina.sh start returns at once
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new AssertionError(command + " failed: " + new String(out, StandardCharsets.UTF_8));
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String tail(String s, int max) {
    return s.length() <= max ? s : s.substring(s.length() - max);
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
