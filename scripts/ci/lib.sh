# shellcheck shell=bash
# Shared by the scripts/ci/* steps. Every CI system (GitHub Actions, GitLab CI, Jenkins) calls the
# same steps with the same environment variables, so the pipeline logic lives here only.
#
#   IMAGE_REPO      image repository, e.g. ghcr.io/acme/gridops (no tag, no digest)
#   GRIDOPS_CI_OUT  where build outputs go (image archive, SBOM, digest); default <repo>/dist
#   GIT_SHA         the commit being built; default `git rev-parse HEAD`

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export ROOT
OUT=${GRIDOPS_CI_OUT:-$ROOT/dist}
export OUT
NODE="$ROOT/node_modules/.bin/node"

log() { printf '[ci %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

need() { # command... : fail early with a clear message when a tool is missing
  local c
  for c in "$@"; do command -v "$c" >/dev/null 2>&1 || die "'$c' is required for this step"; done
}

need_env() { # VAR... : fail when a required variable is unset or empty
  local v
  for v in "$@"; do [ -n "${!v:-}" ] || die "environment variable $v is required for this step"; done
}

git_sha() { echo "${GIT_SHA:-$(git -C "$ROOT" rev-parse HEAD)}"; }

need_node() {
  [ -x "$NODE" ] || die "Node.js 24 not installed: run scripts/ci/setup first"
}

# Tool images used through `docker run` when the tool is not on PATH, pinned by version.
TRIVY_IMAGE=${TRIVY_IMAGE:-docker.io/aquasec/trivy:0.67.2}
SKOPEO_IMAGE=${SKOPEO_IMAGE:-quay.io/skopeo/stable:v1.20.0}

valid_env() { case "$1" in dev | staging | prod) return 0 ;; *) return 1 ;; esac }
valid_digest() { [[ "$1" =~ ^sha256:[0-9a-f]{64}$ ]]; }

# trivy ARGS...: Trivy on PATH, else its pinned image; /out is $OUT and /src the repository.
trivy_run() {
  local args=("$@") i
  if command -v trivy >/dev/null 2>&1; then
    for i in "${!args[@]}"; do
      args[i]=${args[i]//\/out\//$OUT/}
      args[i]=${args[i]//\/src\//$ROOT/}
    done
    trivy "${args[@]}"
  else
    need docker
    docker run --rm -v "$OUT:/out" -v "$ROOT:/src:ro" -v gridops-trivy-cache:/root/.cache/trivy \
      "$TRIVY_IMAGE" "${args[@]}"
  fi
}
