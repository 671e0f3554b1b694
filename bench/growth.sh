#!/usr/bin/env bash
# One row of the growth curve (docs/benchmarks.md, "Growth curve"): seeds SCANNERS registered scanners
# into a fresh standalone store (FleetSeed), starts the operator on it and runs GrowthBench: start-up,
# heartbeats side by side with /q/health/live, heartbeats at a fixed rate, facade lists with 8 clients,
# steady-state writes per minute and RSS; then a class histogram and the JVM's native memory summary.
#   SCANNERS=10000 bench/growth.sh
#   SCANNERS=100000 HEAP=2g STEADY_MINUTES=3 bench/growth.sh
#   SPLIT=1 SCANNERS=100000 bench/growth.sh   # measure an operator apart from the API server's process
# SEED_HEAP (default 4g) is the seeding JVM's heap, API_HEAP (4g) the API server's with SPLIT=1.
# With SPLIT=1 the standalone process only serves the Kubernetes API (its reconcilers and facade look at an
# empty namespace) and a second operator process, not standalone, is measured against it: its RSS and heap
# are the operator's own, without the embedded API server's objects.
# Needs a built operator (mvn -B -o install -DskipTests). The load generator runs on the same machine.
set -euo pipefail
cd "$(dirname "$0")/.."

SCANNERS=${SCANNERS:-10000}
PORT=${PORT:-18120}
HEAP=${HEAP:-1g}
INTERVAL=${INTERVAL:-30}
SECONDS_EACH=${SECONDS_EACH:-15}
CONNECTIONS=${CONNECTIONS:-32}
RATE=${RATE:-5000}
STEADY_MINUTES=${STEADY_MINUTES:-3}
JAR=${JAR:-operator/target/quarkus-app/quarkus-run.jar}
CLASSES=${CLASSES:-operator/target}   # with JAR and CLASSES pointing at a copy, a build may run meanwhile

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  [ -f "$JAR" ] || mvn -q -o -B package -DskipTests
  mvn -q -o -B test-compile -pl operator
fi
CP_FILE=$(mktemp)
mvn -q -o -B dependency:build-classpath -pl operator -Dmdep.includeScope=test -Dmdep.outputFile="$CP_FILE" >/dev/null
CP="$CLASSES/test-classes:$CLASSES/classes:$(cat "$CP_FILE")"

DATA=$(mktemp -d /tmp/mipo-growth.XXXXXX)
KEYS="$DATA/api-keys.txt"   # owner-only, deleted with the data directory
echo "operator data and log in $DATA"
OPERATOR=
API_SERVER=
SPLIT=${SPLIT:-0}
API_HEAP=${API_HEAP:-4g}
start() {
  if [ "$SPLIT" = 1 ] && [ -f "$DATA/kubeconfig" ]; then
    java -Xmx"$API_HEAP" -Dmipo.standalone=true -Dmipo.standalone.data-dir="$DATA" -Dquarkus.http.host=127.0.0.1 \
      -Dquarkus.http.port=$((PORT + 1)) -Dquarkus.operator-sdk.namespaces=mipo-bench-idle -Dmipo.api.namespace=mipo-bench-idle \
      -Dmipo.operator-namespace=mipo-bench-idle -jar "$JAR" >>"$DATA/api-server.log" 2>&1 &
    API_SERVER=$!
    for _ in $(seq 1 3600); do
      if curl -sf "http://127.0.0.1:$((PORT + 1))/q/health/ready" >/dev/null 2>&1; then break; fi
      if ! kill -0 "$API_SERVER" 2>/dev/null; then echo "API server process exited; see $DATA/api-server.log"; exit 1; fi
      sleep 1
    done
    # shellcheck disable=SC2086  # OPERATOR_OPTS is a list of JVM options
    KUBECONFIG="$DATA/kubeconfig" java -Xmx"$HEAP" -XX:NativeMemoryTracking=summary ${OPERATOR_OPTS:-} \
      -Dmipo.auth.static-token="$(cat "$DATA/admin-token")" -Dmipo.public-url="http://127.0.0.1:$PORT" -Dmipo.public-url.allow-insecure=true -Dmipo.leader-election.enabled=false \
      -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$PORT" \
      -Dmipo.liveness.heartbeat-interval="${INTERVAL}s" -jar "$JAR" >>"$DATA/operator.log" 2>&1 &
  else
    # shellcheck disable=SC2086  # OPERATOR_OPTS is a list of JVM options
    java -Xmx"$HEAP" -XX:NativeMemoryTracking=summary ${OPERATOR_OPTS:-} -Dmipo.standalone=true -Dmipo.standalone.data-dir="$DATA" \
      -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$PORT" -Dmipo.liveness.heartbeat-interval="${INTERVAL}s" \
      -jar "$JAR" >>"$DATA/operator.log" 2>&1 &
  fi
  OPERATOR=$!
  local t0=$SECONDS
  for _ in $(seq 1 3600); do
    if curl -sf "http://127.0.0.1:$PORT/q/health/ready" >/dev/null 2>&1; then
      echo "operator ready $((SECONDS - t0)) s after start"
      return
    fi
    if ! kill -0 "$OPERATOR" 2>/dev/null; then echo "operator exited; see $DATA/operator.log"; exit 1; fi
    sleep 1
  done
  echo "operator not ready in an hour; see $DATA/operator.log"; exit 1
}
stop() {
  if [ -n "$OPERATOR" ]; then kill "$OPERATOR" 2>/dev/null || true; wait "$OPERATOR" 2>/dev/null || true; fi
  if [ -n "$API_SERVER" ]; then kill "$API_SERVER" 2>/dev/null || true; wait "$API_SERVER" 2>/dev/null || true; fi
  OPERATOR=
  API_SERVER=
}
trap 'stop; rm -f "$KEYS"' EXIT

start >/dev/null && stop                          # an empty store: namespaces, CRDs, admin token
timeout 1800 java -Xmx"${SEED_HEAP:-4g}" -cp "$CP" io.mipo.operator.bench.FleetSeed "$DATA" "$SCANNERS" "$KEYS"
start
timeout 5400 java -Xmx1g -cp "$CP" io.mipo.operator.bench.GrowthBench --url "http://127.0.0.1:$PORT" --keys "$KEYS" \
  --admin-token "$DATA/admin-token" --pid "$OPERATOR" --interval "$INTERVAL" --seconds "$SECONDS_EACH" \
  --connections "$CONNECTIONS" --rate "$RATE" --steady-minutes "$STEADY_MINUTES"
echo "--- heap after a full GC: largest classes (jcmd GC.class_histogram)"
jcmd "$OPERATOR" GC.class_histogram > "$DATA/histogram.txt"
head -28 "$DATA/histogram.txt"
grep '^Total' "$DATA/histogram.txt" | awk '{printf "live heap after a full GC: %d objects, %.1f MB\n", $2, $3 / 1048576}'
echo "--- native memory (jcmd VM.native_memory summary)"
jcmd "$OPERATOR" VM.native_memory summary | grep -E '^(Total|-\s+(Java Heap|Class|Thread|Code|GC|Internal|Other|Metaspace|Arena|Symbol))' || true
grep VmRSS "/proc/$OPERATOR/status"
