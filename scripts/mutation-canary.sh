#!/bin/bash
# Mutation canary (docs/design/exploration.md §6): breaks one line of the explorer, runs the differential
# tests, restores the file. The suite must fail for every clause of docs/design/exploration.md §2.3–§2.4, e.g.
#   scripts/mutation-canary.sh "e.revisitable = false;" ";" "no non-revisitable marking of P"
# Object lifetimes (src/engine/lifetime.ts) have their canaries too, with FILE set:
#   FILE=src/engine/lifetime.ts scripts/mutation-canary.sh "return freedOk ? Fault.None : Fault.Freed;" "return Fault.None;" "reads of freed memory unseen"
#   FILE=src/engine/lifetime.ts scripts/mutation-canary.sh "return w.life === Life.Free ? Fault.DoubleFree : Fault.Freed;" "return Fault.None;" "stores after a free unseen"
# usage: [FILE=src/engine/….ts] mutation-canary.sh "<text to replace>" "<replacement>" label
set -u
cd "$(dirname "$0")/.."
FILE="${FILE:-src/engine/explore.ts}"
cp "$FILE" /tmp/canary.bak
trap 'cp /tmp/canary.bak "$FILE"' EXIT
python3 - "$1" "$2" "$FILE" <<'PY'
import sys
p=sys.argv[3]; s=open(p).read()
assert sys.argv[1] in s, 'pattern not found'
s=s.replace(sys.argv[1], sys.argv[2], 1); open(p,'w').write(s)
PY
timeout 300 node --import tsx --test test/engine/differential.test.ts > /tmp/canary.out 2>&1
echo "$3: $(grep -E '^# (pass|fail)' /tmp/canary.out | tr '\n' ' ')"
