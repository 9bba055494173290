#!/usr/bin/env bash
# Installs developer tools into <repo>/.local/bin from their package registries, pinned, and
# prints the installed path. Idempotent: a tool already there at the pinned version is left
# alone. Usage: deploy/local/tools.sh grpcurl
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="$root/.local/bin"

# grpcurl talks to any Switchboard service through server reflection (no proto files needed).
GRPCURL_VERSION="v1.9.4"

install_grpcurl() {
  local target="$bin/grpcurl"
  if [[ -x "$target" ]] && "$target" -version 2>&1 | grep -qF "${GRPCURL_VERSION#v}"; then
    echo "$target"
    return
  fi
  command -v go >/dev/null || { echo "error: grpcurl is built with Go; install Go first" >&2; exit 1; }
  mkdir -p "$bin"
  # -ldflags sets the version grpcurl reports (go install leaves it "dev"); the check above needs it.
  GOBIN="$bin" GOFLAGS="${GOFLAGS:-} -buildvcs=false" go install \
    -ldflags "-X main.version=${GRPCURL_VERSION}" \
    "github.com/fullstorydev/grpcurl/cmd/grpcurl@${GRPCURL_VERSION}" >&2
  echo "$target"
}

case "${1:-}" in
  grpcurl) install_grpcurl ;;
  *)
    echo "usage: $0 grpcurl" >&2
    exit 2
    ;;
esac
