#!/usr/bin/env bash
# Stop the local Kafka broker and PostgreSQL server started by up.sh (data is kept in .local/).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/kafka.sh" down || true
"$here/postgres.sh" down || true
