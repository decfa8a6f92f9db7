#!/bin/sh
# mutref.sh - makes the source tree of one internal mutant: a copy of the
# reference's sources with the mutant's patch applied.
#
# Sits between conformance/mutants/patches/<name>.patch and the compiler:
# module.mk runs it into $(O)/mutref/<name>/src/ and compiles that copy into
# $(O)/lib/mutants/<name>.so; conformance/tests/test_mutant_patches.py runs
# it on copies of its own.  The patch must apply exactly (offsets are
# accepted, fuzz is not): one whose context has changed in reference/ stops
# the build with a message naming the mutant, before anything is patched.
#
# Usage: mutref.sh NAME PATCH REFDIR DEST
#   copies REFDIR/*.c and REFDIR/*.h to DEST/reference/, applies PATCH there
#   (a unified diff of a/reference/... against b/reference/..., -p1) and, on
#   success only, touches DEST/.patched.
set -eu

if [ $# -ne 4 ]; then
  echo "usage: mutref.sh NAME PATCH REFDIR DEST" >&2
  exit 2
fi
name=$1
patch_file=$2
ref=$3
dest=$4

rm -rf "$dest"
mkdir -p "$dest/reference"
cp "$ref"/*.c "$ref"/*.h "$dest/reference/"

if ! out=$(patch -d "$dest" -p1 --fuzz=0 --force --dry-run <"$patch_file" 2>&1); then
  printf '%s\n' "$out" >&2
  echo "mutant $name: $patch_file no longer applies to $ref/;" \
    "remake it (conformance/mutants/README.md)" >&2
  exit 1
fi
patch -d "$dest" -p1 --fuzz=0 --force --silent --no-backup-if-mismatch \
  <"$patch_file"
touch "$dest/.patched"
