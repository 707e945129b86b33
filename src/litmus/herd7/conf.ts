// Reads a herd7 configuration file (linux-kernel.cfg): one `key value` (or `key = value`) per
// line, `#` comments and blank lines, as herd's lexConf_herd.mll reads it. Each key is the
// name of a command-line option without its dash (`macros linux-kernel.def` = `-macros
// linux-kernel.def`); the caller applies the entries in order, as herd7 does.

export interface ConfEntry {
  key: string;
  value: string;
  line: number;
  col: number;
}

/** A malformed configuration line, at file:line:col. */
export class ConfError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    readonly msg: string,
  ) {
    super(`${file}:${line}:${col}: ${msg}`);
  }
}

const KEY = /^([A-Za-z]+(?:-?[A-Za-z]+)?)(?:[ \t\r]*=[ \t\r]*|[ \t\r]+)([^ \t\r\n].*?)[ \t\r]*$/;

export function readConf(text: string, file: string): ConfEntry[] {
  const out: ConfEntry[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (/^[ \t\r]*$/.test(line) || line.startsWith('#')) return;
    const m = KEY.exec(line);
    if (!m) {
      const k = /^[A-Za-z]+(?:-?[A-Za-z]+)?/.exec(line);
      throw new ConfError(file, i + 1, 1, k ? `no value for key '${k[0]}'` : 'Unknown key in configuration file');
    }
    out.push({ key: m[1]!, value: m[2]!, line: i + 1, col: line.indexOf(m[2]!, m[1]!.length) + 1 });
  });
  return out;
}
