#!/usr/bin/env bash
# The same nbdkit plugin binaries under jdm, in an isolated domain (the dde-nbdkit module), and
# under nbdkit itself, in the same run, with fio's nbd engine over Unix sockets; prints each
# workload with the jdm/nbdkit ratio (higher is better for jdm; target >= 0.8 on every row).
#
#   jdm-bench/dde-vs-nbdkit.sh [--runtime SEC] [--rounds N] [--size SIZE] [--dir DIR]
#     memory rows: Debian's memory plugin, in domain "kitm" (recovery=fail: its data lives there)
#     file rows:   Debian's file plugin on a file in DIR (default /var/tmp), in domain "kitf", which
#                  a domain-wide [[grant]] rule lets open that directory itself; nbdkit's file plugin
#                  on a file of the same size beside it. Both through the page cache.
# Rows, rounds and medians as in nbd-vs-nbdkit.sh (nbd-bench-lib.sh).
#
# Needs: fio (with the nbd engine), nbdkit, python3. Uses ./jdm (builds on first use).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH=dde-vs-nbdkit
. "$ROOT/jdm-bench/nbd-bench-lib.sh"
TOOLS="nbdkit" bench_args "$@"
PLUGINS=/usr/lib/x86_64-linux-gnu/nbdkit/plugins
JAR="$ROOT/jdm-cli/target/modules/dde-nbdkit.jar"

TMP="$(mktemp -d)"
FILES="$(mktemp -d "$DIR/jdm-dde-bench.XXXXXX")"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$TMP" "$FILES"; }
trap cleanup EXIT
FIO=(fio)

"$ROOT/jdm" --version >/dev/null # builds if needed, before anything is timed
[ -f "$JAR" ] || { echo "dde-vs-nbdkit: $JAR is missing (build jdm-cli)" >&2; exit 2; }
# The domain runs as nobody when the host is root: it must be able to enter DIR's directory and
# write the file, which the domain-wide rule below lets it open.
chmod 0777 "$FILES"
truncate -s "$DEVICE_BYTES" "$FILES/jdm.img" "$FILES/kit.img"
chmod 0666 "$FILES/jdm.img"
cat > "$TMP/host.toml" <<TOML
modules = []
[[grant]]
module = "dde-nbdkit"
path = "/usr/lib/x86_64-linux-gnu"
[[grant]]
domain = "isolated:kitf"
path = "$FILES"
access = "rw"
TOML
# one host per plugin: a host loads a module once (the two domains would hold one module each)
start_jdm "$TMP/jdmm" --config "$TMP/host.toml"
start_jdm "$TMP/jdmf" --config "$TMP/host.toml"
jdm() { local d="$1"; shift; "$ROOT/jdm" --socket "$TMP/$d/gate.sock" "$@"; }
jdm jdmm insmod --domain isolated:kitm "$JAR" plugin=memory "config=size=$DEVICE_BYTES" name=kitm0 recovery=fail >/dev/null
jdm jdmm export add kitm0 >/dev/null
jdm jdmf insmod --domain isolated:kitf "$JAR" plugin=file "config=file=$FILES/jdm.img" name=kitf0 >/dev/null
jdm jdmf export add kitf0 >/dev/null
start_nbdkit "$TMP/kitm.sock" "$PLUGINS/nbdkit-memory-plugin.so" "size=$DEVICE_BYTES"
start_nbdkit "$TMP/kitf.sock" "$PLUGINS/nbdkit-file-plugin.so" "file=$FILES/kit.img"

printf '%-8s %-18s %10s %9s %10s %9s %7s\n' plugin workload "jdm IOPS" "jdm MiB/s" "kit IOPS" "kit MiB/s" ratio
compare memory "$(jdm_uri "$TMP/jdmm" kitm0)" "$(kit_uri "$TMP/kitm.sock")"
compare file "$(jdm_uri "$TMP/jdmf" kitf0)" "$(kit_uri "$TMP/kitf.sock")"
jdm jdmm domain ls
jdm jdmf domain ls | tail -n +2
echo "$(run_shape), Unix sockets; jdm: the plugin in an isolated domain behind the block layer and jdm's NBD server; ratio = jdm IOPS / nbdkit IOPS, target >= 0.80 on every row"
