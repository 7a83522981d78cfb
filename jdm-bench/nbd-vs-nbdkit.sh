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
RUNTIME=10 SIZE=1G DIR=/var/tmp TLS=0 ROUNDS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --tls) TLS=1; shift ;;
    --runtime) RUNTIME="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --size) SIZE="$2"; shift 2 ;;
    --dir) DIR="$2"; shift 2 ;;
    *) echo "nbd-vs-nbdkit: unknown argument $1" >&2; exit 2 ;;
  esac
done
OFFSET=$((1 << 20))
DEVICE_BYTES=$(( $(numfmt --from=iec "$SIZE") + OFFSET ))
TOOLS="fio nbdkit python3"; [ "$TLS" = 1 ] && TOOLS="$TOOLS certtool"
for t in $TOOLS; do
  command -v "$t" >/dev/null || { echo "nbd-vs-nbdkit: $t is not installed" >&2; exit 2; }
done
fio --enghelp | grep -qw nbd || { echo "nbd-vs-nbdkit: this fio has no nbd engine" >&2; exit 2; }

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
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
[ "$TLS" = 1 ] && certs

start_jdm() { # $1: directory, rest: extra host flags
  local d="$1"; shift
  mkdir -p "$d"
  local tcp=(--nbd-tcp off)
  [ "$TLS" = 1 ] && tcp=(--nbd-tcp "127.0.0.1:$(free_port)" --nbd-tls require --nbd-tls-certificates "$TMP/certs/server" --nbd-tls-verify-peer)
  "$ROOT/jdm" --socket "$d/gate.sock" host --state-dir "$d/state" --nbd-socket "$d/nbd.sock" "${tcp[@]}" "$@" >"$d/host.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 600); do grep -q '^next:' "$d/host.log" 2>/dev/null && return 0; sleep 0.1; done
  cat "$d/host.log" >&2; echo "nbd-vs-nbdkit: jdm host did not start" >&2; exit 1
}
start_nbdkit() { # $1: socket (or, with --tls, a file to write the port to), rest: plugin and its arguments
  local s="$1"; shift
  if [ "$TLS" = 1 ]; then
    local port; port="$(free_port)"
    nbdkit --foreground --ipaddr 127.0.0.1 --port "$port" --tls=require --tls-certificates="$TMP/certs/server" --tls-verify-peer \
      --exit-with-parent "$@" &
    PIDS+=($!)
    echo "$port" > "$s"
    for _ in $(seq 100); do ss -Hltn "sport = :$port" | grep -q . && return 0; sleep 0.1; done
  else
    nbdkit --foreground --unix "$s" --exit-with-parent "$@" &
    PIDS+=($!)
    for _ in $(seq 100); do [ -S "$s" ] && return 0; sleep 0.1; done
  fi
  echo "nbd-vs-nbdkit: nbdkit did not start" >&2; exit 1
}
jdm_uri() { # $1: host directory, $2: export
  if [ "$TLS" = 1 ]; then
    echo "$(grep -o 'nbds://127.0.0.1:[0-9]*/' "$1/host.log" | head -1)$2"
  else
    echo "nbd+unix:///$2?socket=$1/nbd.sock"
  fi
}
kit_uri() { # $1: socket or port file
  if [ "$TLS" = 1 ]; then echo "nbds://127.0.0.1:$(cat "$1")/"; else echo "nbd+unix:///?socket=$1"; fi
}

# name rw bs iodepth
WORKLOADS=("4k-randread-qd16 randread 4k 16" "4k-randwrite-qd16 randwrite 4k 16"
           "1M-seqread-qd4 read 1M 4" "1M-seqwrite-qd4 write 1M 4")

fio_run() { # $1 uri, $2 rw, $3 bs, $4 qd -> prints "iops bw_MiB/s"
  "${FIO[@]}" --name=b --ioengine=nbd --uri="$1" --rw="$2" --bs="$3" --iodepth="$4" --offset="$OFFSET" --size="$SIZE" \
      --time_based --runtime="$RUNTIME" --ramp_time=1 --output-format=json 2>/dev/null |
    python3 -c 'import json,sys
t=sys.stdin.read()
j=json.loads(t[t.index("{"):])["jobs"][0]  # the nbd engine prints a line before the JSON
r=j["read"] if j["read"]["io_bytes"] > 0 else j["write"]
print("%.0f %.1f" % (r["iops"], r["bw"]/1024))'
}
fill() { # allocate every page so reads read data, not holes
  "${FIO[@]}" --name=fill --ioengine=nbd --uri="$1" --rw=write --bs=1M --iodepth=4 --offset="$OFFSET" --size="$SIZE" >/dev/null 2>&1
}

warm() { # $1 uri: each workload briefly, so that a JIT has compiled the TLS path before it is measured
  for w in "${WORKLOADS[@]}"; do
    set -- "$1" $w
    "${FIO[@]}" --name=warm --ioengine=nbd --uri="$1" --rw="$3" --bs="$4" --iodepth="$5" --offset="$OFFSET" --size="$SIZE" \
      --time_based --runtime=3 >/dev/null 2>&1
  done
}

compare() { # $1 label, $2 jdm uri, $3 nbdkit uri
  local label="$1" juri="$2" kuri="$3" r w name rw bs qd ji jb ni nb
  fill "$juri"; fill "$kuri"
  if [ "$TLS" = 1 ]; then warm "$juri"; warm "$kuri"; fi # both sides alike; nbdkit's gnutls needs no warming but gets the same
  local -A jiops jbw kiops kbw ratios
  # Rounds outside, rows inside, and which side goes first alternating: a burst of load elsewhere
  # on the machine then spoils one round of several rows, not every round of one row.
  for ((r = 0; r < ROUNDS; r++)); do
    for w in "${WORKLOADS[@]}"; do
      read -r name rw bs qd <<<"$w"
      if (( r % 2 == 0 )); then read -r ji jb < <(fio_run "$juri" "$rw" "$bs" "$qd"); fi
      read -r ni nb < <(fio_run "$kuri" "$rw" "$bs" "$qd")
      if (( r % 2 == 1 )); then read -r ji jb < <(fio_run "$juri" "$rw" "$bs" "$qd"); fi
      jiops[$name]+=" $ji"; jbw[$name]+=" $jb"; kiops[$name]+=" $ni"; kbw[$name]+=" $nb"
      ratios[$name]+=" $(awk -v j="$ji" -v k="$ni" 'BEGIN { printf "%.3f", (k > 0 ? j / k : 0) }')"
    done
  done
  for w in "${WORKLOADS[@]}"; do
    read -r name rw bs qd <<<"$w"
    python3 - "$label" "$name" "${jiops[$name]}" "${jbw[$name]}" "${kiops[$name]}" "${kbw[$name]}" "${ratios[$name]}" <<'PY'
import statistics, sys
label, w = sys.argv[1], sys.argv[2]
ji, jb, ni, nb, ratios = ([float(x) for x in a.split()] for a in sys.argv[3:])
med = statistics.median
print("%-8s %-18s %10.0f %9.1f %10.0f %9.1f %7.2f   (rounds: %s)" % (label, w, med(ji), med(jb), med(ni), med(nb), med(ratios),
      " ".join("%.2f" % r for r in ratios)))
PY
  done
}

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
echo "fio $(fio --version) nbd engine, $RUNTIME s per row after 1 s ramp, $ROUNDS alternating rounds (medians), $SIZE from offset 1 MiB, $TRANSPORT; ratio = jdm IOPS / nbdkit IOPS, target >= 1.10 on every row"
