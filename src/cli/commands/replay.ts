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
    err(`mmcheck replay: bad schedule: ${r.divergence}`);
    err('A schedule replays the target, --variant, --param and --model it was printed for; if it was, the model is nondeterministic (thread bodies must depend only on the values their yields return).');
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
  if (r.outcome === 'inconsistent') {
    err(`mmcheck replay: bad schedule: ${model.toUpperCase()} does not allow the execution it describes (the steps above are the prefix it rejected)`);
    return 2;
  }
  out(r.outcome === 'complete'
    ? '\nThis execution is complete: every thread returned, and no invariant is broken.'
    : '\nThis execution ends with a thread blocked (a failed assume(), or a wait that read a stale value: not a deadlock), and no invariant is broken.');
  return 0;
}
