# shellcheck shell=bash disable=SC2034 # the settings are used by the files that source this one
# Shared settings and helpers of scripts/services (sourced by svc and selftest, never run).
# Everything is configurable by environment; the defaults keep clear of the usual ports so a
# developer's own PostgreSQL/Redis/Kafka are not disturbed.

SERVICES_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SVC_DIR="${GRIDOPS_SERVICES_DIR:-/tmp/gridops-services}"
# HOME may be unset in a bare CI environment; fall back to the passwd entry.
SVC_HOME="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
SVC_CACHE="${GRIDOPS_SERVICES_CACHE:-$SVC_HOME/.cache/gridops}"
PG_PORT="${GRIDOPS_POSTGRES_PORT:-55432}"
REDIS_PORT="${GRIDOPS_REDIS_PORT:-56379}"
KAFKA_PORT="${GRIDOPS_KAFKA_PORT:-59092}"
KAFKA_CONTROLLER_PORT="${GRIDOPS_KAFKA_CONTROLLER_PORT:-59093}"
# TLS and SASL_SSL (SCRAM-SHA-512) listeners of the same broker, as Amazon MSK's 9094 and 9096,
# so the adapter's TLS and SASL options are tested against a real broker.
KAFKA_TLS_PORT="${GRIDOPS_KAFKA_TLS_PORT:-59094}"
KAFKA_SASL_PORT="${GRIDOPS_KAFKA_SASL_PORT:-59096}"
KAFKA_VERSION="${GRIDOPS_KAFKA_VERSION:-4.1.1}"
# 512m left the broker in back-to-back concurrent G1 cycles under bench/pipeline (70 % of its
# CPU was GC): the log cleaner's buffer and the live log and producer state sat at the
# occupancy threshold.
KAFKA_HEAP="${GRIDOPS_KAFKA_HEAP:-1g}"
# Seconds to wait for one service to answer (the 2-core machine is often busy: be generous).
WAIT_TIMEOUT="${GRIDOPS_SERVICES_TIMEOUT:-120}"
ALL_SERVICES=(postgres redis kafka)

PG_USER=gridops
PG_PASSWORD=gridops
PG_DB=gridops
PG_URL="postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB"
REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT"
KAFKA_TLS_BROKERS="127.0.0.1:$KAFKA_TLS_PORT"
KAFKA_SASL_BROKERS="127.0.0.1:$KAFKA_SASL_PORT"
# A throwaway SCRAM user for the SASL_SSL listener (test broker on loopback only).
KAFKA_SCRAM_USER=gridops
KAFKA_SCRAM_PASSWORD=gridops-scram
ENV_FILE="$SVC_DIR/env"

say() { printf '[services %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
warn() { printf '[services %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
  printf 'services: %s\n' "$*" >&2
  exit 1
}

now_ms() { date +%s%3N; }
# since START_MS: elapsed time as "1.2s".
since() {
  local ms=$(($(now_ms) - $1))
  printf '%d.%ds' $((ms / 1000)) $((ms % 1000 / 100))
}

is_root() { [ "$(id -u)" -eq 0 ]; }
pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
# pid_runs PID TEXT: PID is alive and its command line contains TEXT. A pid file left behind by
# a killed machine (CI ends the session's processes) may name a pid reused by another program.
pid_runs() {
  pid_alive "$1" && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2"
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_for SECONDS CMD...: polls CMD (quietly) until it succeeds; fails after SECONDS.
wait_for() {
  local limit="$1" start=$SECONDS
  shift
  until "$@" >/dev/null 2>&1; do
    [ $((SECONDS - start)) -lt "$limit" ] || return 1
    sleep 0.3
  done
}

# wait_gone SECONDS PID: waits until PID has exited.
wait_gone() {
  local limit="$1" pid="$2" start=$SECONDS
  while pid_alive "$pid"; do
    [ $((SECONDS - start)) -lt "$limit" ] || return 1
    sleep 0.2
  done
}

# kill_tree PID: SIGKILL to PID and its direct children (a crash, not a shutdown).
kill_tree() {
  local pid="$1" kids
  kids="$(ps -o pid= --ppid "$pid" 2>/dev/null || true)"
  kill -9 "$pid" 2>/dev/null || true
  # shellcheck disable=SC2086 # one pid per word
  [ -z "$kids" ] || kill -9 $kids 2>/dev/null || true
  wait_gone 10 "$pid"
}

# apt_install PACKAGE...: Debian packages, only as root (CI is root; a developer is told what to run).
apt_install() {
  is_root || die "missing $*: run 'sudo apt-get install -y $*' (or run this as root)"
  say "installing $* (apt-get)"
  if [ -z "${SVC_APT_UPDATED:-}" ]; then
    apt-get update -qq
    SVC_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" </dev/null >/dev/null
}

# log_tail FILE: the end of a service log, indented, for failure messages.
log_tail() {
  [ -f "$1" ] || return 0
  printf '  --- last lines of %s\n' "$1" >&2
  tail -n 25 "$1" | sed 's/^/  | /' >&2
}

valid_service() {
  case "$1" in postgres | redis | kafka) return 0 ;; *) return 1 ;; esac
}

# write_env: the env file lists every service that has been set up in SVC_DIR and not purged, so
# `source $SVC_DIR/env` gives tests exactly the engines this machine provides.
write_env() {
  local tmp="$ENV_FILE.tmp.$$"
  {
    echo "# Written by scripts/services/up: source it to find the dev/CI services."
    [ ! -f "$SVC_DIR/postgres/.ready" ] || echo "export GRIDOPS_POSTGRES_URL=$PG_URL"
    [ ! -f "$SVC_DIR/postgres/.ready" ] || [ ! -f "$SVC_DIR/postgres/ca.crt" ] ||
      echo "export GRIDOPS_POSTGRES_CA_FILE=$SVC_DIR/postgres/ca.crt"
    [ ! -f "$SVC_DIR/redis/.ready" ] || echo "export GRIDOPS_REDIS_URL=$REDIS_URL"
    [ ! -f "$SVC_DIR/kafka/.ready" ] || echo "export GRIDOPS_KAFKA_BROKERS=$KAFKA_BROKERS"
    # Not GRIDOPS_KAFKA_CA_FILE and friends: sourcing the env file must not turn TLS on for
    # the plaintext broker above. The TLS/SASL test passes these to the adapter itself.
    [ ! -f "$SVC_DIR/kafka/.ready" ] || [ ! -f "$SVC_DIR/kafka/tls/ca.crt" ] || {
      echo "export GRIDOPS_TEST_KAFKA_TLS_BROKERS=$KAFKA_TLS_BROKERS"
      echo "export GRIDOPS_TEST_KAFKA_SASL_BROKERS=$KAFKA_SASL_BROKERS"
      echo "export GRIDOPS_TEST_KAFKA_CA_FILE=$SVC_DIR/kafka/tls/ca.crt"
      echo "export GRIDOPS_TEST_KAFKA_SCRAM_USER=$KAFKA_SCRAM_USER"
      echo "export GRIDOPS_TEST_KAFKA_SCRAM_PASSWORD=$KAFKA_SCRAM_PASSWORD"
    }
  } >"$tmp"
  chmod 644 "$tmp"
  mv -f "$tmp" "$ENV_FILE"
}

# with_lock CMD...: up/down/kill/purge take turns, so two test runs starting the services at once
# do not both initialise a data directory.
with_lock() {
  mkdir -p "$SVC_DIR"
  chmod 755 "$SVC_DIR" 2>/dev/null || true
  exec 9>>"$SVC_DIR/.lock"
  flock -w 600 9 || die "timed out waiting for $SVC_DIR/.lock"
  "$@"
}

# test_ca DIR NAME: a throwaway CA (DIR/ca.crt, ca.key) and a server key and certificate signed by
# it for 127.0.0.1 and localhost (DIR/server.key, server.crt), for the services' TLS listeners.
test_ca() {
  local dir="$1" name="$2"
  mkdir -p "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=gridops $name test CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" >/dev/null 2>&1 || die "$name: openssl (CA) failed"
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$dir/server.key" -out "$dir/server.csr" >/dev/null 2>&1 || die "$name: openssl (key) failed"
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$dir/san.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 3650 -extfile "$dir/san.ext" -out "$dir/server.crt" >/dev/null 2>&1 ||
    die "$name: openssl (sign) failed"
  chmod 600 "$dir/ca.key" "$dir/server.key"
}
