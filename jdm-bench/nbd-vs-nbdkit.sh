#!/usr/bin/env bash
# Benchmarks jdm's NBD server against nbdkit in the same run, with fio's nbd engine (libnbd) over
# Unix sockets, and prints each workload with the jdm/nbdkit ratio (higher is better for jdm).
#
#   jdm-bench/nbd-vs-nbdkit.sh [--runtime SEC] [--rounds N] [--size SIZE] [--dir DIR] [--tls]
#     every row is measured in N rounds (default 3), the side that goes first alternating; the
#     IOPS columns are medians over the rounds and the ratio is the median of the rounds' ratios
#     ramdisk rows:  the ramdisk LU (through the block layer and the default security stack)
#                    vs nbdkit's memory plugin
#     filedisk rows: a filedisk LU on a file in DIR (default /var/tmp) vs nbdkit's file plugin on
#                    a file of the same size beside it, both through the page cache (see below)
#     --tls:         both over TCP on 127.0.0.1 with TLS 1.3 required and client certificates
#                    verified (jdm --nbd-tls require --nbd-tls-verify-peer vs nbdkit --tls=require
#                    --tls-verify-peer), with the same certificates, made here with certtool; each
#                    side first runs every workload for 3 s, so that the JVM's TLS path is compiled
# Both sides are exported whole; fio works from offset 1 MiB so that jdm's boot-area guard
# (writes below 0x10000 refused) never fires, and the same range is used for nbdkit.
#
# Needs: fio (with the nbd engine), nbdkit, python3. Uses ./jdm (builds on first use).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH=nbd-vs-nbdkit BENCH_TLS=1
. "$ROOT/jdm-bench/nbd-bench-lib.sh"
TOOLS=nbdkit
for a in "$@"; do [ "$a" = --tls ] && TOOLS="nbdkit certtool"; done
bench_args "$@"

TMP="$(mktemp -d)"
FILES="$(mktemp -d "$DIR/jdm-nbd-bench.XXXXXX")"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$TMP" "$FILES"; }
trap cleanup EXIT

certs() { # a CA, a server certificate for 127.0.0.1 and a client certificate, in the qemu/nbdkit layout
  local c="$TMP/certs"
  mkdir -p "$c/server" "$c/client"
  cert() { certtool "$@" >/dev/null 2>&1 || { echo "nbd-vs-nbdkit: certtool $* failed" >&2; exit 1; }; }
  cert --generate-privkey --outfile "$c/ca-key.pem"
  printf 'cn = "nbd bench CA"\nca\ncert_signing_key\nexpiration_days = 2\n' > "$c/ca.info"
  cert --generate-self-signed --load-privkey "$c/ca-key.pem" --template "$c/ca.info" --outfile "$c/server/ca-cert.pem"
  cp "$c/server/ca-cert.pem" "$c/client/ca-cert.pem"
  printf 'cn = "localhost"\nip_address = "127.0.0.1"\ntls_www_server\nsigning_key\nencryption_key\nexpiration_days = 2\n' > "$c/s.info"
  printf 'cn = "bench"\ntls_www_client\nsigning_key\nencryption_key\nexpiration_days = 2\n' > "$c/c.info"
  for w in server:s client:c; do
    cert --generate-privkey --outfile "$c/${w%%:*}/${w%%:*}-key.pem"
    cert --generate-certificate --load-privkey "$c/${w%%:*}/${w%%:*}-key.pem" --load-ca-certificate "$c/server/ca-cert.pem" \
      --load-ca-privkey "$c/ca-key.pem" --template "$c/${w##*:}.info" --outfile "$c/${w%%:*}/${w%%:*}-cert.pem"
  done
  mkdir -p "$TMP/home/.pki"
  cp -r "$c/client" "$TMP/home/.pki/libnbd"
  chmod -R a+rX "$TMP"
}
# fio's nbd engine cannot pass tls-certificates (libnbd refuses local file access from its URI), so
# fio finds the client certificates where libnbd looks by default for a user that is not root:
# $HOME/.pki/libnbd. It runs as nobody; the certificate's subject maps to nobody in the disk group.
FIO=(fio)
if [ "$TLS" = 1 ]; then
  command -v setpriv >/dev/null || { echo "nbd-vs-nbdkit: setpriv (util-linux) is not installed" >&2; exit 2; }
  FIO=(setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$TMP/home" fio)
fi
[ "$TLS" = 1 ] && certs

config() { # $1 file, rest: extra [[modules]] tables
  local f="$1"; shift
  { printf '[[modules]]\nname = "caps"\n[[modules]]\nname = "devacl"\n[[modules]]\nname = "audit"\n'
    printf '%s\n' "$@"
    if [ "$TLS" = 1 ]; then printf '[[nbd.tls.client]]\nsubject = "CN=bench"\nuid = 65534\ngid = 65534\ngroups = [6]\n'; fi; } > "$f"
}

printf '%-8s %-18s %10s %9s %10s %9s %7s\n' backing workload "jdm IOPS" "jdm MiB/s" "kit IOPS" "kit MiB/s" ratio
config "$TMP/ram.toml" '[[modules]]' 'name = "ramdisk"' "params = { size = \"$DEVICE_BYTES\" }" '[[nbd.export]]' 'device = "ram0"'
start_jdm "$TMP/jdm" --config "$TMP/ram.toml"
start_nbdkit "$TMP/kit.sock" memory "$DEVICE_BYTES"
compare ramdisk "$(jdm_uri "$TMP/jdm" ram0)" "$(kit_uri "$TMP/kit.sock")"

truncate -s "$DEVICE_BYTES" "$FILES/jdm.img" "$FILES/kit.img"
# Like with like: nbdkit's file plugin (1.32) reads and writes through the page cache and has no
# O_DIRECT mode, so the filedisk LU is told to use the page cache too (direct = "n"; its default,
# auto, bypasses the page cache where the file system allows O_DIRECT). Neither side syncs unless
# the client flushes or sets FUA, which fio does not here.
config "$TMP/file.toml" '[[modules]]' 'name = "filedisk"' "params = { backing = \"$FILES/jdm.img\", direct = \"n\" }" '[[nbd.export]]' 'device = "file0"'
start_jdm "$TMP/jdmf" --config "$TMP/file.toml"
start_nbdkit "$TMP/kitf.sock" file "$FILES/kit.img"
compare filedisk "$(jdm_uri "$TMP/jdmf" file0)" "$(kit_uri "$TMP/kitf.sock")"
TRANSPORT="Unix sockets"; [ "$TLS" = 1 ] && TRANSPORT="TCP on 127.0.0.1 with TLS 1.3 required and client certificates verified"
echo "$(run_shape), $TRANSPORT; ratio = jdm IOPS / nbdkit IOPS, target >= 1.10 on every row"
