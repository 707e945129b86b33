// `mmcheck` commands: parses the command line, hands it to the command (src/cli/commands/) and
// maps failures to exit codes (0 no violation, 1 violation, 2 bad input or usage, 3 internal
// error). What a command prints is shaped in print.ts; what the catalog expects, in the kernel.
import { ModelError, ParamError } from '../engine/program.ts';
import { UnknownModelError } from '../engine/models/index.ts';
import { ScheduleError } from '../engine/trace.ts';
import { ResourceError } from '../engine/memory.ts';
import { UsageError, commandHelp, helpText, parseArgs, version } from './options.ts';
import { InputError } from './targets.ts';
import { userLocation } from './user-file.ts';
import { err, out } from './print.ts';
import { checkCmd } from './commands/check.ts';
import { replayCmd } from './commands/replay.ts';
import { listCmd } from './commands/list.ts';
import { benchCmd } from './commands/bench.ts';
import { litmusCmd } from './commands/litmus.ts';
import { mergeCmd } from './commands/merge.ts';
import { SplitFileError } from '../engine/parallel/split-file.ts';

export async function main(argv: string[]): Promise<number> {
  try {
    if (argv[0] === '--version' || argv[0] === '-V') { out(`mmcheck ${version()}`); return 0; }
    if (argv[0] === '--help' || argv[0] === '-h') { out(helpText()); return 0; }
    // herd7's command line has herd7's own syntax (one dash, .cfg files): parsed by its command.
    if (argv[0] === 'herd7') {
      const { herd7Cmd } = await import('./commands/herd7.ts');
      return herd7Cmd(argv.slice(1));
    }
    if (argv.slice(1).some((a) => a === '--help' || a === '-h')) { out(commandHelp(argv[0])); return 0; }
    const parsed = parseArgs(argv);
    switch (parsed.command) {
      case 'help': out(parsed.positional.length ? commandHelp(parsed.positional[0]) : helpText()); return 0;
      case 'list': return listCmd(parsed);
      case 'check': return await checkCmd(parsed);
      case 'replay': return await replayCmd(parsed);
      case 'bench': return await benchCmd(parsed);
      case 'merge': return await mergeCmd(parsed);
      case 'litmus': return await litmusCmd(parsed);
      case 'view': {
        const { viewCmd } = await import('./commands/view.ts');
        return await viewCmd(parsed);
      }
      default: throw new UsageError(`unknown command '${parsed.command}'`);
    }
  } catch (e) {
    return failure(e);
  }
}

/** Bad input → exit 2 with file:line:col where there is one; anything else is our bug → 3. */
export function failure(e: unknown): number {
  if (e instanceof UsageError || e instanceof ParamError || e instanceof UnknownModelError || e instanceof ScheduleError) {
    err(`mmcheck: ${(e as Error).message}`);
    return 2;
  }
  if (e instanceof SplitFileError) {
    err(`mmcheck: ${e.message}`);
    return 2;
  }
  if (e instanceof InputError) {
    err(`${e.where ? `${e.where}: ` : ''}${e.message}`);
    return 2;
  }
  if (e instanceof ResourceError) {
    err(`mmcheck: ${e.message}`);
    return 2;
  }
  if (e instanceof ModelError) {
    const where = e.original !== undefined ? userLocation(e.original) : undefined;
    err(`${where ? `${where}: ` : ''}error in the model: ${e.message}`);
    return 2;
  }
  err(`[mmcheck internal error] ${(e as Error)?.message ?? String(e)}`);
  if (process.env.MMCHECK_DEBUG) err(String((e as Error)?.stack ?? ''));
  else err('(run with MMCHECK_DEBUG=1 for the stack; please report it)');
  return 3;
}
