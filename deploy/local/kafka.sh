#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft, combined broker + controller) on loopback, for
# tests and local clusters. Needs only Java 17+, Maven and Node.
#
#   kafka.sh up      start it if needed and wait until it serves; prints KAFKA_BROKERS=... on stdout
#   kafka.sh down    stop it (SIGTERM, wait, then SIGKILL); data is kept
#   kafka.sh status  report whether it runs and serves (exit 0 when it does)
#   kafka.sh reset   stop it and delete its data (topics, offsets); the cached jars stay
#
# Kafka's jars come from Maven Central once (deploy/local/kafka/pom.xml) into the state dir and are
# reused afterwards. State: ${SWITCHBOARD_STATE_DIR:-<repo>/.local}/kafka/{lib,data,logs,...}.
# Only the KAFKA_BROKERS line goes to stdout; everything else goes to stderr.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
conf="$here/kafka"
state="${SWITCHBOARD_STATE_DIR:-$root/.local}/kafka"
lib="$state/lib"
data="$state/data"
logs="$state/logs"
pidfile="$state/kafka.pid"
host=127.0.0.1
# Fixed ports by default (tests and up.sh expect them); overridable to run a second, throwaway
# broker beside the usual one (e.g. a broker-restart drill with its own SWITCHBOARD_STATE_DIR).
port="${SWITCHBOARD_KAFKA_PORT:-19092}"
controller_port="${SWITCHBOARD_KAFKA_CONTROLLER_PORT:-$((port + 1))}"
brokers="$host:$port"
ready_timeout="${KAFKA_READY_TIMEOUT:-90}"
heap="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"

log() { printf 'kafka.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

need() {
  command -v "$1" >/dev/null 2>&1 || die "$1 is required but not on PATH ($2)"
}

# The pid of the broker started from this state dir, if it is alive (and really is our broker).
running_pid() {
  [[ -f "$pidfile" ]] || return 1
  local pid
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  local cmdline
  if [[ -r "/proc/$pid/cmdline" ]]; then
    cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline")"
  else
    cmdline="$(ps -o args= -p "$pid" 2>/dev/null || true)"
  fi
  [[ "$cmdline" == *kafka.Kafka* ]] || return 1
  echo "$pid"
}

# ready TIMEOUT [PID]: waits until the broker serves; gives up early if PID exits.
ready() { node "$conf/ready.js" "$brokers" "$@" >&2 9>&-; }

pom_digest() { sha256sum "$conf/pom.xml" | cut -d' ' -f1; }

# Copies Kafka's server jars (plus log4j2) into $lib, unless the cache matches pom.xml already.
fetch_jars() {
  local digest
  digest="$(pom_digest)"
  if [[ -f "$lib/.pom.sha256" && "$(cat "$lib/.pom.sha256")" == "$digest" ]]; then
    return 0
  fi
  need mvn "install Maven 3.8+"
  log "fetching Apache Kafka jars with Maven into $lib (first run only)"
  rm -rf "$lib.tmp"
  mkdir -p "$lib.tmp"
  (cd "$conf" && mvn -B -q -Dstyle.color=never -f pom.xml dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$lib.tmp") >&2 \
    || die "Maven could not fetch the Kafka jars (see the output above)"
  echo "$digest" >"$lib.tmp/.pom.sha256"
  rm -rf "$lib"
  mv "$lib.tmp" "$lib"
}

java_cmd() {
  local java=java
  [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]] && java="$JAVA_HOME/bin/java"
  echo "$java"
}

# Renders server.properties and formats the storage with Kafka's own StorageTool, once.
prepare_storage() {
  mkdir -p "$data" "$logs"
  sed -e "s#@DATA_DIR@#$data#g" -e "s#@PORT@#$port#g" -e "s#@CONTROLLER_PORT@#$controller_port#g" \
    "$conf/server.properties.template" >"$state/server.properties"
  [[ -f "$data/meta.properties" ]] && return 0
  local cluster_id
  cluster_id="$(node -e "process.stdout.write(require('node:crypto').randomBytes(16).toString('base64url'))")"
  log "formatting KRaft storage in $data (cluster id $cluster_id)"
  "$(java_cmd)" -Xmx256m -cp "$lib/*" \
    -Dlog4j2.configurationFile="$conf/log4j2.xml" -Dkafka.logs.dir="$logs" \
    kafka.tools.StorageTool format --standalone -t "$cluster_id" -c "$state/server.properties" >&2 \
    || die "formatting Kafka storage failed"
}

start_broker() {
  local java
  java="$(java_cmd)"
  log "starting Kafka on $brokers (log: $logs/server.log)"
  # setsid + nohup: the broker outlives the shell that started it (jest's global setup, up.sh).
  # shellcheck disable=SC2086
  setsid nohup "$java" $heap -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true -Dlog4j2.configurationFile="$conf/log4j2.xml" \
    -Dkafka.logs.dir="$logs" -cp "$lib/*" kafka.Kafka "$state/server.properties" \
    </dev/null >"$logs/console.log" 2>&1 9>&- &
  echo $! >"$pidfile"
}

port_in_use() { (exec 3<>"/dev/tcp/$host/$1") 2>/dev/null; }

cmd_up() {
  need node "install Node 20"
  need java "install a Java 17+ runtime"
  mkdir -p "$state"
  # Serialise concurrent `up`s (parallel test runs, several engineers' scripts).
  exec 9>"$state/.lock"
  if command -v flock >/dev/null 2>&1; then flock 9; fi
  local pid
  if pid="$(running_pid)"; then
    ready "$ready_timeout" "$pid" || die "Kafka (pid $pid) runs but does not serve; see $logs/server.log"
    echo "KAFKA_BROKERS=$brokers"
    return 0
  fi
  if port_in_use "$port" || port_in_use "$controller_port"; then
    if ready 5; then
      log "warning: a Kafka broker not started from $state already serves $brokers; using it"
      echo "KAFKA_BROKERS=$brokers"
      return 0
    fi
    die "port $port or $controller_port is taken by something that is not a working Kafka broker"
  fi
  fetch_jars
  prepare_storage
  start_broker
  if ! ready "$ready_timeout" "$(cat "$pidfile")"; then
    tail -n 30 "$logs/server.log" >&2 2>/dev/null || true
    tail -n 30 "$logs/console.log" >&2 2>/dev/null || true
    die "Kafka did not become ready within ${ready_timeout}s; see $logs/server.log and $logs/console.log"
  fi
  echo "KAFKA_BROKERS=$brokers"
}

cmd_down() {
  local pid
  if ! pid="$(running_pid)"; then
    log "not running"
    rm -f "$pidfile"
    return 0
  fi
  log "stopping Kafka (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; log "stopped"; return 0; }
    sleep 0.1
  done
  log "still running after 30s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

cmd_reset() {
  cmd_down
  log "deleting $data"
  rm -rf "$data" "$state/server.properties"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    if ready 2; then
      log "running (pid $pid) and serving $brokers; data $data; log $logs/server.log"
      echo "KAFKA_BROKERS=$brokers"
      return 0
    fi
    log "running (pid $pid) but not serving $brokers; see $logs/server.log"
    return 1
  fi
  log "not running"
  return 3
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  reset) cmd_reset ;;
  *) echo "usage: $0 up|down|status|reset" >&2; exit 2 ;;
esac
