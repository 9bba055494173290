#!/usr/bin/env bash
# Installs developer tools into <repo>/.local/bin from their package registries, pinned, and
# prints the installed path. Idempotent: a tool already there at the pinned version is left
# alone. Usage: deploy/local/tools.sh grpcurl|helm|openssl
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="$root/.local/bin"

# grpcurl talks to any Switchboard service through server reflection (no proto files needed).
GRPCURL_VERSION="v1.9.4"
# helm lints and renders charts/switchboard (test/chart). Built from source with `go install`
# (no release binaries can be fetched here): ~3.5 min cold on 2 cores, seconds when cached.
HELM_VERSION="v3.22.0"
# The Kubernetes version helm assumes offline (lint deprecations, .Capabilities.KubeVersion);
# helm's own Makefile sets it from the k8s.io/client-go it builds with (v0.37 -> 1.37).
HELM_K8S_MAJOR="1"
HELM_K8S_MINOR="37"

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

install_helm() {
  local target="$bin/helm"
  if [[ -x "$target" ]] && "$target" version --template '{{ .Version }}' 2>/dev/null | grep -qxF "${HELM_VERSION}"; then
    echo "$target"
    return
  fi
  command -v go >/dev/null || { echo "error: helm is built with Go; install Go first" >&2; exit 1; }
  mkdir -p "$bin"
  # Same -X flags as helm's Makefile: the version helm reports, and the Kubernetes version it
  # assumes when no cluster is reachable (otherwise 1.20, which predates autoscaling/v2).
  local ldflags="-w -s -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}"
  local pkg
  for pkg in lint/rules chartutil; do
    ldflags+=" -X helm.sh/helm/v3/pkg/${pkg}.k8sVersionMajor=${HELM_K8S_MAJOR}"
    ldflags+=" -X helm.sh/helm/v3/pkg/${pkg}.k8sVersionMinor=${HELM_K8S_MINOR}"
  done
  GOBIN="$bin" GOFLAGS="${GOFLAGS:-} -buildvcs=false" go install \
    -ldflags "$ldflags" \
    "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}" >&2
  echo "$target"
}

# openssl makes the throwaway TLS certificates of the push HTTP/2 client's tests. Debian's
# package (part of the base image almost always): installed only when missing.
install_openssl() {
  if command -v openssl >/dev/null; then
    command -v openssl
    return
  fi
  local sudo=()
  if [[ $EUID -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "error: openssl is missing and there is no sudo: install Debian's openssl" >&2; exit 1; }
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends openssl >&2
  command -v openssl
}

case "${1:-}" in
  grpcurl) install_grpcurl ;;
  helm) install_helm ;;
  openssl) install_openssl ;;
  *)
    echo "usage: $0 grpcurl|helm|openssl" >&2
    exit 2
    ;;
esac
