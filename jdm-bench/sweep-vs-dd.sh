#!/usr/bin/env bash
# Throughput of `jdm sweep` against its peers, in the same run, printed as ratios. Every pair writes
# the same bytes: jdm sweeps with --include-boot-area, so it covers the whole target as the peers do.
#
# 1. On a file (standalone: an embedded host opens it through filedisk, O_DIRECT where it can):
#    jdm sweep FILE --zeros   vs  dd if=/dev/zero of=FILE bs=1M oflag=direct conv=notrunc
#    jdm sweep FILE --random  vs  shred -n1 FILE
#    (target: >= 0.95 of dd's throughput for zeros)
# 2. On a loop device (root, losetup and nwipe needed; nwipe only takes block devices, and on a
#    regular file it fails before writing). Two pairings:
#    - matched: the same bytes (nwipe --noblank: no second, zeroing pass) and the same sync policy
#      (one fdatasync at the end: nwipe --sync=0, jdm --checkpoint-ms longer than the run);
#    - defaults: each tool as a user runs it (nwipe blanks after the pass and fdatasyncs every
#      100000 writes; jdm flushes every 5 s), with the bytes each wrote.
# 3. Always: the engine alone on a memory device, against `dd if=/dev/zero of=/dev/null bs=1M`,
#    which shows what generating the data costs (zeros: nothing; random: the AES-CTR keystream).
# Verification is off everywhere. Pairs alternate for ROUNDS rounds (default 3); the best of each is
# reported, since the machine may be shared.
#
# Usage: jdm-bench/sweep-vs-dd.sh [SIZE_MiB] [DIR]     (defaults: 1024, a fresh directory in /var/tmp)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIB="${1:-1024}"
BASE="${2:-/var/tmp}"
ROUNDS="${ROUNDS:-3}"
. "$ROOT/scripts/jdk.sh"
WORK="$(mktemp -d "$BASE/jdm-sweep-bench.XXXXXX")"
LOOP=""
cleanup() {
  if [ -n "$LOOP" ]; then losetup -d "$LOOP" || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
JDM=("$ROOT/jdm" sweep --state-dir "$WORK/state")
"$ROOT/jdm" --version >/dev/null   # builds if needed, outside the timing

BYTES=$((MIB * 1024 * 1024))
NO_CHECKPOINT=$((24 * 3600 * 1000))   # ms: longer than any run, so jdm flushes once, at the end

now_ns() { date +%s%N; }
rate() { awk -v b="$1" -v ns="$2" 'BEGIN { printf "%.0f", b / (ns / 1e9) }'; }           # bytes/s
mbs() { awk -v r="$1" 'BEGIN { printf "%8.1f MB/s", r / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
best() { sort -n | tail -n 1; }
# From jdm's --json result line: the engine's own rate (no JVM or embedded-host start-up) and the bytes it moved.
engine_rate() { sed -n 's/.*"bytesPerSecond":\([0-9]*\).*/\1/p'; }
written() { sed -n 's/.*"bytes":\([0-9]*\).*/\1/p'; }
row() { printf '%-60s %14s %14s %s\n' "$1" "$2" "${3:-}" "${4:-}"; }
best_of() { local -n _rates="$1"; printf '%s\n' "${_rates[@]}" | best; }   # the best of an array of rates
# pair PEER_LABEL PEER_RATES JDM_LABEL JDM_WALLS JDM_ENGINES WHAT: the best of each run, and jdm's ratios to the peer.
pair() {
  local p w e
  p=$(best_of "$2"); w=$(best_of "$4"); e=$(best_of "$5")
  row "$1" "$(mbs "$p")"
  row "$3" "$(mbs "$w")" "$(mbs "$e")"
  echo "ratio jdm/$6: wall $(ratio "$w" "$p"), engine $(ratio "$e" "$p")"
}

# jdm_run TARGET ARGS...: sweeps, then sets J_WALL (bytes/s, start to exit), J_ENG (engine bytes/s), J_BYTES.
jdm_run() {
  local target="$1" s e line
  shift
  s=$(now_ns)
  line=$("${JDM[@]}" "$target" --verify=off --include-boot-area --write --yes --json "$@" | tail -n 1)
  e=$(now_ns)
  J_BYTES=$(written <<<"$line")
  J_ENG=$(engine_rate <<<"$line")
  J_WALL=$(rate "$J_BYTES" $((e - s)))
  if [ "$J_BYTES" != "$BYTES" ]; then
    echo "jdm sweep $target wrote $J_BYTES bytes, not $BYTES: the comparison would not be fair" >&2
    exit 1
  fi
}

# timed_rate BYTES CMD...: runs CMD (its output to $WORK/peer.log) and prints BYTES per second of wall time.
timed_rate() {
  local bytes="$1" s e rc=0
  shift
  s=$(now_ns)
  "$@" >"$WORK/peer.log" 2>&1 || rc=$?
  if [ "$rc" != 0 ]; then
    echo "failed: $* (exit $rc); its last lines:" >&2
    tail -n 5 "$WORK/peer.log" >&2
    return 1
  fi
  e=$(now_ns)
  rate "$bytes" $((e - s))
}

row "run" "wall" "engine"

# --- 1. a file -----------------------------------------------------------------------------------
FILE="$WORK/disk.img"
dd if=/dev/zero of="$FILE" bs=1M count="$MIB" status=none
if ! "${JDM[@]}" "$FILE" --include-boot-area --json >/dev/null 2>"$WORK/plan.err"; then
  echo "file: skipped: $(head -n 1 "$WORK/plan.err")"
else
  dd_r=(); jz_w=(); jz_e=(); sh_r=(); jr_w=(); jr_e=()
  for _ in $(seq "$ROUNDS"); do
    dd_r+=("$(timed_rate "$BYTES" dd if=/dev/zero of="$FILE" bs=1M count="$MIB" oflag=direct conv=notrunc status=none)")
    jdm_run "$FILE" --zeros; jz_w+=("$J_WALL"); jz_e+=("$J_ENG")
    sh_r+=("$(timed_rate "$BYTES" shred -n1 "$FILE")")
    jdm_run "$FILE" --random; jr_w+=("$J_WALL"); jr_e+=("$J_ENG")
  done
  pair "dd if=/dev/zero of=FILE bs=1M oflag=direct" dd_r "jdm sweep FILE --zeros" jz_w jz_e "dd zeros on a file (target >= 0.95)"
  pair "shred -n1 FILE" sh_r "jdm sweep FILE --random" jr_w jr_e "shred random on a file"
fi

# --- 2. a loop device, against nwipe -------------------------------------------------------------
if [ "$(id -u)" != 0 ] || ! command -v losetup >/dev/null; then
  echo "loop device: skipped: needs root and losetup"
elif ! command -v nwipe >/dev/null; then
  echo "loop device: skipped: nwipe is not installed (Debian: apt-get install nwipe)"
elif ! LOOP=$(losetup --find --show "$FILE" 2>"$WORK/losetup.err"); then
  LOOP=""
  echo "loop device: skipped: losetup failed: $(head -n 1 "$WORK/losetup.err")"
else
  # nwipe flags common to every run: no interface, no key press, no verification, one round
  NW=(nwipe --autonuke --nogui --nowait --verify=off --rounds=1)
  nz_r=(); jz_w=(); jz_e=(); nr_r=(); jr_w=(); jr_e=(); nd_r=(); jd_w=(); jd_e=()
  for _ in $(seq "$ROUNDS"); do
    nz_r+=("$(timed_rate "$BYTES" "${NW[@]}" --method=zero --noblank --sync=0 "$LOOP")")
    jdm_run "$LOOP" --zeros --checkpoint-ms "$NO_CHECKPOINT"; jz_w+=("$J_WALL"); jz_e+=("$J_ENG")
    nr_r+=("$(timed_rate "$BYTES" "${NW[@]}" --method=prng --noblank --sync=0 "$LOOP")")
    jdm_run "$LOOP" --random --checkpoint-ms "$NO_CHECKPOINT"; jr_w+=("$J_WALL"); jr_e+=("$J_ENG")
    # defaults: nwipe writes the device twice (the pass, then a blank pass), so its rate counts both
    nd_r+=("$(timed_rate $((2 * BYTES)) "${NW[@]}" --method=zero "$LOOP")")
    jdm_run "$LOOP" --zeros; jd_w+=("$J_WALL"); jd_e+=("$J_ENG")
  done
  echo "loop device $LOOP over a ${MIB} MiB file; matched: same bytes, one fdatasync at the end"
  pair "nwipe --method=zero --noblank --sync=0 LOOP" nz_r "jdm sweep LOOP --zeros --checkpoint-ms=$NO_CHECKPOINT" jz_w jz_e \
    "nwipe zeros, matched"
  pair "nwipe --method=prng --noblank --sync=0 LOOP" nr_r "jdm sweep LOOP --random --checkpoint-ms=$NO_CHECKPOINT" jr_w jr_e \
    "nwipe random, matched"
  echo "defaults (nwipe: pass + blank pass, fdatasync every 100000 writes; jdm: flush every 5 s)"
  pair "nwipe --method=zero LOOP ($((2 * MIB)) MiB written)" nd_r "jdm sweep LOOP --zeros ($MIB MiB written)" jd_w jd_e \
    "nwipe zeros, defaults, per byte written"
  echo "ratio jdm/nwipe zeros, defaults, per device cleared: wall $(ratio "$((2 * $(best_of jd_w)))" "$(best_of nd_r)")"
  losetup -d "$LOOP"
  LOOP=""
fi
echo "(wall includes start-up (the JVM and embedded host; nwipe's device probes) and the final flush; engine is the sweep itself; best of $ROUNDS)"
rm -f "$FILE"

# --- 3. the engine on a memory device ------------------------------------------------------------
null_rate=$(timed_rate "$BYTES" dd if=/dev/zero of=/dev/null bs=1M count="$MIB" status=none)
row "dd if=/dev/zero of=/dev/null bs=1M" "$(mbs "$null_rate")"
for args in "--zeros --verify=off" "--random --verify=off" "--random --verify=last"; do
  # shellcheck disable=SC2086
  eng=$("${JDM[@]}" ram0 --memory-device "ram0:${MIB}M,part,nowz" $args --write --yes --json | tail -n 1 | engine_rate)
  row "jdm sweep MEMORY $args" "" "$(mbs "$eng")"
  echo "ratio jdm($args)/dd-to-null: $(ratio "$eng" "$null_rate")"
done
