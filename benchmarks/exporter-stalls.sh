#!/usr/bin/env bash
# Benchmark 6: /metrics latency alone and beside 100 stalled connections, in --demo mode (see BENCHMARKS.md).
#
#   benchmarks/exporter-stalls.sh [--seconds 20] [--stalled 100] [--warmup-seconds 5]
#                                 [--jvm-flags "..."]   (default: the README's run flags)
#                                 [--out DIR]
#
# Builds the exporter jar and the benchmarks jar unless NO_BUILD=1. Talks to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${NO_BUILD:-}" ]; then
  mvn -B -ntp -q package -pl examples,benchmarks -am -DskipTests
fi
exec java -cp benchmarks/target/benchmarks.jar io.github.netatmotoken.benchmarks.StalledClients \
  --jar examples/target/netatmo-exporter.jar "$@"
