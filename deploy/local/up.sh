#!/usr/bin/env bash
# Bring up the real backing services the tests and local clusters use: a single-node Apache
# Kafka broker in KRaft mode and a PostgreSQL 15 server, both on loopback. Idempotent and quick
# when they are already up. Writes their addresses to .local/env (sourced by tests and scripts).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
state="${SWITCHBOARD_STATE_DIR:-$root/.local}"
mkdir -p "$state"

kafka_env="$("$here/kafka.sh" up)"
pg_env="$("$here/postgres.sh" up)"

{
  echo "# written by deploy/local/up.sh; addresses of the local backing services"
  printf '%s\n' "$kafka_env" "$pg_env" | grep -E '^[A-Z_]+='
} > "$state/env.tmp"
mv "$state/env.tmp" "$state/env"
cat "$state/env"
