#!/usr/bin/env bash
# The Scanners page with a large fleet: seeds N scanners (default 10,000) into a standalone store,
# starts the operator on it and opens the console in headless chromium, reporting from the
# Navigation/Performance APIs when the page was interactive and when the first page of rows was
# drawn. See docs/benchmarks.md ("Web console with 10,000 scanners").
#   SCANNERS=10000 RUNS=10 bench/console-10k.sh
# Needs chromium and chromium-driver (Debian), a built operator (mvn -B -o install -DskipTests).
set -euo pipefail
cd "$(dirname "$0")/.."

SCANNERS=${SCANNERS:-10000}
RUNS=${RUNS:-10}
PORT=${PORT:-18090}
JAR=operator/target/quarkus-app/quarkus-run.jar
# The reconcilers watch a namespace with nothing in it, so what is measured is the page and the
# facade (which always serves mipo.api.namespace=default) with 10,000 scanners, not the start-up
# reconciliation of 10,000 seeded scanners competing for the same two cores.
IDLE_RECONCILERS=${IDLE_RECONCILERS:--Dquarkus.operator-sdk.namespaces=mipo-bench-idle}

[ -f "$JAR" ] || mvn -q -o -B package -DskipTests
mvn -q -o -B test-compile -pl operator
CP_FILE=$(mktemp)
mvn -q -o -B dependency:build-classpath -pl operator -Dmdep.includeScope=test -Dmdep.outputFile="$CP_FILE" >/dev/null
CP="operator/target/test-classes:$(cat "$CP_FILE")"

DATA=$(mktemp -d /tmp/mipo-console-bench.XXXXXX)
echo "operator data and log in $DATA"
start() {
  timeout 1800 java -Xmx2g -Dmipo.standalone=true -Dmipo.standalone.data-dir="$DATA" -Dquarkus.http.host=127.0.0.1 \
    -Dquarkus.http.port="$PORT" $IDLE_RECONCILERS -jar "$JAR" >>"$DATA/operator.log" 2>&1 &
  OPERATOR=$!
  for _ in $(seq 1 300); do
    if curl -sf "http://127.0.0.1:$PORT/q/health/ready" >/dev/null 2>&1; then return; fi
    if ! kill -0 "$OPERATOR" 2>/dev/null; then echo "operator exited; see $DATA/operator.log"; exit 1; fi
    sleep 1
  done
  echo "operator not ready in 300 s; see $DATA/operator.log"; exit 1
}
stop() { kill "$OPERATOR" 2>/dev/null || true; wait "$OPERATOR" 2>/dev/null || true; }
trap stop EXIT

start && stop                                   # an empty store: namespaces, CRDs, admin token
timeout 300 java -cp "$CP" io.mipo.operator.bench.ConsoleLoadBench seed "$DATA" "$SCANNERS"
start
TOKEN=$(cat "$DATA/admin-token")
echo "facade list: $(curl -s -o /dev/null -w '%{http_code} %{size_download} bytes %{time_total} s' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/config/scanners")"
timeout 600 java -cp "$CP" io.mipo.operator.bench.ConsoleLoadBench measure "http://127.0.0.1:$PORT/#token=$TOKEN" "$RUNS"
