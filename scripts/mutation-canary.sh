#!/bin/bash
# usage: canary.sh "<python replace old>" "<new>" label
cd /work/main
cp src/engine/explore.ts /tmp/explore.bak
python3 - "$1" "$2" <<'PY'
import sys
p='src/engine/explore.ts'; s=open(p).read()
assert sys.argv[1] in s, 'pattern not found'
s=s.replace(sys.argv[1], sys.argv[2], 1); open(p,'w').write(s)
PY
timeout 300 node --import tsx --test test/engine/differential.test.ts > /tmp/canary.out 2>&1
echo "$3: $(grep -E '^# (pass|fail)' /tmp/canary.out | tr '\n' ' ')"
cp /tmp/explore.bak src/engine/explore.ts
