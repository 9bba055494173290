#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server on 127.0.0.1:15432 for tests and local clusters.
#
#   postgres.sh up      start it (initialising a cluster on first use); idempotent, quick when up.
#                       stdout: exactly one line, DATABASE_URL=...; everything else goes to stderr
#                       because deploy/local/up.sh collects NAME=value lines from stdout.
#   postgres.sh down    stop it (pg_ctl stop -m fast); the data stays for the next `up`.
#   postgres.sh status  exit 0 and print DATABASE_URL=... when it answers queries, exit 3 when not.
#
# Environment: SWITCHBOARD_STATE_DIR (default <repo>/.local), SWITCHBOARD_PG_BIN (default
# /usr/lib/postgresql/15/bin), SWITCHBOARD_PG_OS_USER (the OS user the server runs as when this
# script runs as root; default `postgres`, created by Debian's package).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
state="${SWITCHBOARD_STATE_DIR:-$root/.local}"
pg_bin="${SWITCHBOARD_PG_BIN:-/usr/lib/postgresql/15/bin}"
pg_package="postgresql-15"
host=127.0.0.1
port=15432
app_user=switchboard
app_password=switchboard
app_db=switchboard
url="postgres://$app_user:$app_password@$host:$port/$app_db"

log() { printf '[postgres.sh] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- the OS user the server runs as -----------------------------------------------------------
# postgres refuses to run as root (and CI runs as root), so as root we run it as an unprivileged
# system user; as any other user we simply run it as ourselves.
if [[ $EUID -eq 0 ]]; then
  os_user="${SWITCHBOARD_PG_OS_USER:-postgres}"
else
  os_user="$(id -un)"
fi

as_os_user() {
  # cd / first: the server and its tools warn when they cannot read the caller's cwd (/root).
  # 9>&-: fd 9 holds the `up` lock; a server started from here must not inherit it, or the lock
  # would stay held for the server's whole life and the next `up` would wait forever.
  if [[ $EUID -eq 0 ]]; then
    (cd / && runuser -u "$os_user" -- "$@" 9>&-)
  else
    (cd / && "$@" 9>&-)
  fi
}

ensure_binaries() {
  [[ -x "$pg_bin/postgres" ]] && return 0
  log "$pg_bin/postgres is missing: installing Debian's $pg_package"
  local sudo=()
  if [[ $EUID -ne 0 ]]; then
    command -v sudo >/dev/null || die "not root and no sudo: install $pg_package yourself"
    sudo=(sudo)
  fi
  # The package also creates (and may start) Debian's default cluster on port 5432; it is left
  # alone, ours is a separate cluster on 15432.
  "${sudo[@]}" apt-get update >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends "$pg_package" >&2
  [[ -x "$pg_bin/postgres" ]] || die "$pg_package installed but $pg_bin/postgres is still missing"
}

ensure_os_user() {
  [[ $EUID -eq 0 ]] || return 0
  id -u "$os_user" >/dev/null 2>&1 && return 0
  log "creating system user $os_user to run the server"
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$os_user"
}

# --- where the cluster lives ------------------------------------------------------------------
# Normally <state>/postgres. When the repo lives under a directory the server's user cannot
# traverse (e.g. /root is 0700), the data dir cannot live there, so it goes to /var/tmp under a
# name derived from the state dir path (stable across runs, distinct per checkout). /var/tmp
# rather than /tmp so it survives reboots like .local/ does.
choose_base_dir() {
  mkdir -p "$state"
  if [[ $EUID -ne 0 ]] || as_os_user test -x "$state" 2>/dev/null; then
    base="$state/postgres"
  else
    local tag
    tag="$(printf '%s' "$(cd "$state" && pwd -P)" | sha256sum | cut -c1-12)"
    base="/var/tmp/switchboard-postgres-$tag"
  fi
  data="$base/data"
  logfile="$base/server.log"
  # Unix socket paths are limited to ~107 bytes; a deep checkout falls back to /tmp.
  sockdir="$base"
  if (( ${#sockdir} + 20 > 100 )); then sockdir=/tmp; fi
}

pg_ctl_() { as_os_user "$pg_bin/pg_ctl" -D "$data" "$@"; }

# A real query as the application role over TCP: the same path the services take.
app_query_ok() {
  [[ -x "$pg_bin/psql" ]] || return 1
  PGPASSWORD="$app_password" PGCONNECT_TIMEOUT=3 "$pg_bin/psql" -X -q -A -t \
    -h "$host" -p "$port" -U "$app_user" -d "$app_db" -c 'select 1' 2>/dev/null | grep -qx 1
}

server_running() { [[ -f "$data/PG_VERSION" ]] && pg_ctl_ status >/dev/null 2>&1; }

init_cluster() {
  [[ -f "$data/PG_VERSION" ]] && return 0
  log "initialising a new cluster in $data"
  rm -rf "$data"
  # Local (unix socket) connections use peer auth: only the server's OS user can reach the socket
  # directory anyway. TCP requires the password. --no-sync: a throwaway test cluster need not wait
  # for the disk (after a power loss mid-initdb, delete the data dir and run `up` again).
  as_os_user "$pg_bin/initdb" -D "$data" --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=peer --auth-host=scram-sha-256 --no-sync >&2
  echo "include_if_exists = 'switchboard.conf'" | as_os_user tee -a "$data/postgresql.conf" >/dev/null
}

# Rewritten on every start so changing a setting here takes effect after down+up.
write_config() {
  as_os_user tee "$data/switchboard.conf" >/dev/null <<EOF
# written by deploy/local/postgres.sh on every start; edit the script, not this file
listen_addresses = '$host'
port = $port
unix_socket_directories = '$sockdir'
max_connections = 200
shared_buffers = 32MB
# Tests want speed over crash durability; fsync stays on so the cluster itself stays consistent.
synchronous_commit = off
wal_level = minimal
max_wal_senders = 0
max_wal_size = 512MB
timezone = 'UTC'
log_timezone = 'UTC'
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
EOF
}

prepare_dirs() {
  mkdir -p "$base"
  if [[ $EUID -eq 0 ]]; then
    [[ "$(stat -c %U "$base")" == "$os_user" ]] || chown -R "$os_user:" "$base"
  fi
  chmod 700 "$base"
}

# pg_ctl and postgres trust postmaster.pid and the socket's lock file when the PID in them exists.
# After a crash or kill -9 that PID can be a zombie nobody reaped yet (containers whose PID 1 is not
# an init) or an unrelated process, and `up` would then wait for, or refuse to start next to, a
# server that isn't there. Remove such files.
pid_in() { head -n 1 "$1" 2>/dev/null | grep -E '^[0-9]+$' || true; }
pid_dead() { [[ ! -d "/proc/$1" ]] || grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

clear_stale_lockfiles() {
  local pid
  pid="$(pid_in "$data/postmaster.pid")"
  if [[ -n "$pid" ]] && { pid_dead "$pid" || ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$data"; }; then
    log "removing stale postmaster.pid (process $pid is not this cluster's server)"
    rm -f "$data/postmaster.pid"
  fi
  # The socket lock may sit in /tmp next to another checkout's live server: only a dead PID counts.
  local socklock="$sockdir/.s.PGSQL.$port.lock"
  pid="$(pid_in "$socklock")"
  if [[ -n "$pid" ]] && pid_dead "$pid"; then
    log "removing stale $socklock (process $pid is gone)"
    rm -f "$socklock"
  fi
}

start_server() {
  clear_stale_lockfiles
  server_running && return 0
  if "$pg_bin/pg_isready" -q -h "$host" -p "$port"; then
    die "something else already listens on $host:$port and does not accept $app_user/$app_password"
  fi
  log "starting PostgreSQL on $host:$port (log: $logfile)"
  if ! pg_ctl_ -l "$logfile" -w -t 60 start >&2; then
    tail -n 30 "$logfile" >&2 || true
    die "PostgreSQL did not start"
  fi
}

wait_ready() {
  local i
  for ((i = 0; i < 300; i++)); do
    "$pg_bin/pg_isready" -q -h "$host" -p "$port" && return 0
    sleep 0.1
  done
  die "PostgreSQL did not become ready on $host:$port within 30 s"
}

# Idempotent: the role's password is reset every time so a changed script converges.
bootstrap_role_and_db() {
  as_os_user "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$sockdir" -p "$port" -d postgres >&2 <<EOF
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$app_user') THEN
    CREATE ROLE $app_user LOGIN;
  END IF;
END \$\$;
ALTER ROLE $app_user WITH LOGIN CREATEDB PASSWORD '$app_password';
SELECT 'CREATE DATABASE $app_db OWNER $app_user'
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$app_db') \gexec
EOF
}

cmd_up() {
  ensure_binaries
  # Before choosing the data dir: whether the user can reach <state> decides where it goes.
  ensure_os_user
  choose_base_dir
  # Fast path: already up and answering as the application role. (A server of another checkout on
  # the same port counts too: the address and credentials are all the callers need.)
  if app_query_ok; then echo "DATABASE_URL=$url"; return 0; fi
  # Serialise concurrent `up`s (two jest runs at once) on a lock in the state dir.
  exec 9>"$state/postgres.lock"
  flock 9
  if app_query_ok; then echo "DATABASE_URL=$url"; return 0; fi
  prepare_dirs
  init_cluster
  write_config
  start_server
  wait_ready
  bootstrap_role_and_db
  app_query_ok || die "PostgreSQL is up but a query as $app_user failed; see $logfile"
  log "ready at $host:$port (data: $data)"
  echo "DATABASE_URL=$url"
}

cmd_down() {
  [[ -x "$pg_bin/pg_ctl" ]] || { log "no PostgreSQL binaries; nothing to stop"; return 0; }
  choose_base_dir
  clear_stale_lockfiles
  if server_running; then
    log "stopping PostgreSQL ($data)"
    pg_ctl_ stop -m fast -w >&2
  else
    log "not running"
  fi
}

cmd_status() {
  [[ -x "$pg_bin/pg_ctl" ]] || { log "no PostgreSQL binaries at $pg_bin"; return 3; }
  choose_base_dir
  if app_query_ok; then
    server_running && log "running (data: $data)" || log "answering on $host:$port (not this checkout's server)"
    echo "DATABASE_URL=$url"
    return 0
  fi
  server_running && log "server running but not answering as $app_user" || log "not running"
  return 3
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
