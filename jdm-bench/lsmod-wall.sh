#!/usr/bin/env bash
# Wall time of `jdm lsmod` against a running host, compared in the same run with kmod's own
# `lsmod` (a native peer that reads /proc/modules) and with a bare `java -version` of the same JDK
# (the floor any Java client pays). The three alternate, run by run, so a machine that gets busier
# slows all alike. Prints medians of N runs and the ratios.
# Usage: jdm-bench/lsmod-wall.sh [runs]     (target: jdm lsmod <= 3x java -version)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-30}"
. "$ROOT/scripts/jdk.sh"
command -v lsmod >/dev/null || { apt-get install -y -qq kmod >/dev/null 2>&1 || true; }
WORK="$(mktemp -d)"
SOCK="$WORK/gate.sock"
"$ROOT/jdm" --version >/dev/null   # builds if needed, outside the timing
"$ROOT/jdm" host --socket "$SOCK" --state-dir "$WORK/state" >"$WORK/host.log" 2>&1 &
HOST=$!
trap 'kill $HOST 2>/dev/null; wait $HOST 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || { cat "$WORK/host.log"; echo "host did not start" >&2; exit 1; }
"$ROOT/jdm" --socket "$SOCK" lsmod >/dev/null   # first run writes the class-data archive

ms() { # command... -> its wall time in microseconds
  local s e
  s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N)
  echo $(( (e - s) / 1000 ))
}
median() { # microseconds... -> median in ms
  printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m/1000}'
}
jdm_t=(); java_t=(); kmod_t=()
for _ in $(seq "$RUNS"); do
  jdm_t+=($(ms "$ROOT/jdm" --socket "$SOCK" lsmod))
  java_t+=($(ms "$JAVA_HOME/bin/java" -Xshare:auto -XX:TieredStopAtLevel=1 -version))
  if command -v lsmod >/dev/null; then kmod_t+=($(ms lsmod)); fi
done
jdm_ms=$(median "${jdm_t[@]}")
java_ms=$(median "${java_t[@]}")
printf '%-28s %10s\n' "command" "median ms"
printf '%-28s %10s\n' "jdm lsmod" "$jdm_ms"
printf '%-28s %10s\n' "java -version (floor)" "$java_ms"
if command -v lsmod >/dev/null; then
  kmod_ms=$(median "${kmod_t[@]}")
  printf '%-28s %10s\n' "lsmod (kmod)" "$kmod_ms"
  awk -v a="$jdm_ms" -v b="$kmod_ms" 'BEGIN { printf "ratio jdm/kmod lsmod: %.1f\n", a / b }'
fi
awk -v a="$jdm_ms" -v b="$java_ms" 'BEGIN { printf "ratio jdm lsmod/java -version: %.2f\n", a / b }'
awk -v a="$jdm_ms" -v b="$java_ms" 'BEGIN { printf "target jdm lsmod <= 3x java -version: %s\n", (a <= 3 * b ? "met" : "missed") }'
