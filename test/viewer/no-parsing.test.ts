// The viewer parses no display string: it reads the trace's typed objects and values as data, so
// rewording a pretty-printer in the kernel model cannot break it (state.test.ts shows that on
// real traces). This test holds the line in the source: no regular expression anywhere in
// src/viewer, and none of the string methods that sniff text for meaning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';

const VIEWER = resolve(import.meta.dirname, '../../src/viewer');
const SNIFFING = new Set(['match', 'matchAll', 'search', 'startsWith', 'endsWith']);

/** Every regular expression and text-sniffing call in a source file, as `file:line: what`. */
export function textParsing(file: string, text: string): string[] {
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const at = (n: ts.Node, what: string): void => {
    found.push(`${file}:${src.getLineAndCharacterOfPosition(n.getStart()).line + 1}: ${what}`);
  };
  const visit = (n: ts.Node): void => {
    if (ts.isRegularExpressionLiteral(n)) at(n, `regular expression ${n.text}`);
    else if (ts.isIdentifier(n) && n.text === 'RegExp') at(n, 'RegExp');
    else if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && SNIFFING.has(n.expression.name.text)) at(n, `.${n.expression.name.text}()`);
    ts.forEachChild(n, visit);
  };
  visit(src);
  return found;
}

test('src/viewer has no regular expression and sniffs no text', () => {
  const files = readdirSync(VIEWER).filter((f) => f.endsWith('.ts'));
  assert.ok(files.includes('state.ts') && files.includes('app.ts'));
  assert.deepEqual(files.flatMap((f) => textParsing(f, readFileSync(join(VIEWER, f), 'utf8'))), []);
});

test('the check finds what it forbids', () => {
  assert.deepEqual(textParsing('x.ts', 'const a = /^gen (\\d+)/.exec(v);\nconst b = new RegExp(s);\nconst c = v.startsWith("frozen");'),
    ['x.ts:1: regular expression /^gen (\\d+)/', 'x.ts:2: RegExp', 'x.ts:3: .startsWith()']);
});
