#!/usr/bin/env bash
# Checks that deploy/tomcat/README.md works: builds a fresh CATALINA_BASE exactly as it says, starts
# Tomcat, waits for /healthz, signs in as a documented user, runs one job to the end, checks the
# job's log lines, and stops Tomcat by its PID. Each failure names the README step that failed.
#
# usage: check-deploy.sh --catalina-home DIR --war FILE --base DIR --port N --comfyui HOST:PORT
#   --base must not exist yet (it becomes the new CATALINA_BASE; removed again on success)
#   --comfyui is a running ComfyUI (the build's test passes its simulated one)
#   --keep leaves the CATALINA_BASE in place after success, to look at
# Needs bash, curl, sed and grep; JAVA_HOME or java on PATH (as Tomcat does).
# Windows: check-deploy.cmd runs this script under Git Bash or WSL.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
home="" war="" base="" port="" comfy="" keep=false
while (($#)); do
  case "$1" in
    --catalina-home) home="$2"; shift 2 ;;
    --war) war="$2"; shift 2 ;;
    --base) base="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --comfyui) comfy="$2"; shift 2 ;;
    --keep) keep=true; shift ;;
    *) echo "check-deploy: unknown argument $1" >&2; exit 2 ;;
  esac
done
for v in home war base port comfy; do
  [ -n "${!v}" ] || { echo "check-deploy: missing --${v/home/catalina-home} (see the usage at the top of $0)" >&2; exit 2; }
done

step="arguments"
pid=""
fail() {
  echo "check-deploy: FAILED at README step '$step': $*" >&2
  if [ -n "$base" ] && [ -d "$base/logs" ]; then
    for f in "$base"/logs/catalina.out "$base"/data/logs/app.log; do
      [ -f "$f" ] && { echo "--- last lines of $f" >&2; tail -n 30 "$f" >&2; }
    done
  fi
  exit 1
}
stop_tomcat() {
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid"
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  return 1
}
trap 'stop_tomcat || true' EXIT
trap 'exit 130' INT TERM
say() { echo "check-deploy: [${SECONDS}s] $*"; }
# fetch FILE CURL-ARGS... URL: the response body into FILE; its status, or why there is none, in $code
fetch() {
  local out="$1" rc=0
  shift
  code="$(curl -s -o "$out" -w '%{http_code}' --max-time 30 "$@")" || rc=$?
  if [ "$rc" = 28 ]; then code="no answer within 30 s"; elif [ "$rc" != 0 ]; then code="no answer (curl exit $rc)"; fi
}

[ -x "$home/bin/catalina.sh" ] || fail "no Tomcat at --catalina-home $home"
[ -f "$war" ] || fail "no WAR at --war $war"
[ ! -e "$base" ] || fail "--base $base exists already; give a new directory"

# README "1. Make a CATALINA_BASE"
step="1. Make a CATALINA_BASE"
say "$step"
"$home/bin/makebase.sh" "$base" >/dev/null || fail "makebase.sh failed"
rmdir "$base/webapps/ROOT" || fail "no empty webapps/ROOT from makebase.sh"
cp "$here/conf/server.xml" "$base/conf/server.xml" || fail "copy server.xml"
mkdir -p "$base/conf/Catalina/localhost"
cp "$here/conf/Catalina/localhost/comfygate.xml" "$base/conf/Catalina/localhost/" || fail "copy comfygate.xml"
cp "$here/bin/setenv.sh" "$base/bin/setenv.sh" || fail "copy setenv.sh"

# README "2. Settings": .env.example copied and edited (absolute paths).
step="2. Settings"
say "$step"
env_file="$base/conf/comfygate.env"
data="$base/data"
cp "$repo/.env.example" "$env_file" || fail "copy .env.example"
set_key() { sed -i "s|^$1=.*|$1=$2|" "$env_file"; grep -q "^$1=$2\$" "$env_file" || fail "could not set $1"; }
set_key COMFYUI_SERVER "$comfy"
set_key OUTPUT_DIR "$data/outputs"
set_key JOB_DB_PATH "$data/db/app_data.db"
set_key LOG_FILE_PATH "$data/logs/app.log"
set_key HEALTHZ_DISK_MIN_FREE_MB 1
set_key HEALTH_CHECK_INTERVAL_SECONDS 1

# README "3. Users": hashes from digest.sh over the placeholders of the file realm.
step="3. Users"
say "$step"
cp "$here/conf/tomcat-users.xml" "$base/conf/tomcat-users.xml" || fail "copy tomcat-users.xml"
declare -A password=([alice]="alice-$RANDOM-$RANDOM" [admin]="admin-$RANDOM-$RANDOM")
# digest.sh prints "password:hash" per password given
lines="$("$home/bin/digest.sh" -a PBKDF2WithHmacSHA512 -i 100000 -s 16 -k 256 \
    -h org.apache.catalina.realm.SecretKeyCredentialHandler "${password[alice]}" "${password[admin]}")" \
    || fail "digest.sh failed"
for user in alice admin; do
  hash="$(grep "^${password[$user]}:" <<<"$lines" | sed 's/.*://')"
  [ -n "$hash" ] || fail "digest.sh printed no hash for $user: $lines"
  sed -i "s|REPLACE-WITH-HASH-OF-$user|$hash|" "$base/conf/tomcat-users.xml"
  grep -q "$hash" "$base/conf/tomcat-users.xml" || fail "no placeholder for $user in tomcat-users.xml"
done

# README "4. Deploy the WAR"
step="4. Deploy the WAR"
say "$step"
cp "$war" "$base/webapps/comfygate.war" || fail "copy the WAR"

# README "5. Start": catalina.sh start (setenv.sh sets the PID file, heap, port ...).
step="5. Start"
say "$step (port $port)"
export CATALINA_HOME="$home" CATALINA_BASE="$base" COMFYGATE_HTTP_PORT="$port" COMFYGATE_HEAP=384m
unset CATALINA_PID CATALINA_OPTS JAVA_OPTS CATALINA_TMPDIR
"$home/bin/catalina.sh" start >/dev/null || fail "catalina.sh start failed"
pid_file="$base/temp/catalina.pid"
[ -s "$pid_file" ] || fail "no PID file at $pid_file (setenv.sh not used?)"
pid="$(cat "$pid_file")"
url="http://127.0.0.1:$port/comfygate"

# README "6. Check health": GET /healthz answers 200 (bounded wait).
step="6. Check health"
say "$step"
health=""
deadline=$((SECONDS + 180))
while ((SECONDS < deadline)); do
  kill -0 "$pid" 2>/dev/null || fail "Tomcat (PID $pid) exited"
  fetch "$base/temp/healthz.json" "$url/healthz"
  [ "$code" = 200 ] && { health="$(cat "$base/temp/healthz.json")"; break; }
  sleep 0.5
done
[ -n "$health" ] || fail "/healthz did not answer 200 within 180 s (last: $code $(cat "$base/temp/healthz.json" 2>/dev/null))"
grep -q '"status":"OK"' <<<"$health" || fail "/healthz body is not OK: $health"

jar="$base/temp/cookies"
csrf=""
api() { # api METHOD PATH USER|session [JSON] -> body in $body, status in $code
  local args=(-X "$1")
  if [ "$3" = session ]; then # the browser's way: session cookie, CSRF token on changes
    args+=(-b "$jar" -c "$jar" -H "X-CSRF-Token: $csrf")
  else
    args+=(-u "$3:${password[$3]}")
  fi
  [ $# -ge 4 ] && args+=(-H 'Content-Type: application/json' --data "$4")
  fetch "$base/temp/body" "${args[@]}" "$url/$2"
  body="$(cat "$base/temp/body" 2>/dev/null || true)"
}

# README "7. Sign in": Basic against the realm; roles user and admin as in tomcat-users.xml.
step="7. Sign in"
say "$step"
api GET api/v1/session alice
[ "$code" = 200 ] || fail "alice: GET /api/v1/session answered $code $body"
grep -q '"user":"alice"' <<<"$body" || fail "alice is not signed in: $body"
grep -q '"admin":false' <<<"$body" || fail "alice should not be admin: $body"
api GET api/v1/admin/status alice
[ "$code" = 403 ] || fail "alice (role user) got $code on an admin endpoint, not 403"
api GET api/v1/admin/status admin
[ "$code" = 200 ] || fail "admin (roles admin,user) got $code on /api/v1/admin/status: $body"
# the browser's sign-in page posts the same credentials to /api/v1/session
fetch "$base/temp/body" -D "$base/temp/headers" -c "$jar" -H 'Content-Type: application/json' \
    --data "{\"username\": \"alice\", \"password\": \"${password[alice]}\"}" "$url/api/v1/session"
body="$(cat "$base/temp/body")"
[ "$code" = 200 ] || fail "alice: POST /api/v1/session answered $code $body"
csrf="$(sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p' <<<"$body")"
[ -n "$csrf" ] || fail "no csrf_token in $body"
grep -qi '^set-cookie: JSESSIONID=.*SameSite=Lax' "$base/temp/headers" \
    || fail "the session cookie lacks SameSite=Lax (CookieProcessor missing from comfygate.xml?): $(grep -i set-cookie "$base/temp/headers")"

# README "8. One job": submit, see it succeed, fetch its image (in alice's browser session).
step="8. One job"
say "$step"
api POST api/v1/jobs session '{"params": {"prompt": "check-deploy", "width": 64, "height": 64, "steps": 2}}'
[ "$code" = 202 ] || fail "POST /api/v1/jobs answered $code $body"
job_id="$(grep -o '"id":"[^"]*"' <<<"$body" | head -n 1 | cut -d'"' -f4)"
[ -n "$job_id" ] || fail "no job id in $body"
state=""
deadline=$((SECONDS + 60))
while ((SECONDS < deadline)); do
  api GET "api/v1/jobs/$job_id" session
  state="$(sed -n 's/.*"state":"\([a-z]*\)".*/\1/p' <<<"$body")"
  case "$state" in succeeded|failed|timeout|cancelled) break ;; esac
  sleep 0.5
done
[ "$state" = succeeded ] || fail "job $job_id ended '$state' (or not within 60 s), not succeeded: $body"
image="$(sed -n 's/.*"url":"[^"]*\/comfygate\/\([^"]*\)".*/\1/p' <<<"$body")"
[ -n "$image" ] || fail "no image url in $body"
fetch "$base/temp/image" -b "$jar" "$url/$image"
[ "$code" = 200 ] || fail "GET $image answered $code"
[ "$(head -c 4 "$base/temp/image" | tail -c 3)" = PNG ] || fail "$image is not a PNG"

# README "9. Logs": the job's events in order in LOG_FILE_PATH (JSON lines).
step="9. Logs"
say "$step"
events=""
for _ in $(seq 1 20); do # the log writer is asynchronous
  events="$(grep "\"job_id\":\"$job_id\"" "$data/logs/app.log" | sed -n 's/.*"event":"\([a-z_]*\)".*/\1/p' | grep -E '^(enqueue|job_[a-z]+)$' | grep -v job_progress | tr '\n' ' ' || true)"
  [ "$events" = "enqueue job_start job_complete " ] && break
  sleep 0.2
done
[ "$events" = "enqueue job_start job_complete " ] || fail "log events of $job_id: '$events', not 'enqueue job_start job_complete'"

# README "10. Stop": SIGTERM to the PID, bounded wait.
step="10. Stop"
say "$step"
stop_tomcat || fail "Tomcat (PID $pid) did not stop within 30 s of SIGTERM (killed)"
pid=""
$keep || rm -rf "$base"
say "OK: every documented step worked"
