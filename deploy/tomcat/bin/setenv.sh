# ComfyGate: JVM options for Tomcat 11. Copy to $CATALINA_BASE/bin/setenv.sh; catalina.sh sources it.
# Every value can be overridden from the environment (systemd: Environment= / EnvironmentFile=).
# Windows: bin/setenv.bat does the same.

# The settings file is named in conf/Catalina/localhost/comfygate.xml
# (${catalina.base}/conf/comfygate.env unless you changed it there). Single keys can be forced here,
# above that file, e.g.: CATALINA_OPTS="$CATALINA_OPTS -DLOG_LEVEL=DEBUG"

# Heap: ComfyGate keeps jobs in SQLite and images on disk, so it needs little. Raise for many users.
COMFYGATE_HEAP="${COMFYGATE_HEAP:-1g}"
# Garbage collector options, empty for the JVM's default (G1). Under a steady submit load the
# default's young pauses (10-50 ms on two cores) make most of the request p99; "-XX:+UseZGC"
# brought it from 46-73 ms to 20-32 ms in BENCHMARKS.md section 6.8.
COMFYGATE_GC="${COMFYGATE_GC:-}"

# Where Tomcat listens (see conf/server.xml); nginx proxies to it.
COMFYGATE_HTTP_ADDRESS="${COMFYGATE_HTTP_ADDRESS:-127.0.0.1}"
COMFYGATE_HTTP_PORT="${COMFYGATE_HTTP_PORT:-8000}"
# Several instances behind nginx (deploy/cluster/README.md): each its own route, e.g. a and b.
COMFYGATE_JVM_ROUTE="${COMFYGATE_JVM_ROUTE:-}"

# java.io.tmpdir (catalina.sh passes -Djava.io.tmpdir=$CATALINA_TMPDIR).
CATALINA_TMPDIR="${CATALINA_TMPDIR:-$CATALINA_BASE/temp}"
# catalina.sh start writes the JVM's process id here; stop it with: kill "$(cat "$CATALINA_PID")".
CATALINA_PID="${CATALINA_PID:-$CATALINA_BASE/temp/catalina.pid}"

# -XX:+ExitOnOutOfMemoryError: a JVM out of memory exits (and systemd restarts it) instead of
#   limping on. UTF-8 everywhere: prompts are any language. GC log: 5 files of 10 MB in logs/.
# (Appended line by line: catalina.sh evals CATALINA_OPTS, so its value must hold no line break.)
CATALINA_OPTS="$CATALINA_OPTS -Xms256m -Xmx$COMFYGATE_HEAP -XX:+ExitOnOutOfMemoryError $COMFYGATE_GC"
CATALINA_OPTS="$CATALINA_OPTS -Dfile.encoding=UTF-8 -Dsun.stdout.encoding=UTF-8 -Dsun.stderr.encoding=UTF-8"
CATALINA_OPTS="$CATALINA_OPTS -Djava.awt.headless=true"
CATALINA_OPTS="$CATALINA_OPTS -Xlog:gc*:file=$CATALINA_BASE/logs/gc.log:time,uptime,level,tags:filecount=5,filesize=10m"
CATALINA_OPTS="$CATALINA_OPTS -Dcomfygate.http.address=$COMFYGATE_HTTP_ADDRESS -Dcomfygate.http.port=$COMFYGATE_HTTP_PORT"
CATALINA_OPTS="$CATALINA_OPTS -Dcomfygate.jvm.route=$COMFYGATE_JVM_ROUTE"
