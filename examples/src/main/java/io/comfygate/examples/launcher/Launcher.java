package io.comfygate.examples.launcher;

import io.comfygate.config.Settings;
import io.comfygate.testkit.FakeComfyUi;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.realm.LockOutRealm;
import org.apache.catalina.realm.MemoryRealm;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.scan.StandardJarScanFilter;
import org.apache.tomcat.util.scan.StandardJarScanner;

/**
 * The one-command launcher: ComfyGate's WAR in an embedded Tomcat 11 on APP_HOST:APP_PORT
 * (127.0.0.1:8000), settings from {@code .env} in the working folder, users from
 * {@code launcher-users.xml} there. Without a reachable ComfyUI (or with {@code --demo}) it starts
 * the simulated one, {@link FakeComfyUi}, in-process and says so. It has the protections of
 * deploy/tomcat: the users sit behind a lock-out realm, and Tomcat's own error answers are short
 * JSON without its name or version.
 *
 * <p>{@code ./mvnw -q -DskipTests -Prun package} runs it; Ctrl+C stops it.
 */
public final class Launcher implements AutoCloseable {
  /** Holds Tomcat's loggers at WARNING (held so the setting is not collected). */
  private static final Logger TOMCAT_LOG = Logger.getLogger("org.apache");

  private static final String ENV_FILE_KEY = "COMFYGATE_ENV_FILE";
  private static final String COMFYUI_SERVER = "COMFYUI_SERVER";
  private static final int FAKE_DEFAULT_PORT = 8188;
  /** As deploy/tomcat/conf/server.xml: 5 wrong passwords in a row lock a user name for 300 s. */
  static final int LOCKOUT_FAILURES = 5;
  static final int LOCKOUT_SECONDS = 300;

  /** Whether to start the simulated ComfyUI. */
  public enum Demo {
    /** Only when no configured ComfyUI answers at start. */
    AUTO,
    /** Always ({@code --demo}). */
    ON,
    /** Never ({@code --no-demo}). */
    OFF
  }

  /** How to start; every field has a default that suits the README's run command. */
  public static final class Options {
    private Path workDir = Path.of("").toAbsolutePath();
    private Path war;
    private Demo demo = Demo.AUTO;
    private Integer port;
    private Integer fakePort;
    private int fakeSteps = 20;
    private Duration fakeStepDelay = Duration.ofMillis(100);
    private final Map<String, String> overrides = new LinkedHashMap<>();

    /** The working folder: {@code .env} and {@code launcher-users.xml} are read there. */
    public Options workDir(Path dir) {
      this.workDir = dir.toAbsolutePath();
      return this;
    }

    /** The WAR to deploy; default: system property {@code comfygate.war}, else webapp/target. */
    public Options war(Path war) {
      this.war = war;
      return this;
    }

    public Options demo(Demo demo) {
      this.demo = demo;
      return this;
    }

    /** Listen on this port instead of APP_PORT (0: a free one). */
    public Options port(int port) {
      this.port = port;
      return this;
    }

    /** The simulated ComfyUI's port (0: a free one); default 8188 if free, else a free one. */
    public Options fakePort(int port) {
      this.fakePort = port;
      return this;
    }

    /** The simulated sampler's progress steps and the time each takes. */
    public Options fakeSpeed(int steps, Duration stepDelay) {
      this.fakeSteps = steps;
      this.fakeStepDelay = stepDelay;
      return this;
    }

    /** A setting for the WAR, as a system property while the launcher runs (it beats .env). */
    public Options setting(String key, String value) {
      overrides.put(key, value);
      return this;
    }
  }

  private final Map<String, String> savedProperties = new LinkedHashMap<>();
  private final Path usersFile;
  private final List<UsersFile.User> createdUsers;
  private Tomcat tomcat;
  private Path tomcatBase;
  private FakeComfyUi fake;
  private String demoReason;
  private URI url;
  private boolean closed;

  private Launcher(Path usersFile, List<UsersFile.User> createdUsers) {
    this.usersFile = usersFile;
    this.createdUsers = createdUsers;
  }

  /** Starts Tomcat with the WAR (and the simulated ComfyUI if wanted); {@link #close} stops both. */
  public static Launcher start(Options options, PrintStream out) {
    TOMCAT_LOG.setLevel(Level.WARNING);
    Path war = findWar(options);
    Path users = options.workDir.resolve(UsersFile.NAME);
    boolean created = UsersFile.ensure(users);
    Launcher launcher = new Launcher(users, created ? UsersFile.read(users) : List.of());
    try {
      launcher.run(options, war, out);
      return launcher;
    } catch (RuntimeException e) {
      launcher.close();
      throw e;
    }
  }

  private void run(Options options, Path war, PrintStream out) {
    options.overrides.forEach(this::setProperty);
    Path envFile = envFile(options.workDir);
    Settings settings = envFile == null ? Settings.fromEnv() : Settings.fromEnv(envFile);

    boolean demo = switch (options.demo) {
      case ON -> {
        demoReason = "--demo was given";
        yield true;
      }
      case OFF -> false;
      case AUTO -> {
        List<URI> servers = settings.comfyUiServers();
        if (servers.stream().anyMatch(Launcher::reachable)) {
          yield false;
        }
        demoReason = "no ComfyUI answers at " + servers + " (COMFYUI_SERVER)";
        out.println("ComfyGate: " + demoReason + ": starting the SIMULATED ComfyUI instead"
            + " (pass --no-demo to not do that).");
        yield true;
      }
    };
    if (demo) {
      int fakePort = options.fakePort != null ? options.fakePort : free(FAKE_DEFAULT_PORT) ? FAKE_DEFAULT_PORT : 0;
      fake = FakeComfyUi.builder().port(fakePort).steps(options.fakeSteps).stepDelay(options.fakeStepDelay).start();
      setProperty(COMFYUI_SERVER, fake.baseUrl().toString());
    }

    String host = settings.appHost();
    int port = options.port != null ? options.port : settings.appPort();
    try {
      tomcatBase = Files.createTempDirectory("comfygate-tomcat");
      Files.createDirectories(tomcatBase.resolve("webapps"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create Tomcat's base folder", e);
    }
    tomcat = new Tomcat();
    tomcat.setBaseDir(tomcatBase.toString());
    Connector connector = new Connector("HTTP/1.1");
    connector.setPort(port);
    connector.setProperty("address", host);
    connector.setProperty("server", "ComfyGate"); // as deploy/tomcat: no product name in a Server header
    tomcat.getService().addConnector(connector);
    tomcat.setConnector(connector);
    tomcat.setAddDefaultWebXmlToWebapp(false); // the default web.xml wants Jasper's JSP servlet
    // As deploy/tomcat: what Tomcat answers itself (an unknown file, a wrong method on a static
    // one, a request it refuses before the WAR) is short JSON, not its HTML page with its version.
    ((StandardHost) tomcat.getHost()).setErrorReportValveClass("org.apache.catalina.valves.JsonErrorReportValve");

    Context ctx = tomcat.addWebapp("", war.toString());
    // the WAR logs through its own SLF4J binding; the launcher's must not be offered to it
    ctx.setParentClassLoader(new WebappParentLoader(Launcher.class.getClassLoader()));
    Tomcat.addDefaultMimeTypeMappings(ctx);
    Tomcat.addServlet(ctx, "default", "org.apache.catalina.servlets.DefaultServlet");
    ctx.addServletMappingDecoded("/", "default");
    ctx.addWelcomeFile("index.html");
    if (envFile != null) {
      ctx.addParameter(ENV_FILE_KEY, envFile.toString());
    }
    ctx.setRealm(lockingRealm(usersFile));
    StandardJarScanner scanner = new StandardJarScanner();
    scanner.setScanClassPath(false); // the launcher's own class path holds no web fragments
    scanner.setScanManifest(false);
    StandardJarScanFilter filter = new StandardJarScanFilter();
    filter.setTldSkip("*"); // no JSP
    scanner.setJarScanFilter(filter);
    ctx.setJarScanner(scanner);

    try {
      tomcat.start();
    } catch (LifecycleException e) {
      throw new IllegalStateException("Tomcat did not start on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    if (connector.getLocalPort() <= 0) {
      throw new IllegalStateException("cannot listen on " + host + ":" + port + " (in use? set APP_PORT in .env)");
    }
    if (ctx.getState() != LifecycleState.STARTED) {
      throw new IllegalStateException("ComfyGate's WAR did not start (see the messages above; a setting in .env?)");
    }
    String shownHost = host.contains(":") ? "[" + host + "]" : host;
    url = URI.create("http://" + shownHost + ":" + connector.getLocalPort() + "/");
  }

  /**
   * The users of {@code file}, behind the lock-out deploy/tomcat uses: after {@value
   * #LOCKOUT_FAILURES} wrong passwords in a row a user name is refused for {@value #LOCKOUT_SECONDS}
   * s, even with the right password. Against guessing; the price is that anyone who knows a user
   * name can lock its owner out for a while (RUNBOOK: "Locked out").
   */
  private static LockOutRealm lockingRealm(Path file) {
    MemoryRealm users = new MemoryRealm();
    users.setPathname(file.toString());
    LockOutRealm realm = new LockOutRealm();
    realm.setFailureCount(LOCKOUT_FAILURES);
    realm.setLockOutTime(LOCKOUT_SECONDS);
    realm.addRealm(users);
    return realm;
  }

  /** Where the UI is, e.g. {@code http://127.0.0.1:8000/}. */
  public URI url() {
    return url;
  }

  /** The simulated ComfyUI, if it runs. */
  public FakeComfyUi fake() {
    return fake;
  }

  public boolean simulated() {
    return fake != null;
  }

  public Path usersFile() {
    return usersFile;
  }

  /** What to tell the person who started it. */
  public void banner(PrintStream out) {
    String line = "=".repeat(78);
    out.println(line);
    out.println(" ComfyGate is running: " + url);
    out.println(" Sign in with a user from " + usersFile + ":");
    if (!createdUsers.isEmpty()) {
      out.println(" (created now, with these random passwords; change them in that file)");
      for (UsersFile.User u : createdUsers) {
        out.printf("   %-8s password %-16s roles %s%n", u.name(), u.password(), u.roles());
      }
    } else {
      out.println("   user names, passwords and roles are in that file (Tomcat tomcat-users.xml format)");
    }
    if (fake != null) {
      out.println();
      out.println(" SIMULATED ComfyUI: images are generated placeholders, not AI output.");
      out.println(" (FakeComfyUi at " + fake.baseUrl() + ", no GPU, because " + demoReason + ";");
      out.println("  for a real one set COMFYUI_SERVER in .env and start without --demo)");
    }
    out.println(" Press Ctrl+C to stop.");
    out.println(line);
  }

  /** Stops Tomcat (undeploying the WAR closes the engine), then the simulated ComfyUI. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (tomcat != null) {
      try {
        tomcat.stop();
        tomcat.destroy();
      } catch (LifecycleException e) {
        System.err.println("ComfyGate: Tomcat did not stop cleanly: " + e.getMessage());
      }
    }
    if (fake != null) {
      fake.close();
    }
    savedProperties.forEach((key, old) -> {
      if (old == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, old);
      }
    });
    if (tomcatBase != null) {
      deleteTree(tomcatBase);
    }
  }

  public static void main(String[] args) throws InterruptedException {
    Options options = new Options();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--auto", "" -> options.demo(Demo.AUTO);
        case "--demo" -> options.demo(Demo.ON);
        case "--no-demo" -> options.demo(Demo.OFF);
        case "--war" -> {
          if (i + 1 >= args.length) {
            usage("--war needs a file");
          }
          options.war(Path.of(args[++i]));
        }
        case "-h", "--help" -> {
          usage(null);
        }
        default -> usage("unknown option: " + args[i]);
      }
    }
    Launcher launcher;
    try {
      launcher = start(options, System.out);
    } catch (RuntimeException e) {
      System.err.println("ComfyGate did not start: " + e.getMessage());
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("ComfyGate: stopping...");
      launcher.close();
      stopped.countDown();
    }, "comfygate-launcher-shutdown"));
    launcher.banner(System.out);
    stopped.await();
  }

  private static void usage(String problem) {
    PrintStream out = problem == null ? System.out : System.err;
    if (problem != null) {
      out.println(problem);
    }
    out.println("usage: Launcher [--auto | --demo | --no-demo] [--war comfygate.war]");
    out.println("  --demo     always use the simulated ComfyUI (placeholder images, no GPU)");
    out.println("  --no-demo  never; by default it is used when COMFYUI_SERVER does not answer");
    System.exit(problem == null ? 0 : 2);
  }

  private void setProperty(String key, String value) {
    if (!savedProperties.containsKey(key)) {
      savedProperties.put(key, System.getProperty(key));
    }
    System.setProperty(key, value);
  }

  /** The .env the WAR should read: as COMFYGATE_ENV_FILE says, else the working folder's. */
  private static Path envFile(Path workDir) {
    String named = System.getProperty(ENV_FILE_KEY, System.getenv().getOrDefault(ENV_FILE_KEY, "")).strip();
    if (!named.isEmpty()) {
      return Path.of(named).toAbsolutePath();
    }
    Path local = workDir.resolve(".env");
    return Files.isRegularFile(local) ? local : null;
  }

  private static Path findWar(Options options) {
    List<Path> candidates = new ArrayList<>();
    if (options.war != null) {
      candidates.add(options.war);
    } else {
      String property = System.getProperty("comfygate.war", "");
      if (!property.isBlank()) {
        candidates.add(Path.of(property));
      }
      candidates.add(options.workDir.resolve(Path.of("webapp", "target", "comfygate.war")));
      candidates.add(options.workDir.resolve(Path.of("..", "webapp", "target", "comfygate.war")));
    }
    for (Path p : candidates) {
      if (Files.isRegularFile(p) || Files.isDirectory(p)) {
        return p.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException("ComfyGate's WAR was not found at " + candidates
        + "; build it with ./mvnw -DskipTests package");
  }

  private static boolean reachable(URI server) {
    int port = server.getPort() > 0 ? server.getPort() : "https".equals(server.getScheme()) ? 443 : 80;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(server.getHost(), port), 1500);
      return true;
    } catch (IOException | IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp folder left behind is harmless
    }
  }
}
