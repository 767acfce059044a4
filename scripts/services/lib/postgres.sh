# shellcheck shell=bash
# PostgreSQL: a private cluster from Debian's packages, on 127.0.0.1:$PG_PORT, data under
# $SVC_DIR/postgres. PostgreSQL refuses to run as root, so as root the cluster belongs to the
# `postgres` OS user (made by the Debian package) and its commands run through runuser.

PG_HOME="$SVC_DIR/postgres"
PG_DATA="$PG_HOME/data"
PG_RUN="$PG_HOME/run" # unix socket, for the superuser's set-up commands
PG_LOG="$PG_HOME/postgres.log"

# pg_bindir: the newest installed server (postgresql-15 on Debian 12, 17 on Debian 13).
pg_bindir() {
  local d
  d="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
}

pg_install() {
  pg_bindir >/dev/null && command -v psql >/dev/null && return 0
  # The Debian package also creates and starts its own cluster on 5432; ours is separate.
  apt_install postgresql postgresql-client
  pg_bindir >/dev/null || die "postgres: no initdb under /usr/lib/postgresql after install"
}

# pg_as CMD...: runs CMD as the cluster's owner (from /, which that user can always read: the
# caller's directory, e.g. /root, may not be).
pg_as() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

pg_pid() { head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null || true; }
pg_running() { pid_runs "$(pg_pid)" "-D $PG_DATA"; }

# pg_superuser_sql SQL: as the bootstrap superuser over the private socket (trust auth there).
pg_superuser_sql() {
  pg_as "$PG_BIN/psql" -X -q -h "$PG_RUN" -p "$PG_PORT" -U postgres -d postgres \
    -v ON_ERROR_STOP=1 -Atc "$1"
}

pg_init() {
  say "postgres: initdb in $PG_DATA"
  pg_as "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --no-locale \
    --auth-local=trust --auth-host=scram-sha-256 >"$PG_HOME/initdb.log" 2>&1 ||
    {
      log_tail "$PG_HOME/initdb.log"
      die "postgres: initdb failed"
    }
  # Durability is under test: keep every safety on; small memory for a shared 2-core machine.
  pg_as tee -a "$PG_DATA/postgresql.conf" >/dev/null <<CONF

# --- scripts/services
listen_addresses = '127.0.0.1'
fsync = on
synchronous_commit = on
full_page_writes = on
password_encryption = 'scram-sha-256'
shared_buffers = 64MB
max_connections = 100
log_line_prefix = '%m [%p] %u@%d '
# A stalled benchmark or test explains itself in postgres.log: lock waits past deadlock_timeout
# (1 s) with the blocking process, and statements slower than 5 s.
log_lock_waits = on
log_min_duration_statement = 5000
CONF
}

# pg_tls: a throwaway CA and a server certificate for 127.0.0.1/localhost, so the adapter's
# sslmode=require and verify-full are tested against a real TLS server (clients choose: plain
# connections still work). Idempotent; added to clusters made before it existed too.
pg_tls() {
  [ -f "$PG_DATA/server.crt" ] && return 0
  say "postgres: making a test CA and server certificate (TLS on, optional for clients)"
  local tmp="$PG_HOME/tls.$$"
  test_ca "$tmp" postgres
  install -m 0644 "$tmp/ca.crt" "$PG_HOME/ca.crt"
  chmod 0755 "$tmp" && chmod 0644 "$tmp/server.key" # readable by the server's user for the copy below
  pg_as install -m 0644 "$tmp/server.crt" "$PG_DATA/server.crt"
  pg_as install -m 0600 "$tmp/server.key" "$PG_DATA/server.key"
  rm -rf "$tmp"
  printf "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n" |
    pg_as tee -a "$PG_DATA/postgresql.conf" >/dev/null
}

# pg_provision: role and database gridops (password auth over TCP), idempotent.
pg_provision() {
  pg_superuser_sql "DO \$\$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') THEN
      CREATE ROLE $PG_USER LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
    END IF; END \$\$;" >/dev/null
  if [ -z "$(pg_superuser_sql "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" ]; then
    pg_superuser_sql "CREATE DATABASE $PG_DB OWNER $PG_USER" >/dev/null
  fi
}

pg_answers() {
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" &&
    [ "$("$PG_BIN/psql" -X -Atc 'select 1' "$PG_URL" 2>/dev/null)" = 1 ]
}

postgres_up() {
  local start
  start="$(now_ms)"
  if pg_running; then
    say "postgres: already running (pid $(pg_pid)) on 127.0.0.1:$PG_PORT"
    return 0
  fi
  pg_install
  PG_BIN="$(pg_bindir)"
  mkdir -p "$PG_RUN"
  if is_root; then
    id postgres >/dev/null 2>&1 || die "postgres: no 'postgres' OS user to run the server as"
    chown -R postgres: "$PG_HOME"
  fi
  [ -s "$PG_DATA/PG_VERSION" ] || pg_init
  pg_tls
  if [ -f "$PG_DATA/postmaster.pid" ]; then
    # Not ours (checked above): left by a killed server; its pid may now be another program's.
    say "postgres: removing the stale postmaster.pid (pid $(pg_pid) is not this cluster)"
    rm -f "$PG_DATA/postmaster.pid"
  fi
  say "postgres: starting on 127.0.0.1:$PG_PORT (log $PG_LOG)"
  pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$WAIT_TIMEOUT" \
    -o "-p $PG_PORT -k $PG_RUN -c listen_addresses=127.0.0.1" start >/dev/null 8>&- 9>&- ||
    {
      log_tail "$PG_LOG"
      die "postgres: did not start"
    }
  pg_provision
  wait_for "$WAIT_TIMEOUT" pg_answers || {
    log_tail "$PG_LOG"
    die "postgres: started but '$PG_URL' does not answer"
  }
  : >"$PG_HOME/.ready"
  say "postgres: ready in $(since "$start") (pid $(pg_pid))"
}

postgres_down() {
  local start
  start="$(now_ms)"
  if ! pg_running; then
    say "postgres: not running"
    return 0
  fi
  PG_BIN="$(pg_bindir)"
  pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null ||
    die "postgres: pg_ctl stop failed"
  say "postgres: stopped in $(since "$start")"
}

postgres_kill() {
  local pid
  pid="$(pg_pid)"
  if ! pg_running; then
    say "postgres: not running"
    return 0
  fi
  kill_tree "$pid"
  say "postgres: killed (SIGKILL to pid $pid and its children)"
}

postgres_status() {
  if pg_running; then
    printf '%-9s up    pid %-8s %-58s %s\n' postgres "$(pg_pid)" "$PG_URL" "$PG_HOME"
  else
    printf '%-9s down  %-12s %-58s %s\n' postgres "" "$PG_URL" "$PG_HOME"
    return 1
  fi
}
