#!/usr/bin/env bash
# Soak: every hostile probe at once against one host (gate, NBD, a stuck driver, churn, verified I/O), then the host's resources.
#
#   jdm-bench/soak.sh [--minutes N]     (default 10)
#
# Runs together, for N minutes:
#   - hostile gate clients: bursts of connections that announce 64 MiB frames and send one byte,
#     and idle connections (they must be refused, bounded and timed out, never OOM the host);
#   - hostile NBD clients: sessions that send a 32 MiB WRITE header and one byte, and idle ones;
#   - a stuck driver: faultdisk with stall=, whose requests never complete; a client reads there
#     over NBD again and again and must get an error reply (the host's request timeout), never a hang;
#   - module churn: insmod/rmmod of the bundled hello module in a loop;
#   - verified traffic: fio (nbd engine, verify=crc32c) on the ramdisk export.
# Every second it samples the host's RSS, threads and open files from /proc. At the end it prints
# verified I/O, fio verify errors, OutOfMemoryErrors in the host's output, peak RSS and threads,
# and threads and fds before and after (after the hostile clients are gone: they must come back).
#
# Needs: fio with the nbd engine, python3. Uses ./jdm (builds on first use).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MINUTES=10
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) MINUTES="$2"; shift 2 ;;
    *) echo "soak: unknown argument $1" >&2; exit 2 ;;
  esac
done
for t in fio python3; do command -v "$t" >/dev/null || { echo "soak: $t is not installed" >&2; exit 2; }; done
fio --enghelp | grep -qw nbd || { echo "soak: this fio has no nbd engine" >&2; exit 2; }
SECONDS_TOTAL=$((MINUTES * 60))
D="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$D"; }
trap cleanup EXIT
"$ROOT/jdm" --version >/dev/null   # builds if needed, once, before anything runs
export JDM_SKIP_BUILD=1            # and never again while the soak runs
JDM=("$ROOT/jdm" --socket "$D/gate.sock")

"${JDM[@]}" host --state-dir "$D/state" --nbd-socket "$D/nbd.sock" --nbd-tcp off >"$D/host.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 600); do grep -q '^next:' "$D/host.log" 2>/dev/null && break; sleep 0.1; done
HOST=$(pgrep -f -n -- "--state-dir $D/state" || true)
[ -n "$HOST" ] || { cat "$D/host.log" >&2; echo "soak: the host did not start" >&2; exit 1; }
# the embedded defaults export ram0 already; a host configured otherwise gets it added
"${JDM[@]}" export ls | grep -qw ram0 || "${JDM[@]}" export add ram0 >/dev/null
# the stuck driver: requests in [1M, 2M) of stuck0 are never completed by faultdisk
"${JDM[@]}" sysctl -w blk.request_timeout_ms=2000 >/dev/null
"${JDM[@]}" insmod "$ROOT/jdm-cli/target/modules/faultdisk.jar" name=stuck0 size=16M stall=1M+1M >/dev/null
"${JDM[@]}" export add stuck0 >/dev/null

sample() { # rss_kib threads fds
  echo "$(awk '/VmRSS/ {print $2}' /proc/"$HOST"/status) $(ls /proc/"$HOST"/task | wc -l) $(ls /proc/"$HOST"/fd | wc -l)"
}
# one NBD session first: its idle-timeout thread starts with the first session and stays, so the
# baseline includes it and "after" can be compared with "before" thread for thread
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.recv(18); s.close()' "$D/nbd.sock"
sleep 1
read -r _ THREADS0 FDS0 < <(sample)

python3 - "$D/gate.sock" "$D/nbd.sock" "$SECONDS_TOTAL" >"$D/hostile.log" 2>&1 <<'PY' &
import socket, struct, sys, time
gate, nbd, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3])
end = time.time() + seconds
refused = held = 0
def unix(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.settimeout(5); s.connect(path); return s
def go(s, name):  # newstyle handshake to NBD_OPT_GO, asking for the block size (the server requires it); True once open
    recvn(s, 18); s.sendall(struct.pack(">I", 3))
    data = struct.pack(">I", len(name)) + name + struct.pack(">HH", 1, 3)
    s.sendall(struct.pack(">QII", 0x49484156454F5054, 7, len(data)) + data)
    while True:  # option replies up to the ACK
        magic, opt, typ, length = struct.unpack(">QIII", recvn(s, 20)); recvn(s, length)
        if typ == 1 or typ & 0x80000000: return typ == 1
def recvn(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c: raise OSError("closed")
        b += c
    return b
stuck_answered = stuck_hung = writes_held = 0
while time.time() < end:
    batch = []
    for _ in range(40):  # gate: announce 64 MiB, send one byte; and idle sockets
        try:
            s = unix(gate); s.sendall(struct.pack(">I", 64 << 20) + b"\x08"); batch.append(s); held += 1
        except OSError:
            refused += 1
    for _ in range(8):  # NBD: to GO on ram0, then a 32 MiB WRITE header and one byte
        try:
            s = unix(nbd)
            if go(s, b"ram0"):
                s.sendall(struct.pack(">IHHQQI", 0x25609513, 0, 1, 1, 1 << 20, 32 << 20) + b"\x00"); batch.append(s); held += 1; writes_held += 1
            else:
                s.close(); refused += 1
        except OSError:
            refused += 1
    try:  # the stuck driver: a read it never completes gets an error reply from the host's timeout
        s = unix(nbd); s.settimeout(10)
        if go(s, b"stuck0"):
            s.sendall(struct.pack(">IHHQQI", 0x25609513, 0, 0, 7, 1 << 20, 4096))
            magic, err, handle = struct.unpack(">IIQ", recvn(s, 16))
            if err != 0: stuck_answered += 1
        s.close()
    except OSError:
        stuck_hung += 1
    time.sleep(2)
    for s in batch:
        s.close()
print(f"hostile connections made {held} ({writes_held} NBD sessions holding a 32 MiB WRITE open), refused {refused}")
print(f"stuck-driver reads answered with an error {stuck_answered}, hung or failed {stuck_hung}")
PY
PIDS+=($!)

( end=$((SECONDS + SECONDS_TOTAL)); n=0
  while [ $SECONDS -lt $end ]; do
    "${JDM[@]}" modprobe hello >/dev/null 2>&1 || true; "${JDM[@]}" rmmod hello >/dev/null 2>&1 || true; n=$((n + 1))
  done; echo "module churn cycles $n" ) >"$D/churn.log" 2>&1 &
PIDS+=($!)

fio --name=soak --ioengine=nbd --uri="nbd+unix:///ram0?socket=$D/nbd.sock" --rw=randrw --bs=4k-256k --iodepth=8 \
  --offset=1M --size=192M --time_based --runtime="$SECONDS_TOTAL" --verify=crc32c --verify_fatal=0 --do_verify=1 --verify_state_save=0 \
  --output-format=terse --terse-version=3 >"$D/fio.out" 2>"$D/fio.err" &
FIO=$!

PEAK_RSS=0 PEAK_THREADS=0
while kill -0 "$FIO" 2>/dev/null; do
  read -r rss th _ < <(sample)
  [ "$rss" -gt "$PEAK_RSS" ] && PEAK_RSS=$rss
  [ "$th" -gt "$PEAK_THREADS" ] && PEAK_THREADS=$th
  sleep 1
done
wait "$FIO" || true
wait "${PIDS[1]}" "${PIDS[2]}" 2>/dev/null || true
sleep 5 # idle and handshake deadlines close what the hostile clients left
read -r RSS1 THREADS1 FDS1 < <(sample)
# terse v3: field 5 is the error, 6 the KiB read, 47 the KiB written (fio prints a line of its own first)
FIO_ERR=$(grep '^3;' "$D/fio.out" | awk -F';' '{print $5}' | head -1)
READ_KIB=$(grep '^3;' "$D/fio.out" | awk -F';' '{print $6}' | head -1)
WRITE_KIB=$(grep '^3;' "$D/fio.out" | awk -F';' '{print $47}' | head -1)
VERIFY_ERRORS=$(grep -c -i 'verify' "$D/fio.err" || true)
OOMS=$(grep -c 'OutOfMemoryError' "$D/host.log" || true)
echo "soak ${MINUTES} min: verified fio read ${READ_KIB:-?} KiB, written ${WRITE_KIB:-?} KiB, fio error ${FIO_ERR:-?}, verify errors $VERIFY_ERRORS"
cat "$D/hostile.log" "$D/churn.log"
echo "host OutOfMemoryErrors $OOMS; peak RSS $((PEAK_RSS / 1024)) MiB, peak threads $PEAK_THREADS"
echo "threads before $THREADS0 after $THREADS1; fds before $FDS0 after $FDS1; RSS after $((RSS1 / 1024)) MiB"
