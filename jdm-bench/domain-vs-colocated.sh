#!/usr/bin/env bash
# The same driver modules colocated and in an isolated domain, in the same run, with fio's nbd engine
# over Unix sockets; prints each workload with the isolated/colocated ratio (targets: >= 0.7 on 4k
# random I/O, >= 0.9 on 1M sequential).
#
#   jdm-bench/domain-vs-colocated.sh [--runtime SEC] [--rounds N] [--size SIZE] [--dir DIR]
#     ramdisk rows:  a ramdisk LU in each of two hosts, one colocated, one in domain "bench"
#     filedisk rows: a filedisk LU on a file in DIR (default /var/tmp) in each, through the page cache
# Rows, rounds and medians as in nbd-vs-nbdkit.sh (nbd-bench-lib.sh); the "jdm" side of each row is
# the isolated host, the other side the colocated one.
#
# Needs: fio (with the nbd engine), python3. Uses ./jdm (builds on first use).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH=domain-vs-colocated
. "$ROOT/jdm-bench/nbd-bench-lib.sh"
TOOLS="" bench_args "$@"

TMP="$(mktemp -d)"
FILES="$(mktemp -d "$DIR/jdm-domain-bench.XXXXXX")"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$TMP" "$FILES"; }
trap cleanup EXIT
FIO=(fio)

"$ROOT/jdm" --version >/dev/null # builds if needed, before anything is timed
truncate -s "$DEVICE_BYTES" "$FILES/iso.img" "$FILES/col.img"
printf 'modules = []\n' > "$TMP/host.toml"
start_jdm "$TMP/iso" --config "$TMP/host.toml"
start_jdm "$TMP/col" --config "$TMP/host.toml"
jdm() { local d="$1"; shift; "$ROOT/jdm" --socket "$TMP/$d/gate.sock" "$@" >/dev/null; }
MODULES="$ROOT/jdm-cli/target/modules"
# ramdisk keeps its data in the domain's memory: recovery=fail, as a restart would lose it
jdm iso insmod --domain isolated:bench "$MODULES/ramdisk.jar" "size=$DEVICE_BYTES" recovery=fail
jdm col insmod "$MODULES/ramdisk.jar" "size=$DEVICE_BYTES"
jdm iso insmod --domain isolated:bench "$MODULES/filedisk.jar" "backing=$FILES/iso.img" name=file0 direct=n
jdm col insmod "$MODULES/filedisk.jar" "backing=$FILES/col.img" name=file0 direct=n
for h in iso col; do jdm "$h" export add ram0; jdm "$h" export add file0; done

printf '%-8s %-18s %10s %9s %10s %9s %7s\n' driver workload "iso IOPS" "iso MiB/s" "col IOPS" "col MiB/s" ratio
compare ramdisk "$(jdm_uri "$TMP/iso" ram0)" "$(jdm_uri "$TMP/col" ram0)"
compare filedisk "$(jdm_uri "$TMP/iso" file0)" "$(jdm_uri "$TMP/col" file0)"
echo "$(run_shape), Unix sockets; ratio = isolated IOPS / colocated IOPS; targets >= 0.70 (4k random), >= 0.90 (1M sequential)"
