# Shared by the fio-over-NBD benchmarks (nbd-vs-nbdkit.sh, dde-vs-nbdkit.sh, domain-vs-colocated.sh):
# their options, starting a jdm host and nbdkit, the four fio rows, and the comparison that prints
# medians and ratios. The sourcing script sets ROOT and BENCH (its name, for messages), calls
# bench_args "$@", then sets TMP, PIDS and FIO before it starts anything.

# --runtime SEC --rounds N --size SIZE --dir DIR, and --tls where BENCH_TLS=1; sets OFFSET and
# DEVICE_BYTES, and checks that fio (with its nbd engine), python3 and the extra TOOLS are there.
bench_args() {
  RUNTIME=10 SIZE=1G DIR=/var/tmp TLS=0 ROUNDS=3
  while [ $# -gt 0 ]; do
    case "$1" in
      --tls) [ "${BENCH_TLS:-0}" = 1 ] || { echo "$BENCH: unknown argument $1" >&2; exit 2; }; TLS=1; shift ;;
      --runtime) RUNTIME="$2"; shift 2 ;;
      --rounds) ROUNDS="$2"; shift 2 ;;
      --size) SIZE="$2"; shift 2 ;;
      --dir) DIR="$2"; shift 2 ;;
      *) echo "$BENCH: unknown argument $1" >&2; exit 2 ;;
    esac
  done
  OFFSET=$((1 << 20))
  DEVICE_BYTES=$(( $(numfmt --from=iec "$SIZE") + OFFSET ))
  local t
  for t in fio python3 ${TOOLS:-}; do
    command -v "$t" >/dev/null || { echo "$BENCH: $t is not installed" >&2; exit 2; }
  done
  fio --enghelp | grep -qw nbd || { echo "$BENCH: this fio has no nbd engine" >&2; exit 2; }
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
start_jdm() { # $1: directory, rest: extra host flags
  local d="$1"; shift
  mkdir -p "$d"
  local tcp=(--nbd-tcp off)
  [ "$TLS" = 1 ] && tcp=(--nbd-tcp "127.0.0.1:$(free_port)" --nbd-tls require --nbd-tls-certificates "$TMP/certs/server" --nbd-tls-verify-peer)
  "$ROOT/jdm" --socket "$d/gate.sock" host --state-dir "$d/state" --nbd-socket "$d/nbd.sock" "${tcp[@]}" "$@" >"$d/host.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 600); do grep -q '^next:' "$d/host.log" 2>/dev/null && return 0; sleep 0.1; done
  cat "$d/host.log" >&2; echo "$BENCH: jdm host did not start" >&2; exit 1
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
  echo "$BENCH: nbdkit did not start" >&2; exit 1
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

WARM_SECONDS=3
# $1 uri: each workload for WARM_SECONDS, unmeasured, so that what is measured is the steady
# state: a JVM (the host's, and an isolated domain's of its own) compiles each workload's path in
# its first seconds, and a 1 s ramp is not enough for that: without it the first round of a 4k row
# could run well below the rounds after it.
warm() {
  for w in "${WORKLOADS[@]}"; do
    set -- "$1" $w
    "${FIO[@]}" --name=warm --ioengine=nbd --uri="$1" --rw="$3" --bs="$4" --iodepth="$5" --offset="$OFFSET" --size="$SIZE" \
      --time_based --runtime="$WARM_SECONDS" >/dev/null 2>&1
  done
}

run_shape() { # how the rows were run, for each script's summary line
  echo "fio $(fio --version) nbd engine, $RUNTIME s per row after a $WARM_SECONDS s unmeasured warm-up of each workload on each side and a 1 s ramp, $ROUNDS alternating rounds (medians), $SIZE from offset 1 MiB"
}

compare() { # $1 label, $2 jdm uri, $3 nbdkit uri
  local label="$1" juri="$2" kuri="$3" r w name rw bs qd ji jb ni nb
  fill "$juri"; fill "$kuri"
  warm "$juri"; warm "$kuri" # both sides alike: nbdkit (or a colocated host) gets the same, needed or not
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

