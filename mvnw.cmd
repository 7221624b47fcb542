@echo off
rem Maven wrapper for ComfyGate (Windows): runs the Maven version pinned in .mvn\maven.version.
rem The first run fetches that Maven distribution through an installed mvn (any Maven 3.6+)
rem from its configured repositories and unpacks it under .mvn\dist\.
setlocal
set "BASE=%~dp0"
set /p VERSION=<"%BASE%.mvn\maven.version"
set "MHOME=%BASE%.mvn\dist\apache-maven-%VERSION%"
if exist "%MHOME%\bin\mvn.cmd" goto run
where mvn >nul 2>nul
if errorlevel 1 (
  echo mvnw: Maven %VERSION% is not unpacked yet and no 'mvn' is installed to fetch it. 1>&2
  echo mvnw: install any Maven 3.6+ once, then run mvnw again. 1>&2
  exit /b 1
)
echo mvnw: fetching Maven %VERSION% (once) ... 1>&2
call mvn -q -B org.apache.maven.plugins:maven-dependency-plugin:3.8.1:unpack "-Dartifact=org.apache.maven:apache-maven:%VERSION%:zip:bin" "-DoutputDirectory=%BASE%.mvn\dist" -Dmdep.overWriteReleases=true
if errorlevel 1 exit /b 1
:run
set "MAVEN_PROJECTBASEDIR=%BASE:~0,-1%"
"%MHOME%\bin\mvn.cmd" %*
