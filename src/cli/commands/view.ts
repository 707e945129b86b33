// `mmcheck view <trace.json | dir> [--port P]`: checks that the file is an mmcheck trace (or takes
// every trace in a directory), then serves the viewer page (src/viewer) and the traces on
// 127.0.0.1 until interrupted. The page itself
// refuses versions and kinds it does not know (so an old viewer says so instead of misdrawing).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { basename, join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { UsageError, type Parsed } from '../options.ts';
import { SCHEMA } from '../../trace-format/index.ts';

const TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
};

/** Reads and checks the trace file; a UsageError (exit 2) says what is wrong with it. */
export function readTraceFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file} is not a JSON file (${(e as Error).message}); mmcheck view needs a trace written by mmcheck check --trace FILE`);
  }
  const schema = typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>).schema : undefined;
  if (schema !== SCHEMA) {
    throw new UsageError(`${file} is JSON but not an mmcheck trace (no "schema": "${SCHEMA}"); write one with mmcheck check --trace FILE or mmcheck replay --trace FILE`);
  }
  return text;
}

interface Entry { name: string; file: string; kind: string; title: string }

function entryOf(file: string, text: string): Entry {
  const d = JSON.parse(text) as Record<string, unknown>;
  const title = d.kind === 'litmus' ? `litmus ${String(d.test ?? '?')}`
    : d.kind === 'scenario' ? `${String(d.scenario ?? d.target ?? '?')}${d.variant ? ` / ${String(d.variant)}` : ''}` : String(d.kind ?? '?');
  return { name: basename(file), file, kind: String(d.kind ?? '?'), title };
}

/** The traces to serve: one file, or every mmcheck trace in a directory (e.g. mmcheck litmus --trace DIR/). */
function collect(target: string): Entry[] {
  let isDir = false;
  try {
    isDir = statSync(target).isDirectory();
  } catch {
    // readTraceFile reports the missing file.
  }
  if (!isDir) return [entryOf(target, readTraceFile(target))];
  const out: Entry[] = [];
  for (const n of readdirSync(target).filter((x) => x.endsWith('.json')).sort()) {
    const f = join(target, n);
    try {
      out.push(entryOf(f, readTraceFile(f)));
    } catch (e) {
      process.stderr.write(`mmcheck view: skipping ${n}: ${(e as Error).message}\n`);
    }
  }
  if (out.length === 0) throw new UsageError(`${target} holds no mmcheck trace (*.json with "schema": "${SCHEMA}")`);
  return out;
}

export async function viewCmd(p: Parsed): Promise<number> {
  if (p.positional.length !== 1) throw new UsageError('usage: mmcheck view <trace.json | dir> [--port P]');
  const entries = collect(resolve(p.positional[0]));
  const port = p.opts.port === undefined ? 0 : Number(p.opts.port);
  if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
  const { buildViewer } = await import('../../viewer/build.ts');
  const files = await buildViewer();
  const byName = new Map(entries.map((e) => [e.name, e]));
  const index = JSON.stringify(entries.map((e) => ({ name: e.name, kind: e.kind, title: e.title, url: `traces/${encodeURIComponent(e.name)}` })));
  const server = createServer((req, res) => {
    const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname).replace(/^\/+/, '') || 'index.html';
    } catch {
      res.writeHead(400, { ...headers, 'content-type': 'text/plain' }).end('bad request');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers).end();
      return;
    }
    if (path === 'traces.json') {
      res.writeHead(200, { ...headers, 'content-type': 'application/json; charset=utf-8' }).end(index);
      return;
    }
    const entry = path === 'trace.json' ? entries[0] : path.startsWith('traces/') ? byName.get(path.slice('traces/'.length)) : undefined;
    if (entry) {
      // Reread on each load: a re-run of mmcheck check --trace shows up on reload.
      let body: string;
      try {
        body = readFileSync(entry.file, 'utf8');
      } catch (e) {
        res.writeHead(500, { ...headers, 'content-type': 'text/plain' }).end(`cannot read ${entry.file}: ${(e as Error).message}`);
        return;
      }
      res.writeHead(200, { ...headers, 'content-type': 'application/json; charset=utf-8', 'x-trace-name': entry.name }).end(body);
      return;
    }
    if (path in TYPES) {
      res.writeHead(200, { ...headers, 'content-type': TYPES[path] }).end(files[path as keyof typeof files]);
      return;
    }
    res.writeHead(404, { ...headers, 'content-type': 'text/plain' }).end('not found');
  });
  await listen(server, port);
  const addr = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${addr.port}/`;
  const what = entries.length === 1 ? p.positional[0] : `${entries.length} traces in ${p.positional[0]}`;
  process.stdout.write(`mmcheck view: ${what} at ${url}\n(open it in a browser; Ctrl-C to stop)\n`);
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.close(() => done());
      server.closeAllConnections();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      fail(e.code === 'EADDRINUSE' ? new UsageError(`port ${port} is in use (omit --port for a free one)`) : e);
    });
    server.listen(port, '127.0.0.1', () => ok());
  });
}
