// Source files pasted whole in the docs stay equal to the files. A fenced block right after
// `<!-- include: PATH -->` (PATH from the repository root) holds PATH's text; `npm run
// docs:update` rewrites a block that drifted and test/docs/docs-output.test.ts fails on one.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const INCLUDE = /^<!--\s*include:\s*(\S+)\s*-->\s*$/;

export interface DocInclude {
  file: string;
  /** 1-based line of the marker. */
  line: number;
  path: string;
  /** 0-based content lines of the fenced block after the marker: [start, end). */
  start: number;
  end: number;
  documented: string[];
}

/** The include blocks of one Markdown text (a marker without a fenced block after it is reported). */
export function parseIncludes(file: string, text: string): DocInclude[] {
  const lines = text.split('\n');
  const out: DocInclude[] = [];
  lines.forEach((l, i) => {
    const m = INCLUDE.exec(l.trim());
    if (!m) return;
    let k = i + 1;
    while (k < lines.length && lines[k].trim() === '') k++;
    const open = /^(`{3,}|~{3,})/.exec(lines[k] ?? '');
    if (!open) throw new Error(`${file}:${i + 1}: <!-- include: ${m[1]} --> is not followed by a fenced block`);
    let end = k + 1;
    while (end < lines.length && lines[end].trim() !== open[1]) end++;
    out.push({ file, line: i + 1, path: m[1], start: k + 1, end, documented: lines.slice(k + 1, end) });
  });
  return out;
}

/** The included file's lines (without the final newline's empty line). */
export function sourceLines(root: string, inc: DocInclude): string[] {
  const l = readFileSync(join(root, inc.path), 'utf8').replace(/\r\n/g, '\n').split('\n');
  if (l[l.length - 1] === '') l.pop();
  return l;
}

/** Rewrites the include blocks of `file` that differ from their sources; returns how many. */
export function rewriteIncludes(root: string, file: string): number {
  const path = join(root, file);
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  let n = 0;
  for (const inc of parseIncludes(file, text).reverse()) {
    const src = sourceLines(root, inc);
    if (src.join('\n') === inc.documented.join('\n')) continue;
    lines.splice(inc.start, inc.end - inc.start, ...src);
    n++;
  }
  if (n) writeFileSync(path, lines.join('\n'));
  return n;
}
