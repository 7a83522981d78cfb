#!/usr/bin/env bash
# Throughput of `jdm sweep` against its peers, in the same run, printed as ratios.
#
# 1. On a file (standalone: an embedded host opens it through filedisk, O_DIRECT where it can):
#    jdm sweep FILE --zeros --verify=off   vs  dd if=/dev/zero of=FILE bs=1M oflag=direct conv=notrunc
#    jdm sweep FILE --random --verify=off  vs  nwipe --method=prng --verify=off, else shred -n1
#    (target: >= 0.95 of dd's throughput for zeros)
# 2. Always: the engine alone on a memory device, against `dd if=/dev/zero of=/dev/null bs=1M`,
#    which shows what generating the data costs (zeros: nothing; random: the AES-CTR keystream).
#
# Usage: jdm-bench/sweep-vs-dd.sh [SIZE_MiB] [DIR]     (defaults: 2048, a fresh directory in /var/tmp)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIB="${1:-2048}"
BASE="${2:-/var/tmp}"
. "$ROOT/scripts/jdk.sh"
WORK="$(mktemp -d "$BASE/jdm-sweep-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
STATE="$WORK/state"
JDM=("$ROOT/jdm" sweep --state-dir "$STATE")
"$ROOT/jdm" --version >/dev/null   # builds if needed, outside the timing

now_ns() { date +%s%N; }
rate() { awk -v b="$1" -v ns="$2" 'BEGIN { printf "%.0f", b / (ns / 1e9) }'; }           # bytes/s
mbs() { awk -v r="$1" 'BEGIN { printf "%8.1f MB/s", r / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# The engine's own rate from the --json result line (excludes JVM and embedded-host start-up).
engine_rate() { tail -n 1 | sed -n 's/.*"bytesPerSecond":\([0-9]*\).*/\1/p'; }
# Bytes the run wrote, from the same line: a file is a whole device, so its boot area is skipped.
written() { tail -n 1 | sed -n 's/.*"bytes":\([0-9]*\).*/\1/p'; }
ROUNDS="${ROUNDS:-3}"   # each pair runs this often, alternating; the best of each is reported

BYTES=$((MIB * 1024 * 1024))
printf '%-52s %14s %14s\n' "run" "wall" "engine"

# --- 1. files --------------------------------------------------------------------------------
FILE="$WORK/disk.img"
dd if=/dev/zero of="$FILE" bs=1M count="$MIB" status=none
if ! "${JDM[@]}" "$FILE" --json >/dev/null 2>"$WORK/plan.err"; then
  echo "file targets: skipped: $(head -n 1 "$WORK/plan.err")"
else
  best() { sort -n | tail -n 1; }
  dd_rates=(); jz_walls=(); jz_engs=(); peer_rates=(); jr_walls=(); jr_engs=()
  if command -v nwipe >/dev/null; then peer="nwipe --method=prng --verify=off"; else peer="shred -n1"; fi
  for _ in $(seq "$ROUNDS"); do
    s=$(now_ns); dd if=/dev/zero of="$FILE" bs=1M count="$MIB" oflag=direct conv=notrunc status=none; e=$(now_ns)
    dd_rates+=("$(rate "$BYTES" $((e - s)))")
    s=$(now_ns); line=$("${JDM[@]}" "$FILE" --zeros --verify=off --write --yes --json | tail -n 1); e=$(now_ns)
    jz_engs+=("$(engine_rate <<<"$line")"); jz_walls+=("$(rate "$(written <<<"$line")" $((e - s)))")
    s=$(now_ns)
    if [ "${peer%% *}" = nwipe ]; then
      nwipe --autonuke --nogui --nowait --method=prng --verify=off --rounds=1 "$FILE" >/dev/null 2>&1
    else
      shred -n1 "$FILE"
    fi
    e=$(now_ns); peer_rates+=("$(rate "$BYTES" $((e - s)))")
    s=$(now_ns); line=$("${JDM[@]}" "$FILE" --random --verify=off --write --yes --json | tail -n 1); e=$(now_ns)
    jr_engs+=("$(engine_rate <<<"$line")"); jr_walls+=("$(rate "$(written <<<"$line")" $((e - s)))")
  done
  dd_rate=$(printf '%s\n' "${dd_rates[@]}" | best); jz_wall=$(printf '%s\n' "${jz_walls[@]}" | best); jz_eng=$(printf '%s\n' "${jz_engs[@]}" | best)
  peer_rate=$(printf '%s\n' "${peer_rates[@]}" | best); jr_wall=$(printf '%s\n' "${jr_walls[@]}" | best); jr_eng=$(printf '%s\n' "${jr_engs[@]}" | best)
  printf '%-52s %14s\n' "dd if=/dev/zero of=FILE bs=1M oflag=direct" "$(mbs "$dd_rate")"
  printf '%-52s %14s %14s\n' "jdm sweep FILE --zeros --verify=off" "$(mbs "$jz_wall")" "$(mbs "$jz_eng")"
  echo "ratio jdm/dd zeros: wall $(ratio "$jz_wall" "$dd_rate"), engine $(ratio "$jz_eng" "$dd_rate")   (target >= 0.95)"
  printf '%-52s %14s\n' "$peer FILE" "$(mbs "$peer_rate")"
  printf '%-52s %14s %14s\n' "jdm sweep FILE --random --verify=off" "$(mbs "$jr_wall")" "$(mbs "$jr_eng")"
  echo "ratio jdm/${peer%% *} random: wall $(ratio "$jr_wall" "$peer_rate"), engine $(ratio "$jr_eng" "$peer_rate")"
  echo "(wall includes JVM start-up, the embedded host and a final flush; engine is the sweep itself; best of $ROUNDS)"
fi
rm -f "$FILE"

# --- 2. the engine on a memory device -------------------------------------------------------
s=$(now_ns); dd if=/dev/zero of=/dev/null bs=1M count="$MIB" status=none; e=$(now_ns)
null_rate=$(rate "$BYTES" $((e - s)))
printf '%-52s %14s\n' "dd if=/dev/zero of=/dev/null bs=1M" "$(mbs "$null_rate")"
for args in "--zeros --verify=off" "--random --verify=off" "--random --verify=last"; do
  # shellcheck disable=SC2086
  eng=$("${JDM[@]}" ram0 --memory-device "ram0:${MIB}M,part,nowz" $args --write --yes --json | engine_rate)
  printf '%-52s %14s %14s\n' "jdm sweep MEMORY $args" "" "$(mbs "$eng")"
  echo "ratio jdm($args)/dd-to-null: $(ratio "$eng" "$null_rate")"
done
