# shellcheck shell=bash disable=SC2153 # KAFKA_PORT and friends come from common.sh
# Kafka: one KRaft node (broker and controller in one JVM) from Apache Kafka's jars on Maven
# Central, on 127.0.0.1:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT), data and logs under
# $SVC_DIR/kafka. The jars are resolved once by Maven (scripts/services/kafka/pom.xml) into
# $SVC_CACHE/kafka-<version>/lib; later runs start from there without Maven.

KAFKA_HOME="$SVC_DIR/kafka"
KAFKA_DATA="$KAFKA_HOME/data"
KAFKA_PIDFILE="$KAFKA_HOME/kafka.pid"
KAFKA_CACHE="$SVC_CACHE/kafka-$KAFKA_VERSION"
KAFKA_LIB="$KAFKA_CACHE/lib"
KAFKA_POM="$SERVICES_HOME/kafka/pom.xml"
JAVA="${GRIDOPS_JAVA:-java}"

# kafka_resolve: the jars, resolved again only when the pom changes.
kafka_resolve() {
  local stamp start tmp
  mkdir -p "$KAFKA_CACHE"
  stamp="$(sha256sum "$KAFKA_POM" | cut -c1-16)"
  [ "$(cat "$KAFKA_CACHE/.complete" 2>/dev/null)" != "$stamp" ] || return 0
  # Another process (kafka-run, a second `up`) may be resolving the same version right now.
  exec 8>>"$KAFKA_CACHE/.lock"
  flock -w 900 8 || die "kafka: timed out waiting for $KAFKA_CACHE/.lock"
  [ "$(cat "$KAFKA_CACHE/.complete" 2>/dev/null)" != "$stamp" ] || return 0
  command -v "$JAVA" >/dev/null || apt_install default-jre-headless
  command -v mvn >/dev/null || apt_install maven
  start="$(now_ms)"
  say "kafka: resolving Apache Kafka $KAFKA_VERSION with Maven into $KAFKA_LIB (once)"
  tmp="$KAFKA_CACHE/lib.tmp.$$"
  rm -rf "$tmp"
  mvn -B -q -f "$KAFKA_POM" -Dkafka.version="$KAFKA_VERSION" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" </dev/null >"$KAFKA_CACHE/mvn.log" 2>&1 || {
    log_tail "$KAFKA_CACHE/mvn.log"
    die "kafka: Maven could not resolve $KAFKA_POM (kafka.version=$KAFKA_VERSION)"
  }
  rm -rf "$KAFKA_LIB"
  mv "$tmp" "$KAFKA_LIB"
  echo "$stamp" >"$KAFKA_CACHE/.complete"
  exec 8>&-
  say "kafka: $(find "$KAFKA_LIB" -name '*.jar' | wc -l) jars resolved in $(since "$start")"
}

# kafka_tool MAIN ARGS...: a short-lived Kafka tool (C1 only: it starts faster, runs briefly),
# bounded in time so a broker that hangs cannot hang the script.
kafka_tool() {
  timeout "${KAFKA_TOOL_TIMEOUT:-90}" "$JAVA" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$SERVICES_HOME/kafka/log4j2-tools.properties" \
    -cp "$KAFKA_LIB/*" "$@"
}

kafka_pid() { cat "$KAFKA_PIDFILE" 2>/dev/null || true; }
kafka_running() { pid_runs "$(kafka_pid)" "kafka.Kafka $KAFKA_HOME/server.properties"; }
# A metadata request through the admin client: the broker is up and serving, not only listening.
kafka_answers() {
  KAFKA_TOOL_TIMEOUT=60 kafka_tool org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "$KAFKA_BROKERS" --list
}

kafka_write_config() {
  cat >"$KAFKA_HOME/server.properties" <<CONF
# Written by scripts/services on every start (edits are lost): one KRaft node on loopback.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT,SSL://127.0.0.1:$KAFKA_TLS_PORT,SASL_SSL://127.0.0.1:$KAFKA_SASL_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,SSL://127.0.0.1:$KAFKA_TLS_PORT,SASL_SSL://127.0.0.1:$KAFKA_SASL_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL
# TLS (SSL and SASL_SSL listeners): a PEM key and certificate chain signed by the test CA.
ssl.keystore.type=PEM
ssl.keystore.location=$KAFKA_HOME/tls/broker.pem
# SASL_SSL: SCRAM-SHA-512, as Amazon MSK; the user is added once the broker runs (kafka_scram).
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
log.dirs=$KAFKA_DATA
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
min.insync.replicas=1
# The application creates its own topics; a typo must fail, not create a topic.
auto.create.topics.enable=false
group.initial.rebalance.delay.ms=0
# The cleaner compacts only __consumer_offsets here; its default 128 MB buffer lives on the
# heap for good and kept the old generation at the concurrent-marking threshold.
log.cleaner.dedupe.buffer.size=16777216
CONF
}

# kafka_tls: a throwaway CA and a broker certificate for 127.0.0.1/localhost, as one PEM file
# (key, then certificate) for the broker's PEM keystore. Idempotent.
kafka_tls() {
  local dir="$KAFKA_HOME/tls"
  [ -f "$dir/broker.pem" ] && return 0
  say "kafka: making a test CA and broker certificate (TLS on $KAFKA_TLS_BROKERS, SASL_SSL on $KAFKA_SASL_BROKERS)"
  local tmp="$KAFKA_HOME/tls.$$"
  test_ca "$tmp" kafka
  (umask 077 && cat "$tmp/server.key" "$tmp/server.crt" >"$tmp/broker.pem")
  rm -rf "$dir"
  mv "$tmp" "$dir"
}

# kafka_scram: the SCRAM-SHA-512 user of the SASL_SSL listener, stored in the cluster metadata
# (KRaft) through the plaintext listener; setting it again is harmless.
kafka_scram() {
  kafka_tool kafka.admin.ConfigCommand --bootstrap-server "$KAFKA_BROKERS" --alter \
    --add-config "SCRAM-SHA-512=[iterations=8192,password=$KAFKA_SCRAM_PASSWORD]" \
    --entity-type users --entity-name "$KAFKA_SCRAM_USER" >"$KAFKA_HOME/scram.log" 2>&1 || {
    log_tail "$KAFKA_HOME/scram.log"
    die "kafka: could not add the SCRAM user $KAFKA_SCRAM_USER"
  }
}

# kafka_format: a new cluster id and storage, once per data directory. The controller endpoint
# is written into the metadata log, so the ports are remembered and checked on later starts.
kafka_format() {
  local id
  id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  say "kafka: formatting storage in $KAFKA_DATA (cluster id $id)"
  kafka_tool kafka.tools.StorageTool format --standalone -t "$id" \
    -c "$KAFKA_HOME/server.properties" >"$KAFKA_HOME/format.log" 2>&1 || {
    log_tail "$KAFKA_HOME/format.log"
    die "kafka: storage format failed"
  }
  echo "$KAFKA_PORT $KAFKA_CONTROLLER_PORT" >"$KAFKA_HOME/ports"
}

kafka_up() {
  local start pid
  start="$(now_ms)"
  if kafka_running; then
    say "kafka: already running (pid $(kafka_pid)) on $KAFKA_BROKERS"
    return 0
  fi
  kafka_resolve
  mkdir -p "$KAFKA_HOME"
  kafka_tls
  kafka_write_config
  if [ ! -f "$KAFKA_DATA/meta.properties" ]; then
    kafka_format
  elif [ "$(cat "$KAFKA_HOME/ports" 2>/dev/null)" != "$KAFKA_PORT $KAFKA_CONTROLLER_PORT" ]; then
    die "kafka: $KAFKA_DATA was formatted for ports '$(cat "$KAFKA_HOME/ports" 2>/dev/null)'; run 'scripts/services/down --purge kafka' first"
  fi
  say "kafka: starting $KAFKA_VERSION on $KAFKA_BROKERS (log $KAFKA_HOME/server.log)"
  # setsid: the broker outlives this script and ignores the terminal's Ctrl-C; the shell writes
  # its own pid, then becomes the JVM (exec), so the pid file holds the JVM's pid.
  # shellcheck disable=SC2016 # expanded by the inner shell
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$KAFKA_PIDFILE" \
    "$JAVA" -Xms"$KAFKA_HEAP" -Xmx"$KAFKA_HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Djava.awt.headless=true -Dkafka.logs.dir="$KAFKA_HOME" \
    -Dlog4j2.configurationFile="$SERVICES_HOME/kafka/log4j2-broker.properties" \
    -cp "$KAFKA_LIB/*" kafka.Kafka "$KAFKA_HOME/server.properties" \
    </dev/null >"$KAFKA_HOME/stdout.log" 2>&1 8>&- 9>&- &
  wait_for 10 test -s "$KAFKA_PIDFILE" || die "kafka: no pid file"
  pid="$(kafka_pid)"
  local waited=$SECONDS
  until port_open "$KAFKA_PORT"; do
    if ! pid_alive "$pid"; then
      log_tail "$KAFKA_HOME/stdout.log"
      log_tail "$KAFKA_HOME/server.log"
      die "kafka: the broker exited during start-up"
    fi
    [ $((SECONDS - waited)) -lt "$WAIT_TIMEOUT" ] || die "kafka: port $KAFKA_PORT not open after ${WAIT_TIMEOUT}s"
    sleep 0.3
  done
  say "kafka: listening after $(since "$start"), asking for metadata"
  wait_for "$WAIT_TIMEOUT" kafka_answers || {
    log_tail "$KAFKA_HOME/server.log"
    die "kafka: no metadata answer from $KAFKA_BROKERS"
  }
  kafka_scram
  : >"$KAFKA_HOME/.ready"
  say "kafka: ready in $(since "$start") (pid $pid, heap $KAFKA_HEAP)"
}

kafka_down() {
  local start pid
  start="$(now_ms)"
  pid="$(kafka_pid)"
  if ! kafka_running; then
    say "kafka: not running"
    return 0
  fi
  # SIGTERM runs the broker's controlled shutdown (logs flushed, clean-shutdown marker written).
  kill -TERM "$pid"
  if ! wait_gone 90 "$pid"; then
    warn "kafka: still alive 90s after SIGTERM, sending SIGKILL"
    kill_tree "$pid"
  fi
  rm -f "$KAFKA_PIDFILE"
  say "kafka: stopped in $(since "$start")"
}

kafka_kill() {
  local pid
  pid="$(kafka_pid)"
  if ! kafka_running; then
    say "kafka: not running"
    return 0
  fi
  kill_tree "$pid"
  rm -f "$KAFKA_PIDFILE"
  say "kafka: killed (SIGKILL to pid $pid)"
}

kafka_status() {
  if kafka_running; then
    printf '%-9s up    pid %-8s %-58s %s\n' kafka "$(kafka_pid)" "$KAFKA_BROKERS" "$KAFKA_HOME"
  else
    printf '%-9s down  %-12s %-58s %s\n' kafka "" "$KAFKA_BROKERS" "$KAFKA_HOME"
    return 1
  fi
}
