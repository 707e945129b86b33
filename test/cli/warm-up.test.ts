// src/cli/warm-up.ts turns V8's TurboFan off for a check's first milliseconds. V8 stamps a code
// cache with its flags, so a flag left changed would make bin/mmcheck.js's cache of main.cjs,
// written after the command, be refused by every later run (each would compile main.cjs again
// and rewrite the cache). The warm-up must leave the flags as it found them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Script } from 'node:vm';
import { warmUp } from '../../src/cli/warm-up.ts';

test('a warm-up changes V8\'s flags while it lasts and restores them when the run ends', () => {
  const source = 'function inc(x) { return x + 1; } inc(1);';
  const first = new Script(source, { filename: 'warm-up-a.js' });
  first.runInThisContext();
  const data = first.createCachedData();
  // A name of its own per compile: V8 answers a repeated (source, name) from memory, without looking at the data.
  const refused = (name: string): boolean | undefined => new Script(source, { filename: name, cachedData: data }).cachedDataRejected;
  assert.equal(refused('warm-up-b.js'), false, 'same flags: the data is taken');
  const w = warmUp();
  assert.equal(refused('warm-up-c.js'), true, 'TurboFan off: V8 refuses data made with it on (so this test can see a flag left changed)');
  w.tick();
  w.done();
  assert.equal(refused('warm-up-d.js'), false, 'after the run: the flags are back, the data is taken again');
});
