// `mmcheck replay <target> --schedule S`: runs exactly the execution a violation printed and
// prints it; a schedule the program no longer follows is reported as such (exit 2).
import { replay, violationHeadline } from '../../engine/index.ts';
import { variantModel } from '../../kernel/expect.ts';
import { UsageError, parseParams, type Parsed } from '../options.ts';
import { resolveTarget } from '../targets.ts';
import { err, out, violationKindNote, writeTrace } from '../print.ts';

export async function replayCmd(p: Parsed): Promise<number> {
  if (p.positional.length !== 1) throw new UsageError('usage: mmcheck replay <file.ts|scenario|program> --schedule S [--variant V] [--param K=V] [--model M]');
  if (typeof p.opts.schedule !== 'string') throw new UsageError('replay needs --schedule S (printed with the violation)');
  const [run] = await resolveTarget(p.positional[0], p.opts.variant as string | undefined, false);
  const model = (p.opts.model as string | undefined) ?? variantModel(run.variant);
  const params = parseParams(p.opts.param as string[] | undefined);
  const r = replay(run.program, p.opts.schedule, { params, model });
  if (r.divergence) {
    err(`mmcheck replay: ${r.divergence}`);
    out(r.trace);
    return 2;
  }
  out(r.trace);
  out(`\nfinal memory: ${r.memory}`);
  if (typeof p.opts.trace === 'string') writeTrace(p.opts.trace, run, model, params, r);
  if (r.violation) {
    out(`\nVIOLATION${violationKindNote(r.violation)}: ${violationHeadline(r.violation)}`);
    return 1;
  }
  out(`\nThis execution is ${r.outcome === 'complete' ? 'complete' : r.outcome} and violates nothing.`);
  return 0;
}
