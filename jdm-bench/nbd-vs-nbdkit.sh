#!/usr/bin/env bash
# Benchmarks jdm's NBD server against nbdkit in the same run, with fio's nbd engine (libnbd) over
# Unix sockets, and prints each workload with the jdm/nbdkit ratio (higher is better for jdm).
#
#   jdm-bench/nbd-vs-nbdkit.sh [--runtime SEC] [--size SIZE]
#       memory rows: a jdm in-memory export vs nbdkit's memory plugin
#   ... --file PATH --jdm-config FILE --jdm-export NAME
#       also file rows: nbdkit's file plugin on PATH vs the jdm export NAME of a host started with
#       FILE (e.g. a filedisk LU on the same PATH)
#
# Needs: fio (with the nbd engine), nbdkit, python3. Uses ./jdm (builds on first use).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNTIME=10 SIZE=1G FILE="" JDM_CONFIG="" JDM_EXPORT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runtime) RUNTIME="$2"; shift 2 ;;
    --size) SIZE="$2"; shift 2 ;;
    --file) FILE="$2"; shift 2 ;;
    --jdm-config) JDM_CONFIG="$2"; shift 2 ;;
    --jdm-export) JDM_EXPORT="$2"; shift 2 ;;
    *) echo "nbd-vs-nbdkit: unknown argument $1" >&2; exit 2 ;;
  esac
done
for t in fio nbdkit python3; do
  command -v "$t" >/dev/null || { echo "nbd-vs-nbdkit: $t is not installed" >&2; exit 2; }
done
fio --enghelp | grep -qw nbd || { echo "nbd-vs-nbdkit: this fio has no nbd engine" >&2; exit 2; }
if [ -n "$FILE" ] && { [ -z "$JDM_CONFIG" ] || [ -z "$JDM_EXPORT" ]; }; then
  echo "nbd-vs-nbdkit: --file needs --jdm-config and --jdm-export" >&2; exit 2
fi

TMP="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT

start_jdm() { # $1: directory, rest: extra host flags
  local d="$1"; shift
  mkdir -p "$d"
  "$ROOT/jdm" --socket "$d/gate.sock" host --state-dir "$d/state" --nbd-socket "$d/nbd.sock" --nbd-tcp off "$@" >"$d/host.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 600); do grep -q '^next:' "$d/host.log" 2>/dev/null && return 0; sleep 0.1; done
  cat "$d/host.log" >&2; echo "nbd-vs-nbdkit: jdm host did not start" >&2; exit 1
}
start_nbdkit() { # $1: socket, rest: plugin and its arguments
  local s="$1"; shift
  nbdkit --foreground --unix "$s" --exit-with-parent "$@" &
  PIDS+=($!)
  for _ in $(seq 100); do [ -S "$s" ] && return 0; sleep 0.1; done
  echo "nbd-vs-nbdkit: nbdkit did not start" >&2; exit 1
}

# name rw bs iodepth
WORKLOADS=("4k-randread-qd16 randread 4k 16" "4k-randwrite-qd16 randwrite 4k 16"
           "1M-seqread-qd4 read 1M 4" "1M-seqwrite-qd4 write 1M 4")

fio_run() { # $1 uri, $2 rw, $3 bs, $4 qd -> prints "iops bw_MiB/s"
  fio --name=b --ioengine=nbd --uri="$1" --rw="$2" --bs="$3" --iodepth="$4" --size="$SIZE" \
      --time_based --runtime="$RUNTIME" --ramp_time=1 --output-format=json 2>/dev/null |
    python3 -c 'import json,sys
t=sys.stdin.read()
j=json.loads(t[t.index("{"):])["jobs"][0]  # the nbd engine prints a line before the JSON
r=j["read"] if j["read"]["io_bytes"] > 0 else j["write"]
print("%.0f %.1f" % (r["iops"], r["bw"]/1024))'
}
fill() { # allocate every page so reads read data, not holes
  fio --name=fill --ioengine=nbd --uri="$1" --rw=write --bs=1M --iodepth=4 --size="$SIZE" >/dev/null 2>&1
}

compare() { # $1 label, $2 jdm uri, $3 nbdkit uri
  fill "$2"; fill "$3"
  for w in "${WORKLOADS[@]}"; do
    set -- "$1" "$2" "$3" $w
    read -r ji jb < <(fio_run "$2" "$5" "$6" "$7")
    read -r ni nb < <(fio_run "$3" "$5" "$6" "$7")
    python3 - "$1" "$4" "$ji" "$jb" "$ni" "$nb" <<'PY'
import sys
label, w, ji, jb, ni, nb = sys.argv[1], sys.argv[2], *map(float, sys.argv[3:])
print("%-7s %-18s %10.0f %9.1f %10.0f %9.1f %7.2f" % (label, w, ji, jb, ni, nb, ji / ni if ni else float("nan")))
PY
  done
}

printf '%-7s %-18s %10s %9s %10s %9s %7s\n' backing workload "jdm IOPS" "jdm MiB/s" "kit IOPS" "kit MiB/s" ratio
start_jdm "$TMP/jdm" --nbd-memory "bench:$SIZE"
start_nbdkit "$TMP/kit.sock" memory "$SIZE"
compare memory "nbd+unix:///bench?socket=$TMP/jdm/nbd.sock" "nbd+unix:///?socket=$TMP/kit.sock"

if [ -n "$FILE" ]; then
  start_jdm "$TMP/jdmf" --config "$JDM_CONFIG"
  start_nbdkit "$TMP/kitf.sock" file "$FILE"
  compare file "nbd+unix:///$JDM_EXPORT?socket=$TMP/jdmf/nbd.sock" "nbd+unix:///?socket=$TMP/kitf.sock"
fi
echo "fio $(fio --version) nbd engine, $RUNTIME s per row after 1 s ramp, size $SIZE, Unix sockets; ratio = jdm IOPS / nbdkit IOPS"
