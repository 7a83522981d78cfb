#!/usr/bin/env bash
# Times `jdm kmod depmod` (through the jdm launcher, as users run it) against kmod's `depmod -b` on
# two real Debian kernel trees, in one run, and prints the wall-time ratio for each:
#   - the 6.1 tree of plain .ko files that .ci/kmod-fixtures.sh extracts;
#   - a 6.12 tree of .ko.xz files (Debian's bookworm 6.12 kernel), fetched here with
#     `apt-get download` on first use and kept under the fixtures.
# Each of ROUNDS rounds runs both tools on both trees, alternating which goes first; the ratio is
# of the medians. Every index kmod writes is compared byte for byte with jdm's.
#   usage: jdm-bench/depmod-vs-kmod.sh [ROUNDS]      (default 5; build first: the jdm launcher
#          builds when sources changed, and trains the kmod AOT cache on the warm-up run)
# The machine should be otherwise idle: both tools are CPU-bound, and jdm uses every core.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HERE="$REPO/jdm-kmod"
ROUNDS="${1:-5}"
JDM="$REPO/jdm"
FIX="${JDM_KMOD_FIXTURES:-$HERE/target/kernel-fixtures}"
[ -f "$FIX/KVER" ] || { echo "no kernel fixtures in $FIX: run .ci/kmod-fixtures.sh" >&2; exit 1; }
command -v depmod >/dev/null || { echo "kmod's depmod is not installed (apt-get install kmod)" >&2; exit 1; }

# The .ko.xz tree: the newest 6.12 amd64 image apt offers, unpacked once.
XZ="$FIX/bench-xz"
if [ ! -f "$XZ/KVER" ]; then
  pkg="$(apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb[0-9]+-amd64-unsigned$' | awk '{print $1}' | sort -V | tail -1)"
  [ -n "$pkg" ] || { echo "apt offers no linux-image-6.12.*-amd64-unsigned (bookworm-backports or -security); run apt-get update" >&2; exit 1; }
  echo "fetching $pkg for the .ko.xz tree…" >&2
  rm -rf "$XZ" && mkdir -p "$XZ/deb"
  (cd "$XZ/deb" && apt-get download -qq "$pkg" 2>/dev/null)
  dpkg -x "$XZ"/deb/*.deb "$XZ/root"
  rm -rf "$XZ/deb"
  ls "$XZ/root/lib/modules" | head -1 > "$XZ/KVER"
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
now() { date +%s%N; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

names=(plain xz)
roots=("$FIX/root" "$XZ/root")
kvers=("$(cat "$FIX/KVER")" "$(cat "$XZ/KVER")")
declare -A kmod_ms jdm_ms

kmod_run() { # $1 = tree index; depmod writes in place: give it a symlink farm of the tree
  local k="${kvers[$1]}" farm="$WORK/kmod$1"
  rm -rf "$farm" && mkdir -p "$farm/lib/modules"
  cp -as "${roots[$1]}/lib/modules/$k" "$farm/lib/modules/$k"
  local t0 t1; t0=$(now); depmod -b "$farm" "$k"; t1=$(now)
  kmod_ms[$1]+=" $(( (t1 - t0) / 1000000 ))"
}
jdm_run() {
  local k="${kvers[$1]}" t0 t1
  t0=$(now); "$JDM" kmod depmod -b "${roots[$1]}" -o "$WORK/jdm$1" "$k"; t1=$(now)
  jdm_ms[$1]+=" $(( (t1 - t0) / 1000000 ))"
}

# Warm-up, not timed: page cache, and the launcher's first kmod run (which writes its AOT cache).
for i in 0 1; do
  "$JDM" kmod depmod -b "${roots[$i]}" -o "$WORK/warm$i" "${kvers[$i]}" >/dev/null
  kmod_run "$i"; kmod_ms[$i]=""
done
for ((r = 0; r < ROUNDS; r++)); do
  for i in 0 1; do
    if (( r % 2 == 0 )); then kmod_run "$i"; jdm_run "$i"; else jdm_run "$i"; kmod_run "$i"; fi
  done
done

echo "$(nproc) CPUs, kmod $(depmod -V | head -1 | awk '{print $3}'), $ROUNDS alternating rounds, medians"
for i in 0 1; do
  k="${kvers[$i]}"
  for f in "$WORK/kmod$i/lib/modules/$k"/modules.*; do
    b="$(basename "$f")"
    case "$b" in modules.order|modules.builtin|modules.builtin.modinfo) continue ;; esac
    cmp -s "$f" "$WORK/jdm$i/lib/modules/$k/$b" || { echo "MISMATCH in $b of $k" >&2; exit 1; }
  done
  n="$(find "${roots[$i]}/lib/modules/$k" -name '*.ko*' | wc -l)"
  K=$(printf '%s\n' ${kmod_ms[$i]} | median)
  J=$(printf '%s\n' ${jdm_ms[$i]} | median)
  echo "${names[$i]} tree $k ($n modules): kmod depmod ${K} ms (${kmod_ms[$i]# }), jdm kmod depmod ${J} ms (${jdm_ms[$i]# }), outputs identical"
  awk -v j="$J" -v k="$K" -v t="${names[$i]}" 'BEGIN { printf "ratio jdm/kmod %s: %.2fx (target <= 0.70x)\n", t, j / k }'
done
