#!/usr/bin/env bash
# Runs the benchmarks of BENCHMARKS.md and prints their tables.
#
#   benchmarks/run.sh [--short|--full] [hotpath|storm|tokenfile|interceptor|exporter|stalls|shared|all ...]
#
# --short (the default) is a quick check that everything runs: few, short iterations, numbers only roughly right.
# --full gives the numbers for BENCHMARKS.md: run it on an otherwise idle machine (about an hour for "all").
# Results (JMH JSON, logs, summary.md) go to benchmarks/target/results/<mode>-<time>/.
# Set NO_BUILD=1 to reuse benchmarks/target/benchmarks.jar.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=short
targets=()
for arg in "$@"; do
  case "$arg" in
    --short) mode=short ;;
    --full) mode=full ;;
    hotpath|storm|tokenfile|interceptor|exporter|stalls|shared|all) targets+=("$arg") ;;
    *) echo "usage: benchmarks/run.sh [--short|--full] [hotpath|storm|tokenfile|interceptor|exporter|stalls|shared|all ...]" >&2
       exit 2 ;;
  esac
done
[ ${#targets[@]} -eq 0 ] && targets=(all)
wants() { [[ " ${targets[*]} " == *" $1 "* || " ${targets[*]} " == *" all "* ]]; }

if [ "$mode" = full ]; then
  hot_opts=(-f 2 -wi 5 -w 1s -i 10 -r 1s)
  file_opts=(-f 2 -wi 2 -w 5s -i 6 -r 5s)
  storm_opts=(--warmup 5 --rounds 100)
  interceptor_opts=(--forks 5 --warmup 3 --rounds 10)
  exporter_opts=(--soak-seconds 600 --load-seconds 60 --starts 10)
  stalls_opts=(--warmup-seconds 10 --seconds 60)
  adoption_opts=(--observers 4 --warmup 30 --samples 500 --polling-samples 200 --poll-ms 100)
  shared_storm_opts=(--processes 8 --warmup 3 --rounds 50 --delay 100)
else
  hot_opts=(-f 1 -wi 2 -w 1s -i 3 -r 1s)
  file_opts=(-f 1 -wi 1 -w 1s -i 3 -r 1s)
  storm_opts=(--warmup 2 --rounds 5)
  interceptor_opts=(--forks 2 --warmup 1 --rounds 3)
  exporter_opts=(--soak-seconds 60 --load-seconds 20 --starts 5)
  stalls_opts=(--warmup-seconds 5 --seconds 20)
  adoption_opts=(--observers 4 --warmup 10 --samples 200 --polling-samples 60 --poll-ms 100)
  shared_storm_opts=(--processes 8 --warmup 2 --rounds 10 --delay 100)
fi

if [ -z "${NO_BUILD:-}" ]; then
  mvn -B -ntp -q package -pl examples,benchmarks -am -DskipTests
fi
jar=benchmarks/target/benchmarks.jar
out="benchmarks/target/results/$mode-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
summary="$out/summary.md"

load() { cut -d' ' -f1-3 /proc/loadavg; }
note() { echo "$*" | tee -a "$summary"; }

note "# Benchmark results ($mode mode)"
note ""
note "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
note "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB"
note "- java: $(java -version 2>&1 | head -2 | tail -1)"
note "- load average at start (1, 5, 15 min): $(load)"
note ""

jmh() { # name, extra JMH options...
  local name=$1; shift
  java -jar "$jar" "$@" -rf json -rff "$out/$name.json" > "$out/$name.log" 2>&1 \
    || { echo "JMH run $name failed; see $out/$name.log" >&2; exit 1; }
  note "- $name done, load average $(load)"
}

if wants hotpath; then
  echo "hot path: 4 JMH runs (avgt with -prof gc and thrpt, 1 and 2 threads)..."
  jmh hotpath-avgt-t1 HotPathBenchmark "${hot_opts[@]}" -bm avgt -tu ns -t 1 -prof gc
  jmh hotpath-avgt-t2 HotPathBenchmark "${hot_opts[@]}" -bm avgt -tu ns -t 2 -prof gc
  jmh hotpath-thrpt-t1 HotPathBenchmark "${hot_opts[@]}" -bm thrpt -tu us -t 1
  jmh hotpath-thrpt-t2 HotPathBenchmark "${hot_opts[@]}" -bm thrpt -tu us -t 2
fi
if wants interceptor; then
  echo "interceptor in process: 1 JMH run (avgt with -prof gc)..."
  jmh interceptor-avgt InterceptorBenchmark "${hot_opts[@]}" -bm avgt -tu ns -t 1 -prof gc
fi
if wants tokenfile; then
  echo "token file: save and load latency on $(df -h benchmarks/target | awk 'NR==2 {print $1}')..."
  jmh tokenfile TokenFileBenchmark "${file_opts[@]}" -p dir=benchmarks/target
fi
if wants shared; then
  echo "token() on the shared stores: 1 JMH run (avgt with -prof gc; starts PostgreSQL and Redis)..."
  jmh shared-avgt SharedStoreBenchmark "${hot_opts[@]}" -bm avgt -tu ns -t 1 -prof gc
fi
note ""
java -cp "$jar" io.github.netatmotoken.benchmarks.JmhSummary "$out" | tee -a "$summary"

if wants storm; then
  echo "storm..."
  note "### Storm (benchmark 3), load average before: $(load)"
  java -cp "$jar" io.github.netatmotoken.benchmarks.TokenStorm "${storm_opts[@]}" --dir benchmarks/target \
    | tee "$out/storm.log" | grep -v '^storm:' | tee -a "$summary"
  note ""
fi
if wants interceptor; then
  echo "interceptor over loopback..."
  note "### Interceptor over loopback (benchmark 2), load average before: $(load)"
  note ""
  java -cp "$jar" io.github.netatmotoken.benchmarks.InterceptorOverhead "${interceptor_opts[@]}" \
    2> "$out/interceptor.log" | tee -a "$summary"
  note ""
fi
if wants exporter; then
  echo "exporter footprint..."
  note "### Exporter footprint (benchmark 5), load average before: $(load)"
  note ""
  # The README's flags (with the build's CDS archive) against the flags before issue 13, in one run.
  NO_BUILD=1 benchmarks/exporter-footprint.sh "${exporter_opts[@]}" --out "$out" | tee -a "$summary"
  note ""
fi
if wants stalls; then
  echo "exporter beside stalled connections..."
  note "### Exporter beside stalled connections (benchmark 6), load average before: $(load)"
  note ""
  NO_BUILD=1 benchmarks/exporter-stalls.sh "${stalls_opts[@]}" --out "$out" | tee -a "$summary"
  note ""
fi
if wants shared; then
  echo "shared stores: adoption latency and refresh under contention..."
  note "### Adoption latency (benchmark 7a), load average before: $(load)"
  note ""
  java -cp "$jar" io.github.netatmotoken.benchmarks.AdoptionLatency "${adoption_opts[@]}" --dir "$out" \
    | tee -a "$summary"
  note ""
  note "### Refresh under contention, 8 JVMs (benchmark 7b), load average before: $(load)"
  note ""
  java -cp "$jar" io.github.netatmotoken.benchmarks.SharedStoreStorm "${shared_storm_opts[@]}" --dir "$out" \
    | tee -a "$summary"
  note ""
fi
note "- load average at end: $(load)"
echo "results: $out"
