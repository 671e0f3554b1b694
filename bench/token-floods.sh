#!/usr/bin/env bash
# Token floods while scanners heartbeat (docs/benchmarks.md, "Token floods"): 10,000 distinct bogus
# tokens of each kind (in-cluster registration's serviceAccountToken, the facade's bearer token;
# malformed and well-formed JWTs) while SCANNERS registered scanners heartbeat at RATE/s. Reports the
# TokenReviews each flood caused and the heartbeat latency (p50/p99/max) per phase.
#
#   bench/token-floods.sh                       # 1,000 scanners, 100 heartbeats/s, 10,000 tokens per flood
#   SCANNERS=200 FLOOD=2000 bench/token-floods.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SCANNERS=${SCANNERS:-1000}
RATE=${RATE:-100}
FLOOD=${FLOOD:-10000}
timeout 3600 mvn -B -o test-compile surefire:test -pl operator -Dtest=TokenFloodBench -Dsurefire.failIfNoSpecifiedTests=false \
  -DargLine="-Dbench.scanners=$SCANNERS -Dbench.rate=$RATE -Dbench.flood=$FLOOD" \
  | tee /tmp/mipo-token-floods.log | sed -n '/registered\|^| \|TOKEN FLOOD/p'
