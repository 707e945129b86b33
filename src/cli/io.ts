// The command line's two output streams and its number format, apart from print.ts so that
// what prints before a command has loaded (help, usage errors) loads nothing else.
import { writeFileSync } from 'node:fs';
import { InputError } from './options.ts';

export const out = (s = ''): void => { process.stdout.write(s + '\n'); };
export const err = (s: string): void => { process.stderr.write(s + '\n'); };

/**
 * A count as the output prints it: 1,234,567. Integers are grouped by hand because the first
 * toLocaleString() of a process loads the ICU locale data, about 60 ms of a small run; the rest
 * go through it (the same text).
 */
export const fmt = (n: number): string =>
  Number.isSafeInteger(n) ? String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',') : n.toLocaleString('en-US');

/** Writes a file the user named (--trace, --out): one it cannot write is bad input (exit 2), not our bug. */
export function writeOut(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new InputError(`cannot write ${file}: ${(e as Error).message}`, 'mmcheck');
  }
}
