@echo off
rem ComfyGate: JVM options for Tomcat 11 on Windows. Copy to %CATALINA_BASE%\bin\setenv.bat;
rem catalina.bat (and startup.bat) call it. Same settings as bin/setenv.sh; values already set in
rem the environment win.

rem The settings file is named in conf\Catalina\localhost\comfygate.xml
rem (%CATALINA_BASE%\conf\comfygate.env unless you changed it there). Single keys can be forced here:
rem set "CATALINA_OPTS=%CATALINA_OPTS% -DLOG_LEVEL=DEBUG"

if not defined COMFYGATE_HEAP set "COMFYGATE_HEAP=1g"
rem Garbage collector options in COMFYGATE_GC, unset for the default (G1); -XX:+UseZGC shortens the p99 under load (BENCHMARKS.md 6.8).
if not defined COMFYGATE_HTTP_ADDRESS set "COMFYGATE_HTTP_ADDRESS=127.0.0.1"
if not defined COMFYGATE_HTTP_PORT set "COMFYGATE_HTTP_PORT=8000"
rem Several instances behind nginx (deploy\cluster\README.md): each its own route, e.g. a and b.
if not defined CATALINA_TMPDIR set "CATALINA_TMPDIR=%CATALINA_BASE%\temp"

rem The GC log path is quoted (\"...\") because a drive letter's ':' would end it otherwise.
set "CATALINA_OPTS=%CATALINA_OPTS% -Xms256m -Xmx%COMFYGATE_HEAP% -XX:+ExitOnOutOfMemoryError %COMFYGATE_GC% -Dfile.encoding=UTF-8 -Dsun.stdout.encoding=UTF-8 -Dsun.stderr.encoding=UTF-8 -Djava.awt.headless=true -Xlog:gc*:file=\"%CATALINA_BASE%\logs\gc.log\":time,uptime,level,tags:filecount=5,filesize=10m -Dcomfygate.http.address=%COMFYGATE_HTTP_ADDRESS% -Dcomfygate.http.port=%COMFYGATE_HTTP_PORT% -Dcomfygate.jvm.route=%COMFYGATE_JVM_ROUTE%"
