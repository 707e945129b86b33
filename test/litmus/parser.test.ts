// Parser unit tests for the C litmus dialect (src/litmus/parser.ts): header, init block forms,
// threads, statements, expressions, comments, final clauses, and file:line:col errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { parseLitmus } from '../../src/litmus/parser.ts';
import { LitmusError } from '../../src/litmus/lexer.ts';
import { buildSetup, showVal } from '../../src/litmus/setup.ts';
import { showCondition } from '../../src/litmus/condition.ts';
import { CORPUS_ROOT } from '../../src/litmus/corpus.ts';

const MP = `C MP+pooncerelease+poacquireonce

(*
 * Result: Never
 *)

{
}

P0(int *x, int *y)
{
	WRITE_ONCE(*x, 1);
	smp_store_release(y, 1);
}

P1(int *x, int *y)
{
	int r0;
	int r1;

	r0 = smp_load_acquire(y);
	r1 = READ_ONCE(*x);
}

exists (1:r0=1 /\\ 1:r1=0)
`;

function err(src: string): LitmusError {
  try {
    parseLitmus(src);
  } catch (e) {
    if (e instanceof LitmusError) return e;
    throw e;
  }
  assert.fail('expected a LitmusError');
}

test('parses a message-passing test', () => {
  const t = parseLitmus(MP);
  assert.equal(t.name, 'MP+pooncerelease+poacquireonce');
  assert.equal(t.threads.length, 2);
  assert.deepEqual(t.threads[0]!.params.map((p) => p.name), ['x', 'y']);
  assert.equal(t.threads[0]!.params[0]!.type, 'int *');
  assert.equal(t.quant, 'exists');
  assert.equal(showCondition(t.quant, t.cond), 'exists (1:r0=1 /\\ 1:r1=0)');
  const b = t.threads[1]!.body;
  assert.equal(b.length, 4);
  assert.equal(b[2]!.k, 'assign');
});

test('init block: typed declarations, pointers, atomic_t, registers', () => {
  const t = parseLitmus(`C init
{
  int x = 1; int *p = &x; y=x; atomic_t v = ATOMIC_INIT(3); spinlock_t l; struct srcu_struct s;
  int *0:r1; 0:r1=y; z=-2;
}
P0(int *x, int **p, atomic_t *v, spinlock_t *l, struct srcu_struct *s) { int r0; r0 = READ_ONCE(*x); }
exists (0:r0=1)
`);
  const s = buildSetup(t);
  const val = (n: string): string => showVal(s, s.init[s.locId.get(n)!]!);
  assert.equal(val('x'), '1');
  assert.equal(val('p'), 'x');
  assert.equal(val('y'), 'x');
  assert.equal(val('v'), '3');
  assert.equal(val('l'), '0');
  assert.equal(val('z'), '-2');
  assert.equal(showVal(s, s.regInit[0]!.get('r1')!), 'y');
  assert.deepEqual(t.threads[0]!.params.map((p) => p.type), ['int *', 'int * *', 'atomic_t *', 'spinlock_t *', 'struct srcu_struct *']);
});

test('statements: if/else, blocks, declarations with initialisers, plain accesses, casts, (void)', () => {
  const t = parseLitmus(`C stmts
{ x=y; }
P0(intptr_t *x, int *y)
{
	intptr_t r1 = (intptr_t)rcu_dereference(*(intptr_t **)x);
	int r2 = 0, r3;
	if (r1 == y && !r2) { *y = r2 + 1; } else if (r1 != 0) WRITE_ONCE(*(intptr_t *)r1, 1); else { r2 = *y; }
	(void)xchg(y, 2);
	r3 = cmpxchg(y, 1, 2) == 1 ? 5 : 6;
	r2 += 3;
	atomic_inc((atomic_t *)y);
}
locations [x; 0:r2]
filter (0:r3=5)
exists (0:r1=y \\/ ~[y]=2)
`);
  const b = t.threads[0]!.body;
  assert.deepEqual(b.map((s) => s.k), ['decl', 'decl', 'decl', 'if', 'expr', 'assign', 'assign', 'expr']);
  assert.equal(t.locations.length, 2);
  assert.ok(t.filter);
  assert.equal(showCondition(t.quant, t.cond), 'exists (0:r1=y \\/ not ([y]=2))');
});

test('comments of all three kinds, and (*x is not a comment', () => {
  const t = parseLitmus(`C comments (* trailing *)
"Cycle=Rfe PodRW" // free text before the init block
(* Result: Never (* nested *) *)
{ /* empty */ }
P0(int *x) // thread
{
	int r0; (* ocaml comment in code *)
	r0 = READ_ONCE(*x); /* c comment */
	WRITE_ONCE(*x, (*x) + 1);
}
exists (0:r0=0) (* comment after *)
`);
  assert.equal(t.name, 'comments');
  assert.equal(t.threads[0]!.body.length, 3);
});

test('no final condition means exists (true), as in herd7', () => {
  const t = parseLitmus(MP.replace('exists (1:r0=1 /\\ 1:r1=0)', ''));
  assert.equal(showCondition(t.quant, t.cond), 'exists (true)');
});

test('~exists and forall', () => {
  assert.equal(parseLitmus(MP.replace('exists', '~exists')).quant, '~exists');
  assert.equal(parseLitmus(MP.replace('exists', 'forall')).quant, 'forall');
});

test('errors carry line and column', () => {
  let e = err(MP.replace('r1 = READ_ONCE(*x);', 'r1 = READ_ONCE(*x)'));
  assert.equal(e.line, 23); // reported at the next token, the closing brace
  assert.equal(e.col, 1);
  assert.match(e.msg, /expected ';' after an assignment, found '}'/);
  e = err(MP.replace('smp_store_release(y, 1);', 'smp_store_relaxed(y, 1);'));
  assert.equal(e.line, 13);
  assert.equal(e.col, 2);
  assert.equal(e.msg, 'Unknown macro smp_store_relaxed (not defined in linux-kernel.def)');
  assert.equal(e.unknownMacro, 'smp_store_relaxed');
  e = err(MP.replace('WRITE_ONCE(*x, 1);', 'WRITE_ONCE(x, 1);'));
  assert.match(e.msg, /must be of the form '\*p'/);
  e = err('P0(int *x) { }\nexists (x=1)\n');
  assert.equal(e.line, 1);
  assert.match(e.msg, /header/);
  e = err(MP.replace('int r0;', 'int r0; @'));
  assert.equal(e.line, 18);
  assert.equal(e.col, 10);
  assert.match(e.msg, /unexpected character '@'/);
  e = err(MP.replace('READ_ONCE(*x)', 'READ_ONCE(*x, 1)'));
  assert.match(e.msg, /takes 1 argument/);
  e = err(MP.replace('P1(', 'P3('));
  assert.match(e.msg, /out of order/);
  e = err(MP.replace('(*\n * Result', '(*\n * Result').replace('{\n}', '{\n x = ;\n}'));
  assert.match(e.msg, /expected an initial value/);
  e = err(MP + '\n(* unterminated');
  assert.match(e.msg, /unterminated comment/);
});

test('every corpus test parses', () => {
  const files = execSync(`find ${CORPUS_ROOT} -name "*.litmus"`).toString().trim().split('\n');
  assert.equal(files.length, 1091);
  for (const f of files) {
    const t = parseLitmus(readFileSync(f, 'utf8'));
    assert.ok(t.threads.length >= 1, f);
  }
});

test('semantic errors are refused with file:line:col too', async () => {
  const { runText, Refused } = await import('../../src/litmus/run.ts');
  const { coherenceStub } = await import('../../src/litmus/model.ts');
  const refuse = (src: string): InstanceType<typeof Refused> => {
    try {
      runText('t.litmus', src, coherenceStub());
    } catch (e) {
      if (e instanceof Refused) return e;
      throw e;
    }
    assert.fail('expected a refusal');
  };
  let e = refuse(MP.replace('exists (1:r0=1', 'exists (2:r0=1'));
  assert.equal(e.message, 't.litmus:25:9: 2:r0 refers to a thread P2 that does not exist');
  e = refuse(MP.replace('r0 = smp_load_acquire(y);', 'r0 = smp_mb();'));
  assert.match(e.message, /^t\.litmus:21:7: smp_mb does not return a value$/);
  e = refuse(MP.replace('r0 = smp_load_acquire(y);', 'r0 = &r1;'));
  assert.match(e.message, /^t\.litmus:21:7: '&' must be applied to a shared location$/);
});

test('a constant JavaScript numbers cannot hold exactly, or a hex prefix with no digit, is refused at its position', () => {
  const e = err(MP.replace('WRITE_ONCE(*x, 1);', 'WRITE_ONCE(*x, 99999999999999999999);'));
  assert.match(e.message, /bad number '99999999999999999999' \(too large/);
  assert.deepEqual([e.line, e.col], [MP.split('\n').findIndex((l) => l.includes('WRITE_ONCE(*x, 1);')) + 1, MP.split('\n').find((l) => l.includes('WRITE_ONCE(*x, 1);'))!.indexOf('1);') + 1]);
  assert.match(err(MP.replace('1:r1=0)', '1:r1=9007199254740992)')).message, /bad number '9007199254740992' \(too large/);
  assert.match(err(MP.replace('WRITE_ONCE(*x, 1);', 'WRITE_ONCE(*x, 0x);')).message, /bad number '0x'$/);
  assert.equal(parseLitmus(MP.replace('1:r1=0)', '1:r1=9007199254740991)')).name, 'MP+pooncerelease+poacquireonce');
});
