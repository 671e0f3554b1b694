#!/usr/bin/env bash
# Provisioning a fleet in standalone mode (docs/benchmarks.md, "Provisioning a fleet in standalone mode").
# Starts one operator in standalone mode on 127.0.0.1 with an empty data directory, then provisions
# SCANNERS scanners as the UI and the agents would: facade create (POST /api/config/scanners), then
# agent registration with the token it answered (POST /scanner/register), THREADS at a time. Reports the
# total time, the rate per tenth of the fleet, latency percentiles and the operator's RSS at the end.
#
#   bench/provisioning.sh                         # 10,000 scanners
#   SCANNERS=1000 bench/provisioning.sh
#   JFR=1 SCANNERS=10000 bench/provisioning.sh    # also records a flight recording (operator.jfr)
set -euo pipefail
cd "$(dirname "$0")/.."

SCANNERS=${SCANNERS:-10000}
THREADS=${THREADS:-8}
PORT=${PORT:-18085}
HEAP=${HEAP:-1g}
JAR=${JAR:-operator/target/quarkus-app/quarkus-run.jar}
BENCH_CP=${BENCH_CP:-operator/target/test-classes}

if [ ! -f "$JAR" ] || [ "${REBUILD:-0}" = 1 ]; then
  mvn -q -o -B package -DskipTests
fi
[ -n "${SKIP_COMPILE:-}" ] || mvn -q -o -B test-compile -pl operator

DATA=$(mktemp -d /tmp/mipo-provisioning.XXXXXX)
echo "operator data and log in $DATA"
JFR_OPTS=""
if [ "${JFR:-0}" = 1 ]; then
  JFR_OPTS="-XX:StartFlightRecording=filename=$DATA/operator.jfr,settings=profile,dumponexit=true"
fi
# Registered scanners do not heartbeat here: offline-after is raised so that the first ones do not go
# Offline while the rest register (that is a liveness cost, measured by bench/heartbeats.sh).
# shellcheck disable=SC2086  # OPERATOR_OPTS and JFR_OPTS are lists of JVM options
timeout 3600 java -Xmx"$HEAP" $JFR_OPTS ${OPERATOR_OPTS:-} -Dmipo.standalone=true -Dmipo.standalone.data-dir="$DATA" \
  -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$PORT" -Dmipo.liveness.offline-after=2h \
  -jar "$JAR" >"$DATA/operator.log" 2>&1 &
OPERATOR=$!
sleep 1
JAVA_PID=$(pgrep -P "$OPERATOR" java || echo "$OPERATOR")
trap 'kill "$OPERATOR" 2>/dev/null || true; wait "$OPERATOR" 2>/dev/null || true' EXIT

for _ in $(seq 1 300); do
  if curl -sf "http://127.0.0.1:$PORT/q/health/ready" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$OPERATOR" 2>/dev/null; then echo "operator exited; see $DATA/operator.log"; exit 1; fi
  sleep 1
done

timeout 3600 java -Xmx512m -cp "$BENCH_CP" io.mipo.operator.bench.ProvisioningBench \
  --url "http://127.0.0.1:$PORT" --admin-token-file "$DATA/admin-token" --scanners "$SCANNERS" \
  --threads "$THREADS" --pid "$JAVA_PID"
ls -l "$DATA"
