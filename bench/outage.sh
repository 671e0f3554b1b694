#!/usr/bin/env bash
# A fleet-wide outage and its recovery (docs/benchmarks.md, "Fleet-wide outage and recovery").
# Starts one operator in standalone mode on 127.0.0.1, provisions and registers SCANNERS scanners, keeps
# them heartbeating until all are Active, stops every heartbeat until the leader shows all Offline, then
# resumes them until all are Active again; prints, every 5 s, the phases, the transition backlog and the
# scanners/status and events writes per second, and at the end the time until status agreed with reality.
#
#   bench/outage.sh                               # 10,000 scanners, offline-after 2m (the defaults)
#   SCANNERS=1000 OFFLINE_AFTER=30s INTERVAL=10 bench/outage.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SCANNERS=${SCANNERS:-10000}
PORT=${PORT:-18080}
INTERVAL=${INTERVAL:-30}
OFFLINE_AFTER=${OFFLINE_AFTER:-2m}
MAX_MINUTES=${MAX_MINUTES:-40}
HEAP=${HEAP:-2g}
JAR=operator/target/quarkus-app/quarkus-run.jar

if [ ! -f "$JAR" ] || [ "${REBUILD:-0}" = 1 ]; then
  mvn -q -o -B package -DskipTests
fi
mvn -q -o -B test-compile -pl operator

DATA=$(mktemp -d /tmp/mipo-bench.XXXXXX)
echo "operator data and log in $DATA"
# shellcheck disable=SC2086  # OPERATOR_OPTS is a list of JVM options
java -Xmx"$HEAP" ${OPERATOR_OPTS:-} -Dmipo.standalone=true -Dmipo.standalone.data-dir="$DATA" -Dquarkus.http.port="$PORT" \
  -Dmipo.liveness.heartbeat-interval="${INTERVAL}s" -Dmipo.liveness.offline-after="$OFFLINE_AFTER" -jar "$JAR" >"$DATA/operator.log" 2>&1 &
OPERATOR=$!
trap 'kill "$OPERATOR" 2>/dev/null || true; wait "$OPERATOR" 2>/dev/null || true' EXIT

for _ in $(seq 1 300); do
  if curl -sf "http://127.0.0.1:$PORT/q/health/ready" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$OPERATOR" 2>/dev/null; then echo "operator exited; see $DATA/operator.log"; exit 1; fi
  sleep 1
done

java -Xmx1g -cp operator/target/test-classes io.mipo.operator.bench.OutageBench \
  --url "http://127.0.0.1:$PORT" --kubeconfig "$DATA/kubeconfig" --scanners "$SCANNERS" --max-minutes "$MAX_MINUTES"
