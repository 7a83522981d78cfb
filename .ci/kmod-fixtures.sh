#!/usr/bin/env bash
# Fetches a real Debian kernel (image + headers), extracts it, builds one tiny
# out-of-tree modversioned module against the headers, and records kmod's own
# output (modinfo, modprobe --show-modversions/--show-exports, depmod) as the
# reference that jdm-kmod's tests compare against byte for byte.
#
# Idempotent: a finished run leaves $FIX/.done and is skipped next time.
# Usage: bash .ci/kmod-fixtures.sh            (fixtures in jdm-kmod/target/kernel-fixtures)
#        JDM_KMOD_FIXTURES=/some/dir bash .ci/kmod-fixtures.sh
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FIX="${JDM_KMOD_FIXTURES:-$HERE/jdm-kmod/target/kernel-fixtures}"
FORMAT_VERSION=4   # bump when the layout below changes
mkdir -p "$FIX" && FIX="$(cd "$FIX" && pwd)"

if [[ -f "$FIX/.done" && "$(cat "$FIX/.done")" == "$FORMAT_VERSION" ]]; then
  echo "kmod fixtures already present in $FIX"
  exit 0
fi

need_install=()
for tool in modinfo depmod modprobe gcc make xz zstd dpkg-deb; do
  command -v "$tool" >/dev/null 2>&1 || need_install+=("$tool")
done
if ((${#need_install[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq kmod gcc make xz-utils zstd libc6-dev >/dev/null
fi

# The newest 6.1 ABI that apt actually offers, so this keeps working when Debian bumps it.
ABI="$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' \
        | awk '{print $1}' | sed -E 's/^linux-image-6\.1\.0-([0-9]+)-amd64$/\1/' | sort -n | tail -1)"
if [[ -z "$ABI" ]]; then
  echo "no linux-image-6.1.0-*-amd64 package is available from apt; run apt-get update" >&2
  exit 1
fi
KVER="6.1.0-${ABI}-amd64"
PKGS=("linux-image-$KVER" "linux-headers-$KVER" "linux-headers-6.1.0-${ABI}-common" "linux-kbuild-6.1")
echo "kmod fixtures: kernel $KVER into $FIX"

rm -rf "$FIX"
mkdir -p "$FIX/debs" "$FIX/root" "$FIX/ref"
# apt warns that it downloads unsandboxed as root; that is expected here.
(cd "$FIX/debs" && apt-get download -qq "${PKGS[@]}" 2>/dev/null)
for deb in "$FIX"/debs/*.deb; do dpkg -x "$deb" "$FIX/root"; done
echo "$KVER" > "$FIX/KVER"

MODDIR="$FIX/root/lib/modules/$KVER"
HDR="$FIX/root/usr/src/linux-headers-$KVER"
# The arch headers include the common Makefile by absolute path; point it into the fixture.
sed -i "s#^include /usr/src/#include $FIX/root/usr/src/#" "$HDR/Makefile"

# --- out-of-tree module, built with the Debian headers (modversioned) ---
OOT="$FIX/oot"
mkdir -p "$OOT"
cat > "$OOT/jdmhello.c" <<'EOF'
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/moduleparam.h>

static int answer = 42;
module_param(answer, int, 0444);
MODULE_PARM_DESC(answer, "The answer this module gives");

int jdmhello_answer(void) { return answer; }
EXPORT_SYMBOL_GPL(jdmhello_answer);
int jdmhello_question(void) { return 6 * 7; }
EXPORT_SYMBOL(jdmhello_question);

static int __init jdmhello_init(void) { pr_info("jdmhello: %d\n", answer); return 0; }
static void __exit jdmhello_exit(void) { }
module_init(jdmhello_init);
module_exit(jdmhello_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("jdm");
MODULE_DESCRIPTION("jdm out-of-tree test module");
MODULE_ALIAS("jdm-hello");
MODULE_SOFTDEP("pre: loop");
EOF
echo 'obj-m := jdmhello.o' > "$OOT/Kbuild"
make -s -C "$HDR" M="$OOT" modules 2>&1 | grep -v 'Skipping BTF' || true
test -f "$OOT/jdmhello.ko"

# --- a small compressed tree (.ko.xz and .ko.zst, as distributions ship them) ---
ZVER="${KVER}-z"
ZDIR="$FIX/root/lib/modules/$ZVER"
mkdir -p "$ZDIR"
cp "$MODDIR/modules.order" "$MODDIR/modules.builtin" "$MODDIR/modules.builtin.modinfo" "$ZDIR/"
(cd "$MODDIR" && find kernel/fs kernel/lib kernel/crypto -name '*.ko' -print0) |
  while IFS= read -r -d '' f; do mkdir -p "$ZDIR/$(dirname "$f")"; xz -T1 --check=crc32 --lzma2=dict=1MiB -c "$MODDIR/$f" > "$ZDIR/$f.xz"; done
(cd "$MODDIR" && find kernel/drivers/block -name '*.ko' -print0) |
  while IFS= read -r -d '' f; do mkdir -p "$ZDIR/$(dirname "$f")"; zstd -q -T1 -c "$MODDIR/$f" > "$ZDIR/$f.zst"; done
mkdir -p "$ZDIR/extra"
cp "$OOT/jdmhello.ko" "$ZDIR/extra/"
# gzip is not enabled in Debian's kmod, so .ko.gz is only checked against jdm's own .ko reading.
mkdir -p "$FIX/gz"
gzip -c "$MODDIR/kernel/fs/fat/fat.ko" > "$FIX/gz/fat.ko.gz"

# --- kmod's reference output ---
REF="$FIX/ref"
for ver in "$KVER" "$ZVER"; do
  dir="$FIX/root/lib/modules/$ver"
  depmod -b "$FIX/root" "$ver"
  mkdir -p "$REF/depmod/$ver"
  for f in "$dir"/modules.*; do
    case "$(basename "$f")" in
      modules.order|modules.builtin|modules.builtin.modinfo) ;;
      *) cp "$f" "$REF/depmod/$ver/" ;;
    esac
  done
  (cd "$dir" && find . -path ./build -prune -o -path ./source -prune -o \
      \( -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' \) -print | sed 's#^\./##' | LC_ALL=C sort) > "$REF/modules-$ver.list"
done

# One file per tool: "### <relpath>" then the tool's stdout for that module (stderr dropped).
record() { # $1 = output file, $2 = version, rest = command
  local out="$1" ver="$2"; shift 2
  local dir="$FIX/root/lib/modules/$ver"
  : > "$out"
  while IFS= read -r rel; do
    printf '### %s\n' "$rel" >> "$out"
    "$@" "$dir/$rel" >> "$out" 2>/dev/null || true
  done < "$REF/modules-$ver.list"
}
for ver in "$KVER" "$ZVER"; do
  record "$REF/modinfo-$ver.txt" "$ver" modinfo &
  record "$REF/modversions-$ver.txt" "$ver" modprobe --show-modversions &
  wait
  record "$REF/exports-$ver.txt" "$ver" modprobe --show-exports
done
modinfo "$OOT/jdmhello.ko" > "$REF/oot-modinfo.txt"
modprobe --show-modversions "$OOT/jdmhello.ko" > "$REF/oot-modversions.txt"
modprobe --show-exports "$OOT/jdmhello.ko" > "$REF/oot-exports.txt"
# Built-in modules through modules.builtin.modinfo (modinfo -b -k NAME).
for name in amd_uncore mmiotrace; do
  modinfo -b "$FIX/root" -k "$KVER" "$name" > "$REF/builtin-$name.txt" || true
done
kmod --version > "$REF/kmod-version.txt"

# --- weak-updates: a root with four kernels for `jdm kmod weak-updates` ---
# A = $KVER; B = the previous Debian ABI of 6.1 and C = the oldest one apt offers (other ABI
# names: their CRCs may or may not differ from A's); K = a synthetic kABI-preserving update
# of A, with A's symvers but the CRCs of a few vmlinux symbols changed that only msdos.ko (of
# the fat family) imports. B, C and K ship no fs/fat, so that A's fat, vfat and msdos are
# the vendor modules (a kernel's own module of the same name would take precedence).
# Trees are cut to fs/, lib/ and crypto/ (hard links) so that depmod runs stay short.
OLD_ABIS="$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' \
        | awk '{print $1}' | sed -E 's/^linux-image-6\.1\.0-([0-9]+)-amd64$/\1/' | sort -n | awk -v a="$ABI" '$1 < a')"
if [[ -z "$OLD_ABIS" ]]; then
  echo "no older linux-image-6.1.0-*-amd64 than $KVER is available from apt" >&2
  exit 1
fi
BVER="6.1.0-$(echo "$OLD_ABIS" | tail -1)-amd64"
CVER="6.1.0-$(echo "$OLD_ABIS" | sed -n 1p)-amd64"
OLDVERS=("$BVER"); [[ "$CVER" != "$BVER" ]] && OLDVERS+=("$CVER")
echo "kmod fixtures: weak-updates root with $KVER, ${OLDVERS[*]} and $KVER-kabi"
mkdir -p "$FIX/debs-old"
for ver in "${OLDVERS[@]}"; do
  (cd "$FIX/debs-old" && apt-get download -qq "linux-image-$ver" "linux-headers-$ver" 2>/dev/null)
done
for deb in "$FIX"/debs-old/*.deb; do dpkg -x "$deb" "$FIX/root"; done
printf '%s\n' "${OLDVERS[@]}" > "$FIX/KVER-OLD"

WROOT="$FIX/weak/root"
lay_kernel() { # $1 = source release, $2 = target release, rest = subdirectories of kernel/ to leave out
  local src="$FIX/root/lib/modules/$1" dst="$WROOT/lib/modules/$2"; shift 2
  mkdir -p "$dst/kernel"
  for d in fs lib crypto; do cp -al "$src/kernel/$d" "$dst/kernel/$d"; done
  for skip in "$@"; do rm -rf "${dst:?}/kernel/$skip"; done
  cp "$src/modules.order" "$src/modules.builtin" "$src/modules.builtin.modinfo" "$dst/"
}
lay_kernel "$KVER" "$KVER"
for ver in "${OLDVERS[@]}"; do lay_kernel "$ver" "$ver" fs/fat; done
lay_kernel "$KVER" "$KVER-kabi" fs/fat
for ver in "$KVER" "${OLDVERS[@]}"; do  # symvers as Debian ships it: in the headers, reached through build/
  mkdir -p "$WROOT/usr/src/linux-headers-$ver"
  cp "$FIX/root/usr/src/linux-headers-$ver/Module.symvers" "$WROOT/usr/src/linux-headers-$ver/"
  ln -s "/usr/src/linux-headers-$ver" "$WROOT/lib/modules/$ver/build"
done
mkdir -p "$WROOT/lib/modules/$KVER/extra"
cp "$OOT/jdmhello.ko" "$WROOT/lib/modules/$KVER/extra/"
# The kABI-preserving update, as RHEL ships symvers: /boot/symvers-KVER.gz.
FAT="$FIX/root/lib/modules/$KVER/kernel/fs/fat"
imports() { for f; do modprobe --show-modversions "$f"; done | awk '{print $2}' | LC_ALL=C sort -u; }
vmlinux_syms() { awk -F'\t' '$3 == "vmlinux" {print $2}' "$FIX/root/usr/src/linux-headers-$KVER/Module.symvers" | LC_ALL=C sort; }
only_msdos="$(LC_ALL=C comm -23 <(imports "$FAT/msdos.ko") <(imports "$FAT/fat.ko" "$FAT/vfat.ko") \
  | LC_ALL=C comm -12 - <(vmlinux_syms) | grep -vx module_layout | awk 'NR <= 3')"
# and two that no fat module uses: a kABI-preserving update changes symbols nobody imports too.
# (awk, not head: head would close the pipe early, and pipefail would end the script on SIGPIPE.)
unused="$(LC_ALL=C comm -23 <(vmlinux_syms) <(imports "$FAT"/*.ko) | awk 'NR <= 2')"
# perl, not awk: mawk (Debian's awk) has no xor().
CHANGED="$only_msdos"$'\n'"$unused" perl -pe 'BEGIN { %c = map { $_ => 1 } split /\n/, $ENV{CHANGED} }
  s/^0x([0-9a-f]+)(\t([^\t]+)\tvmlinux\t)/$c{$3} ? sprintf("0x%08x", hex($1) ^ 0x5a5a5a5a) . $2 : $&/e' \
  "$FIX/root/usr/src/linux-headers-$KVER/Module.symvers" > "$FIX/weak/symvers-kabi"
mkdir -p "$WROOT/boot"
gzip -9n -c "$FIX/weak/symvers-kabi" > "$WROOT/boot/symvers-$KVER-kabi.gz"
printf '%s\n%s\n' "$only_msdos" "$unused" > "$FIX/weak/changed-crcs"
for ver in "$KVER" "${OLDVERS[@]}" "$KVER-kabi"; do depmod -b "$WROOT" "$ver"; done

echo "$FORMAT_VERSION" > "$FIX/.done"
echo "kmod fixtures ready: $(wc -l < "$REF/modules-$KVER.list") modules of $KVER, $(wc -l < "$REF/modules-$ZVER.list") in the compressed tree"
