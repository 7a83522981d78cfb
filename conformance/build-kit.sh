#!/usr/bin/env bash
# Rebuilds one generation's conformance kit from the commit that released it, with that commit's
# own jdm-abi and modpost, and compares the result with the committed binaries: the same class
# files and the same META-INF/jdm tables (JAR timestamps differ from build to build, nothing else).
#   conformance/build-kit.sh JDM_1.0            # verify the committed kit
#   conformance/build-kit.sh JDM_1.0 --install  # write the rebuilt JARs into the kit (a new kit only)
# The kit's JARs are committed so that ./test loads real old binaries, never a rebuild.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/scripts/jdk.sh"
GEN="${1:?usage: build-kit.sh GENERATION [--install]}"
KIT="$ROOT/conformance/$GEN"
[ -f "$KIT/KIT" ] || { echo "build-kit: $KIT/KIT not found: no kit for $GEN" >&2; exit 2; }
commit="$(sed -n 's/^commit=//p' "$KIT/KIT")"
modules="$(sed -n 's/^modules=//p' "$KIT/KIT")"
work="$(mktemp -d)"
trap 'git -C "$ROOT" worktree remove --force "$work/src" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$ROOT" worktree add --detach "$work/src" "$commit" >/dev/null
pl="$(for m in $modules; do printf 'jdm-drivers/%s,' "$m"; done)"
# A private local repository: the old commit's SNAPSHOT artifacts must not replace today's.
(cd "$work/src" && mvn -B -q -Dmaven.repo.local="$work/m2" -DskipTests package -pl "${pl%,}" -am) \
  || { echo "build-kit: building $GEN's modules at $commit failed" >&2; exit 1; }

# The comparable content of a JAR: every class file and META-INF/jdm file, with its SHA-256.
content() { (cd "$1" && find . -type f \( -name '*.class' -o -path './META-INF/jdm/*' \) -exec sha256sum {} + | sort -k2); }
status=0
for m in $modules; do
  built="$(ls "$work/src/jdm-drivers/$m/target/"*.jar | grep -v -- '-tests.jar' | head -1)"
  if [ "${2:-}" = "--install" ]; then
    cp "$built" "$KIT/$m.jar"; echo "installed $m.jar"; continue
  fi
  mkdir -p "$work/a/$m" "$work/b/$m"
  (cd "$work/a/$m" && unzip -q "$built") && (cd "$work/b/$m" && unzip -q "$KIT/$m.jar")
  if diff <(content "$work/a/$m") <(content "$work/b/$m") >/dev/null; then
    echo "same     $m.jar"
  else
    echo "DIFFERS  $m.jar"; diff <(content "$work/a/$m") <(content "$work/b/$m") || true; status=1
  fi
done
exit $status
