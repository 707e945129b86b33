#!/bin/bash
# Mutation canary (docs/design/exploration.md §6): breaks one line of the explorer, runs the differential
# tests, restores the file. The suite must fail for every clause of docs/design/exploration.md §2.3–§2.4, e.g.
#   scripts/mutation-canary.sh "e.revisitable = false;" ";" "no non-revisitable marking of P"
# usage: mutation-canary.sh "<text to replace>" "<replacement>" label
set -u
cd "$(dirname "$0")/.."
cp src/engine/explore.ts /tmp/explore.bak
trap 'cp /tmp/explore.bak src/engine/explore.ts' EXIT
python3 - "$1" "$2" <<'PY'
import sys
p='src/engine/explore.ts'; s=open(p).read()
assert sys.argv[1] in s, 'pattern not found'
s=s.replace(sys.argv[1], sys.argv[2], 1); open(p,'w').write(s)
PY
timeout 300 node --import tsx --test test/engine/differential.test.ts > /tmp/canary.out 2>&1
echo "$3: $(grep -E '^# (pass|fail)' /tmp/canary.out | tr '\n' ' ')"
