#!/usr/bin/env bash
# Character devices against their peers, in the same run, printed as ratios:
# 1. `jdm dev cat zero --bytes SIZE` into a pipe vs `dd if=/dev/zero bs=1M count=SIZE_MiB` into a pipe
#    (the CLI process as users run it, start-up included; target >= 2 GB/s and >= 0.5x dd);
# 2. a typed call's round trip vs a raw Unix-socket round trip of the same bytes (ChrCallRoundTrip;
#    target <= 1.5x).
# Pairs alternate for ROUNDS rounds (default 3); the best of each is reported, since the machine may be shared.
#
# Usage: jdm-bench/chr-vs-dd.sh [SIZE_MiB]     (default 2048)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIB="${1:-2048}"
ROUNDS="${ROUNDS:-3}"
. "$ROOT/scripts/jdk.sh"
WORK="$(mktemp -d /tmp/jdm-chr-bench.XXXXXX)"
HOST_PID=""
cleanup() {
  if [ -n "$HOST_PID" ]; then kill "$HOST_PID" 2>/dev/null || true; wait "$HOST_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
"$ROOT/jdm" --version >/dev/null   # builds if needed, outside the timing
BENCH_JAR="$ROOT/jdm-bench/target/benchmarks.jar"
[ -f "$BENCH_JAR" ] || { echo "build jdm-bench first: mvn -pl jdm-bench -am package -DskipTests" >&2; exit 2; }

SOCK="$WORK/gate.sock"
"$ROOT/jdm" host --socket "$SOCK" --state-dir "$WORK/state" --nbd-tcp off >"$WORK/host.log" 2>&1 &
HOST_PID=$!
for _ in $(seq 1 300); do [ -S "$SOCK" ] && "$ROOT/jdm" --socket "$SOCK" dev ls zero >/dev/null 2>&1 && break; sleep 0.1; done

BYTES=$((MIB * 1024 * 1024))
now_ns() { date +%s%N; }
rate() { awk -v b="$1" -v ns="$2" 'BEGIN { printf "%.0f", b / (ns / 1e9) }'; }
best() { sort -n | tail -n 1; }
jdm_rates=(); dd_rates=()
LOAD0="$(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq 1 "$ROUNDS"); do
  t0=$(now_ns); "$ROOT/jdm" --socket "$SOCK" dev cat zero --bytes "$BYTES" | cat >/dev/null; t1=$(now_ns)
  jdm_rates+=("$(rate "$BYTES" $((t1 - t0)))")
  t0=$(now_ns); dd if=/dev/zero bs=1M count="$MIB" status=none | cat >/dev/null; t1=$(now_ns)
  dd_rates+=("$(rate "$BYTES" $((t1 - t0)))")
done
j=$(printf '%s\n' "${jdm_rates[@]}" | best); d=$(printf '%s\n' "${dd_rates[@]}" | best)
printf '%-52s %10.1f MB/s\n' "jdm dev cat zero --bytes ${MIB}M | cat" "$(awk -v r="$j" 'BEGIN{print r/1e6}')"
printf '%-52s %10.1f MB/s\n' "dd if=/dev/zero bs=1M count=$MIB | cat" "$(awk -v r="$d" 'BEGIN{print r/1e6}')"
echo "load average before / after the rounds: $LOAD0 / $(cut -d' ' -f1-3 /proc/loadavg)   (2 cores shared: compare ratios, not rates)"
awk -v a="$j" -v b="$d" 'BEGIN { printf "ratio jdm/dd: %.2f   (targets >= 2 GB/s: %s, >= 0.5x dd: %s)\n", a / b, (a >= 2e9 ? "met" : "missed"), (a >= 0.5 * b ? "met" : "missed") }'

"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -cp "$BENCH_JAR" dev.jdm.bench.ChrCallRoundTrip "$ROOT/jdm-cli/target/modules" 20000 "$ROUNDS"
