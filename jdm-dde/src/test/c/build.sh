#!/bin/sh
# Builds the test plugins: build.sh OUTDIR "CFLAGS"  (called by Maven in generate-test-resources)
set -e
out=$1
cflags=$2
here=$(dirname "$0")
mkdir -p "$out"
for p in jdmtest jdmv1 jdmfuture jdmnoinit jdmcrash; do
  # shellcheck disable=SC2086 # CFLAGS is a list of words
  gcc $cflags -fvisibility=hidden -o "$out/nbdkit-$p-plugin.so" "$here/$p.c"
done
# shellcheck disable=SC2086
gcc $cflags -fvisibility=hidden -DTRUNCATED -o "$out/nbdkit-jdmshort-plugin.so" "$here/jdmtest.c"
