#!/usr/bin/env bash
# Times `jdm kmod depmod` against kmod's `depmod -b` on the same extracted Debian kernel tree
# (written by .ci/kmod-fixtures.sh), in one run, and prints the wall-time ratio.
# Start-up uses a JDK 25 AOT cache (JEP 483/514) trained on a first run.
#   usage: jdm-kmod/bench/depmod-vs-kmod.sh [RUNS]      (build first: mvn -q package -DskipTests)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-5}"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
JAVA="$JAVA_HOME/bin/java"
FIX="${JDM_KMOD_FIXTURES:-$HERE/target/kernel-fixtures}"
KVER="$(cat "$FIX/KVER")"
ROOT="$FIX/root"
JAR="$(ls "$HERE"/target/jdm-kmod-*.jar | grep -v -e sources -e javadoc | head -1)"
CP="$JAR:$(ls "$HERE"/target/lib/*.jar | tr '\n' ':')"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
AOT="$WORK/jdm-kmod.aot"
OPTS=(--sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -XX:TieredStopAtLevel=1)
NMOD="$(find "$ROOT/lib/modules/$KVER" -name '*.ko*' | wc -l)"

# Training run: records the classes and linkage into an AOT cache (JDK 25 one-step form).
"$JAVA" "${OPTS[@]}" -XX:AOTCacheOutput="$AOT" -cp "$CP" dev.jdm.kmod.cli.KmodMain depmod -b "$ROOT" -o "$WORK/train" "$KVER" >/dev/null 2>&1

now() { date +%s%N; }
best() { sort -n | head -1; }
kmod_times=(); jdm_times=()
for ((i = 0; i < RUNS; i++)); do
  mkdir -p "$WORK/kmod/lib/modules" && rm -rf "$WORK/kmod/lib/modules/$KVER"
  cp -as "$ROOT/lib/modules/$KVER" "$WORK/kmod/lib/modules/$KVER"   # depmod writes in place: give it a symlink farm
  t0=$(now); depmod -b "$WORK/kmod" "$KVER"; t1=$(now)
  kmod_times+=($(( (t1 - t0) / 1000000 )))
  t0=$(now); "$JAVA" "${OPTS[@]}" -XX:AOTCache="$AOT" -cp "$CP" dev.jdm.kmod.cli.KmodMain depmod -b "$ROOT" -o "$WORK/jdm" "$KVER"; t1=$(now)
  jdm_times+=($(( (t1 - t0) / 1000000 )))
done
for f in modules.dep modules.alias modules.symbols modules.dep.bin modules.alias.bin modules.symbols.bin; do
  cmp -s "$WORK/kmod/lib/modules/$KVER/$f" "$WORK/jdm/lib/modules/$KVER/$f" || { echo "MISMATCH in $f" >&2; exit 1; }
done
K=$(printf '%s\n' "${kmod_times[@]}" | best)
J=$(printf '%s\n' "${jdm_times[@]}" | best)
echo "tree: $KVER, $NMOD modules, $(nproc) CPUs, best of $RUNS runs"
echo "kmod depmod -b : ${K} ms   (runs: ${kmod_times[*]})"
echo "jdm kmod depmod: ${J} ms   (runs: ${jdm_times[*]})"
awk -v j="$J" -v k="$K" 'BEGIN { printf "ratio jdm/kmod: %.2fx\n", j / k }'
