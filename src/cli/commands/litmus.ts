// `mmcheck litmus <file.litmus|dir>…`: the herd7-style litmus checker (src/litmus), loaded only
// when asked for, so other commands do not load the LKMM. Options come from the table (options.ts).
import { UsageError, type Parsed } from '../options.ts';

export async function litmusCmd(p: Parsed): Promise<number> {
  if (p.positional.length === 0) throw new UsageError('litmus needs test files or directories (see: mmcheck help)');
  const { litmusMain } = await import('../../litmus/cli.ts');
  return await litmusMain({
    files: p.positional,
    json: p.opts.json === true,
    stub: p.opts.stub === true,
    judge: p.opts.judge === true,
    timeout: p.opts.timeout as number | undefined,
    traceDir: p.opts.trace as string | undefined,
    explain: p.opts.explain === true,
  });
}
