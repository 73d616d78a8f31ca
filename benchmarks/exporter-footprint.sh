#!/usr/bin/env bash
# Benchmark 5: the exporter's start time, resident memory and /metrics latency, in --demo mode (see BENCHMARKS.md).
#
#   benchmarks/exporter-footprint.sh [--soak-seconds 600] [--load-seconds 60] [--scrapers 50] [--starts 10]
#                                    [--jvm-flags "candidate flags"] [--baseline-flags "baseline flags"]
#                                    [--baseline-jar OTHER.jar] [--out DIR]
#
# Compares a candidate (default: the README's run flags, with the build-made CDS archive) with a baseline (default:
# the README's flags before issue 13) in one run, on the same jar or on --baseline-jar. Defaults are the short
# mode: 60 s soak, 20 s of load, 5 starts. The full mode is --soak-seconds 600.
# Builds the exporter jar and the benchmarks jar unless NO_BUILD=1. Talks to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${NO_BUILD:-}" ]; then
  mvn -B -ntp -q package -pl examples,benchmarks -am -DskipTests
fi
exec java -cp benchmarks/target/benchmarks.jar io.github.netatmotoken.benchmarks.ExporterFootprint \
  --jar examples/target/netatmo-exporter.jar "$@"
