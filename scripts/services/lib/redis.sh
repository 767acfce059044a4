# shellcheck shell=bash
# Redis: a private redis-server (Debian's package, not its system service) on
# 127.0.0.1:$REDIS_PORT, data and log under $SVC_DIR/redis. No AOF; the default RDB save points
# stay, so a clean `down` keeps the keys.

REDIS_HOME="$SVC_DIR/redis"
REDIS_PIDFILE="$REDIS_HOME/redis.pid"
REDIS_LOG="$REDIS_HOME/redis.log"

redis_install() {
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null && return 0
  # The package also starts its own system service on 6379; ours is separate.
  apt_install redis-server redis-tools
}

redis_pid() { cat "$REDIS_PIDFILE" 2>/dev/null || true; }
# redis-server sets its process title to "redis-server HOST:PORT".
redis_running() { pid_runs "$(redis_pid)" "redis-server 127.0.0.1:$REDIS_PORT"; }
redis_answers() { [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }

redis_up() {
  local start
  start="$(now_ms)"
  if redis_running; then
    say "redis: already running (pid $(redis_pid)) on 127.0.0.1:$REDIS_PORT"
    return 0
  fi
  redis_install
  mkdir -p "$REDIS_HOME"
  say "redis: starting on 127.0.0.1:$REDIS_PORT (log $REDIS_LOG)"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --protected-mode yes \
    --dir "$REDIS_HOME" --dbfilename dump.rdb --appendonly no \
    --daemonize yes --pidfile "$REDIS_PIDFILE" --logfile "$REDIS_LOG" </dev/null 8>&- 9>&- ||
    die "redis: redis-server failed to start"
  wait_for "$WAIT_TIMEOUT" redis_answers || {
    log_tail "$REDIS_LOG"
    die "redis: no PONG from 127.0.0.1:$REDIS_PORT"
  }
  : >"$REDIS_HOME/.ready"
  say "redis: ready in $(since "$start") (pid $(redis_pid))"
}

redis_down() {
  local start pid
  start="$(now_ms)"
  pid="$(redis_pid)"
  if ! redis_running; then
    say "redis: not running"
    return 0
  fi
  # SHUTDOWN saves an RDB snapshot first (save points are configured).
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true
  if ! wait_gone 30 "$pid"; then
    # Redis refuses to exit when the snapshot fails (disk full, directory gone): say so, stop.
    warn "redis: SHUTDOWN did not stop pid $pid (snapshot failed? see $REDIS_LOG); SHUTDOWN NOSAVE"
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    wait_gone 10 "$pid" || die "redis: pid $pid still alive after SHUTDOWN NOSAVE"
  fi
  say "redis: stopped in $(since "$start")"
}

redis_kill() {
  local pid
  pid="$(redis_pid)"
  if ! redis_running; then
    say "redis: not running"
    return 0
  fi
  kill_tree "$pid"
  rm -f "$REDIS_PIDFILE"
  say "redis: killed (SIGKILL to pid $pid)"
}

redis_status() {
  if redis_running; then
    printf '%-9s up    pid %-8s %-58s %s\n' redis "$(redis_pid)" "$REDIS_URL" "$REDIS_HOME"
  else
    printf '%-9s down  %-12s %-58s %s\n' redis "" "$REDIS_URL" "$REDIS_HOME"
    return 1
  fi
}
