#!/bin/bash
# make-all.sh -- re-make every committed capture from the rows of MANIFEST.tsv.
#
# Where it sits: MANIFEST.tsv lists each committed capture with the exact
# capture.sh command line that produced it.  This script runs those command
# lines again (from this directory, with --record so the rows' hashes and
# counts are refreshed).  Real traffic is not byte-reproducible (timestamps,
# ISNs, ports, timing-dependent segmentation and loss differ), so the files
# this produces differ from the committed ones; the committed files are
# canonical, this script documents and repeats how they were made.
#
# Usage: sudo ./make-all.sh [FILE...]     (default: every row)
#        ./make-all.sh --list             (print the command lines only)
set -euo pipefail
cd "$(dirname "$0")"
[ -f MANIFEST.tsv ] || { echo "make-all.sh: MANIFEST.tsv not found" >&2; exit 2; }

# file and command are the first two tab-separated columns
mapfile -t ROWS < <(tail -n +2 MANIFEST.tsv | cut -f1,2)
LIST=0
if [ "${1:-}" = --list ]; then LIST=1; shift; fi
fail=0
for row in "${ROWS[@]}"; do
  file=${row%%$'\t'*}
  cmd=${row#*$'\t'}
  if [ $# -gt 0 ]; then
    want=0
    for f in "$@"; do [ "$f" = "$file" ] && want=1; done
    [ "$want" = 1 ] || continue
  fi
  if [ "$LIST" = 1 ]; then echo "$cmd"; continue; fi
  echo "=== $file: $cmd"
  # the command was written with printf %q by capture.sh, so eval re-splits it exactly
  if ! eval "$cmd --record"; then
    echo "make-all.sh: FAILED: $file" >&2
    fail=1
  fi
done
exit "$fail"
