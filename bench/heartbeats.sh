#!/usr/bin/env bash
# Heartbeat ingest and liveness write budget (docs/benchmarks.md, "Heartbeat ingest and liveness write budget").
# Starts one operator in standalone mode on 127.0.0.1, provisions SCANNERS scanners through its embedded
# Kubernetes API, registers them, drives their heartbeats and reports heartbeats/s, p50/p99 latency and the
# Kubernetes API writes per minute in steady state (from mipo_kubernetes_writes_total).
#
#   bench/heartbeats.sh                      # 10,000 scanners, 5,000/s for 30 s, max rate, 5 min steady state
#   SCANNERS=1000 STEADY_MINUTES=0 bench/heartbeats.sh
#   SCANNERS=1000 RATE_SECONDS=0 MAX_SECONDS=0 STEADY_MINUTES=0 bench/heartbeats.sh   # side by side only
#   DATA=/tmp/hb-1000 ... bench/heartbeats.sh   # keep the data directory: a second run (another build) reuses
#                                               # its fleet and the API keys in $DATA/bench-keys
#   JFR=1 ...                                   # also a flight recording of 20 s of heartbeats only ($DATA/heartbeat-*.jfr)
#
# Side by side (COMPARE_SECONDS per call and round, COMPARE_ROUNDS rounds; 0 turns it off): the same client and
# CONNECTIONS at maximum rate against GET /q/health/live and POST /scanner/heartbeat, alternating, and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."

SCANNERS=${SCANNERS:-10000}
PORT=${PORT:-18080}
RATE=${RATE:-5000}
RATE_SECONDS=${RATE_SECONDS:-30}
MAX_SECONDS=${MAX_SECONDS:-20}
CONNECTIONS=${CONNECTIONS:-32}
RATE_CONNECTIONS=${RATE_CONNECTIONS:-32}
INTERVAL=${INTERVAL:-30}
STEADY_MINUTES=${STEADY_MINUTES:-5}
COMPARE_SECONDS=${COMPARE_SECONDS:-5}
COMPARE_ROUNDS=${COMPARE_ROUNDS:-6}
WARMUP_SECONDS=${WARMUP_SECONDS:-10}
HEAP=${HEAP:-2g}
JAR=${JAR:-operator/target/quarkus-app/quarkus-run.jar}   # JAR=… measures another build (e.g. a copy of quarkus-app)

if [ ! -f "$JAR" ] || [ "${REBUILD:-0}" = 1 ]; then
  mvn -q -o -B package -DskipTests
fi
mvn -q -o -B test-compile -pl operator

DATA=${DATA:-$(mktemp -d /tmp/mipo-bench.XXXXXX)}
mkdir -p "$DATA"
echo "operator data and log in $DATA"
# shellcheck disable=SC2086  # OPERATOR_OPTS is a list of JVM options
java -Xmx"$HEAP" ${OPERATOR_OPTS:-} -Dmipo.standalone=true -Dmipo.standalone.data-dir="$DATA" -Dquarkus.http.port="$PORT" \
  -Dmipo.liveness.heartbeat-interval="${INTERVAL}s" -jar "$JAR" >>"$DATA/operator.log" 2>&1 &
OPERATOR=$!
trap 'kill "$OPERATOR" 2>/dev/null || true; wait "$OPERATOR" 2>/dev/null || true' EXIT

READY=
for _ in $(seq 1 "${READY_SECONDS:-900}"); do   # a big seeded fleet (FleetSeed) takes minutes to start
  if curl -sf "http://127.0.0.1:$PORT/q/health/ready" >/dev/null 2>&1; then READY=1; break; fi
  if ! kill -0 "$OPERATOR" 2>/dev/null; then echo "operator exited; see $DATA/operator.log"; exit 1; fi
  sleep 1
done
if [ -z "$READY" ]; then echo "operator not ready in ${READY_SECONDS:-900} s; see $DATA/operator.log"; exit 1; fi

JFR_ARGS=()
if [ "${JFR:-0}" = 1 ]; then
  JFR_ARGS=(--jfr-pid "$OPERATOR" --jfr-file "$DATA/heartbeat-$(date +%s).jfr")
fi
java -Xmx1g -cp operator/target/test-classes io.mipo.operator.bench.HeartbeatBench \
  --url "http://127.0.0.1:$PORT" --kubeconfig "$DATA/kubeconfig" --scanners "$SCANNERS" \
  --rate "$RATE" --rate-seconds "$RATE_SECONDS" --max-seconds "$MAX_SECONDS" --connections "$CONNECTIONS" --rate-connections "$RATE_CONNECTIONS" \
  --interval "$INTERVAL" --steady-minutes "$STEADY_MINUTES" \
  --compare-seconds "$COMPARE_SECONDS" --compare-rounds "$COMPARE_ROUNDS" --keys-file "$DATA/bench-keys" --operator-pid "$OPERATOR" \
  --warmup-seconds "$WARMUP_SECONDS" \
  ${JFR_ARGS[@]+"${JFR_ARGS[@]}"}
