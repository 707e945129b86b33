// Candidate construction (src/litmus/paths.ts, candidates.ts): the Execution records follow the
// conventions of src/axiomatic/execution.ts, and carry herd7's syntactic dependencies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { validateExecution, type Execution } from '../../src/axiomatic/execution.ts';
import { enumerate } from '../../src/litmus/candidates.ts';
import { binop } from '../../src/litmus/paths.ts';
import { readHerdResults, DEFAULT_ROOT } from '../../src/litmus/corpus.ts';
import { coherenceStub, type LitmusModel } from '../../src/litmus/model.ts';
import { parseLitmus } from '../../src/litmus/parser.ts';
import { buildSetup } from '../../src/litmus/setup.ts';

function candidates(src: string): Execution[] {
  const out: Execution[] = [];
  const m: LitmusModel = { name: 'collect', check: (x) => { out.push(x); return []; } };
  enumerate(buildSetup(parseLitmus(src)), m, () => {});
  return out;
}

/** Dependencies of the first candidate as "kind:loc->kind:loc" strings. */
function deps(x: Execution, rel: 'addr' | 'data' | 'ctrl'): string[] {
  const d = (i: number): string => `${x.events[i]!.kind}${x.events[i]!.annot ? '.' + x.events[i]!.annot : ''}:${x.events[i]!.loc ?? '-'}`;
  return x[rel].map(([a, b]) => `${d(a)}->${d(b)}`).sort();
}

test('every candidate of a corpus sample passes validateExecution', () => {
  const rows = readHerdResults().filter((_, i) => i % 7 === 0);
  const stub = coherenceStub();
  let n = 0;
  for (const r of rows) {
    const src = readFileSync(`${DEFAULT_ROOT}/${r.path}`, 'utf8');
    const m: LitmusModel = {
      name: 'validate',
      check: (x) => {
        assert.deepEqual(validateExecution(x), [], r.path);
        n++;
        return x.events.some((e) => e.kind !== 'R' && e.kind !== 'W' && e.kind !== 'F') ? [] : stub.check(x).slice(0, 1);
      },
    };
    enumerate(buildSetup(parseLitmus(src)), m, () => {});
  }
  assert.ok(n > 1000);
});

test('addr, data and ctrl dependencies through registers', () => {
  const [x] = candidates(`C deps
{ p=a; }
P0(int **p, int *a, int *b, int *c)
{
	int *r0;
	int r1;
	int r2;
	r0 = READ_ONCE(*p);
	r1 = READ_ONCE(*r0);
	r2 = r1 + 1;
	WRITE_ONCE(*b, r2);
	if (r1 == 0) {
		WRITE_ONCE(*c, 1);
	}
	smp_store_release(c, 2);
}
exists (0:r1=0)
`);
  assert.ok(x);
  assert.deepEqual(deps(x, 'addr'), ['R.ONCE:p->R.ONCE:a']);
  assert.deepEqual(deps(x, 'data'), ['R.ONCE:a->W.ONCE:b']);
  // ctrl reaches the events inside the if, not the store after it (herd7's C semantics)
  assert.deepEqual(deps(x, 'ctrl'), ['R.ONCE:a->W.ONCE:c']);
});

test('RMW, failed cmpxchg, locks and srcu follow the Execution conventions', () => {
  const xs = candidates(`C rmw
{}
P0(int *x, atomic_t *v, spinlock_t *l, struct srcu_struct *s)
{
	int r0;
	int r1;
	int r2;
	r0 = cmpxchg(x, 0, 1);
	r1 = atomic_inc_return_relaxed(v);
	spin_lock(l);
	spin_unlock(l);
	r2 = srcu_read_lock(s);
	srcu_read_unlock(s, r2);
}
exists (0:r0=0)
`);
  assert.equal(xs.length, 1);
  const x = xs[0]!;
  const kinds = x.events.filter((e) => e.tid === 0).map((e) => `${e.kind}${e.annot ? '.' + e.annot : ''}:${e.loc}=${e.value}`);
  assert.deepEqual(kinds, [
    'R.MB:x=0', 'W.MB:x=1',
    'R.ONCE:v=0', 'W.ONCE:v=1',
    'LKR:l=0', 'LKW:l=1', 'UL:l=0',
    'R.srcu-lock:s=0', 'W.srcu-unlock:s=0',
  ]);
  assert.equal(x.rmw.length, 2);
  assert.deepEqual(deps(x, 'data').filter((d) => d.includes('srcu')), ['R.srcu-lock:s->W.srcu-unlock:s']);
  // the lone read of a failed cmpxchg: a second thread makes x=1 visible
  const ys = candidates(`C cmpxchg-fail
{}
P0(int *x) { int r0; r0 = cmpxchg(x, 0, 1); }
P1(int *x) { WRITE_ONCE(*x, 5); }
exists (0:r0=5)
`);
  const failed = ys.find((y) => y.events.some((e) => e.tid === 0 && e.kind === 'R' && e.value === 5))!;
  assert.deepEqual(failed.events.filter((e) => e.tid === 0).map((e) => `${e.kind}.${e.annot}:${e.value}:${e.atomic}`), ['R.MB:5:true']);
  assert.equal(failed.rmw.length, 0);
});

test('bitwise operators and shifts compute on 64 bits, as herd7 does (not JavaScript\'s 32)', () => {
  // herdtools7 lib/int64Constant.ml: C litmus values are Int64.
  assert.equal(binop('<<', 1, 31), 2 ** 31);
  assert.equal(binop('<<', 1, 40), 2 ** 40);
  assert.equal(binop('>>', 2 ** 40, 4), 2 ** 36);
  assert.equal(binop('>>', -8, 1), -4);
  assert.equal(binop('&', 2 ** 33 + 5, 7), 5);
  assert.equal(binop('|', 2 ** 31, 1), 2 ** 31 + 1);
  assert.equal(binop('^', -1, 2 ** 32), -(2 ** 32) - 1);
  assert.equal(binop('&~', 2 ** 35 + 3, 1), 2 ** 35 + 2);
  assert.equal(binop('&', 6, 3), 2);
  // And in a test: the write's value is 2^32, not 0.
  const xs = candidates(`C shift
{}
P0(int *x) { WRITE_ONCE(*x, 1 << 32); }
exists (x=4294967296)`);
  assert.ok(xs.length > 0);
  assert.ok(JSON.stringify(xs[0]).includes('4294967296'), 'the store writes 2^32');
});
