#!/usr/bin/env bash
# Crash soak for isolated domains: filedisk in an isolated domain, exported over NBD, written and
# verified by fio's nbd engine (crc32c) while the domain process is killed with SIGKILL at random
# moments, KILLS times (default 1000). Each fio round writes and verifies SIZE; rounds repeat until
# the kills are done. Prints the kills, the recoveries the host logged, the recovery latency
# percentiles (crash to the first replayed request's completion, from the host's log) and the
# errors fio and the LU's statistics saw; exits 1 if there was any error.
# Usage: jdm-bench/domain-crash-soak.sh [--kills N] [--size SIZE] [--dir DIR]
# Needs: fio (with the nbd engine), python3. Uses ./jdm (builds on first use).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KILLS=1000; SIZE=32M; DIR=/var/tmp
while [ $# -gt 0 ]; do
  case "$1" in
    --kills) KILLS="$2"; shift 2 ;;
    --size) SIZE="$2"; shift 2 ;;
    --dir) DIR="$2"; shift 2 ;;
    *) echo "domain-crash-soak: unknown argument $1" >&2; exit 2 ;;
  esac
done
for t in fio python3; do command -v "$t" >/dev/null || { echo "domain-crash-soak: $t is not installed" >&2; exit 2; }; done
fio --enghelp | grep -qw nbd || { echo "domain-crash-soak: this fio has no nbd engine" >&2; exit 2; }
. "$ROOT/scripts/jdk.sh"
"$ROOT/jdm" --version >/dev/null   # builds if needed
WORK="$(mktemp -d "$DIR/jdm-crash-soak.XXXXXX")"
chmod 755 "$WORK"
HOST=
trap '[ -n "$HOST" ] && kill $HOST 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
truncate -s 64M "$WORK/disk.img"
cat > "$WORK/host.toml" <<TOML
[sysctl]
"domain.restart_limit" = "1000000"
"module.init_timeout_ms" = "60000"

[[modules]]
name = "filedisk"
params = { backing = "$WORK/disk.img", name = "soak0", domain = "isolated:soak" }

[[nbd.export]]
device = "soak0"
TOML
jdm() { "$ROOT/jdm" --socket "$WORK/gate.sock" "$@"; }
# started directly, not through the jdm function: $! must be the host itself, for the trap to stop it
"$ROOT/jdm" --socket "$WORK/gate.sock" host --config "$WORK/host.toml" --state-dir "$WORK/state" --nbd-socket "$WORK/nbd.sock" \
    --nbd-tcp off >"$WORK/host.log" 2>&1 &
HOST=$!
for _ in $(seq 600); do grep -q '^next:' "$WORK/host.log" 2>/dev/null && break; sleep 0.1; done
grep -q '^next:' "$WORK/host.log" || { cat "$WORK/host.log" >&2; echo "domain-crash-soak: host did not start" >&2; exit 1; }
URI="nbd+unix:///soak0?socket=$WORK/nbd.sock"

status() { # domain ls --json -> "STATE PID" of the soak domain (one client run per look)
  jdm domain ls soak --json | python3 -c "import json,sys; d=json.load(sys.stdin)[0]; print(d['state'], d['pid'])"
}
fio_round() {
  fio --name=soak --ioengine=nbd --uri="$URI" --rw=randwrite --bs=4k --offset=1M --size="$SIZE" --iodepth=16 \
      --verify=crc32c --do_verify=1 --verify_fatal=1 --verify_state_save=0 >"$WORK/fio.$1.log" 2>&1
}
kills=0; rounds=0; fio_errors=0
start=$(date +%s)
while [ "$kills" -lt "$KILLS" ]; do
  rounds=$((rounds + 1))
  fio_round "$rounds" & FIO=$!
  while kill -0 "$FIO" 2>/dev/null && [ "$kills" -lt "$KILLS" ]; do
    sleep "0.$((RANDOM % 5))$((RANDOM % 10))"
    read -r state pid < <(status)
    [ "$state" = running ] || continue
    kill -KILL "$pid" 2>/dev/null && kills=$((kills + 1))
    while read -r state now < <(status); [ "$now" = "$pid" ] || [ "$state" != running ]; do
      [ "$state" = failed ] && { echo "domain-crash-soak: the domain failed" >&2; break 2; }
      sleep 0.05
    done
  done
  wait "$FIO" || { fio_errors=$((fio_errors + 1)); echo "fio round $rounds failed:"; tail -20 "$WORK/fio.$rounds.log"; }
  grep -q "verify: bad" "$WORK/fio.$rounds.log" && fio_errors=$((fio_errors + 1))
  [ $((rounds % 10)) = 0 ] && echo "... $kills kills, $rounds fio rounds, $(( $(date +%s) - start )) s"
done
jdm dmesg > "$WORK/dmesg.log"
recoveries=$(grep -c "soak: recovered in" "$WORK/dmesg.log" || true)
lu_errors=$(jdm blk stat soak0 --json | python3 -c "import json,sys; print(json.load(sys.stdin)[0]['errors'])")
echo "kills: $kills   recoveries logged: $recoveries   fio rounds: $rounds   wall: $(( $(date +%s) - start )) s"
python3 - "$WORK/dmesg.log" <<'PY'
import re, sys
ms = sorted(int(m.group(1)) for m in re.finditer(r"the first completed (\d+) ms after the crash", open(sys.argv[1]).read()))
rec = sorted(int(m.group(1)) for m in re.finditer(r"soak: recovered in (\d+) ms", open(sys.argv[1]).read()))
def q(v, p):
    return v[min(len(v) - 1, max(0, -(-len(v) * p // 100) - 1))] if v else float("nan")
for name, v in (("crash to first replayed completion", ms), ("crash to domain running", rec)):
    print(f"{name}: {len(v)} samples, p50 {q(v, 50)} ms, p90 {q(v, 90)} ms, p99 {q(v, 99)} ms, max {q(v, 100)} ms")
PY
echo "errors: fio $fio_errors, LU $lu_errors"
[ "$fio_errors" = 0 ] && [ "$lu_errors" = 0 ]
