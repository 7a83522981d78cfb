# Sourced by ./jdm and ./test: sets JAVA_HOME to a JDK >= 25 ($JAVA_HOME first, then /usr/lib/jvm/*).
jdm_find_jdk() {
  local c major
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
    [ -n "$c" ] && [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] && [ -f "$c/release" ] || continue
    major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$c/release")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      export JAVA_HOME="$c"
      return 0
    fi
  done
  echo "jdm: no JDK 25 or newer found (looked at \$JAVA_HOME and /usr/lib/jvm/*); install Temurin 25 or set JAVA_HOME" >&2
  return 1
}
jdm_find_jdk || exit 1
# Maven on JDK 25 warns about its own use of sun.misc.Unsafe; that is Maven's, not ours.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
