// `mmcheck` commands: parses the command line, hands it to the command (src/cli/commands/) and
// maps failures to exit codes (0 no violation, 1 violation, 2 bad input or usage, 3 internal
// error). What a command prints is shaped in print.ts; what the catalog expects, in the kernel.
import { InputError, UsageError, commandHelp, helpText, parseArgs, version } from './options.ts';
import { err, out } from './io.ts';

// Each command is loaded when it runs, with only what it imports: `check readers` does not load
// the kernel catalog, the litmus front end, the LKMM's cat interpreter or the viewer.

/**
 * The package's exports ('mmcheck', 'mmcheck/kernel', 'mmcheck/catalog') as modules of this
 * bundle: bin/mmcheck.js hands them to user-file.ts when it runs the code-cached main.cjs, so that
 * a user's file imports the same engine as the command.
 */
export const ownModules = {
  '.': () => import('../engine/index.ts'),
  './kernel': () => import('../kernel/index.ts'),
  './catalog': () => import('../kernel/catalog.ts'),
};

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
      case 'list': return (await import('./commands/list.ts')).listCmd(parsed);
      case 'check': return await (await import('./commands/check.ts')).checkCmd(parsed);
      case 'replay': return await (await import('./commands/replay.ts')).replayCmd(parsed);
      case 'bench': return await (await import('./commands/bench.ts')).benchCmd(parsed);
      case 'merge': return await (await import('./commands/merge.ts')).mergeCmd(parsed);
      case 'litmus': return await (await import('./commands/litmus.ts')).litmusCmd(parsed);
      case 'view': {
        const { viewCmd } = await import('./commands/view.ts');
        return await viewCmd(parsed);
      }
      default: throw new UsageError(`unknown command '${parsed.command}'`);
    }
  } catch (e) {
    return await failure(e);
  }
}

/** Bad input → exit 2 with file:line:col where there is one; anything else is our bug → 3. */
export async function failure(e: unknown): Promise<number> {
  if (e instanceof UsageError) {
    err(`mmcheck: ${e.message}`);
    return 2;
  }
  // The other kinds of error come from modules a command loaded; importing them again is free.
  const [{ ModelError, ParamError }, { UnknownModelError }, { ScheduleError }, { ResourceError }, { userLocation }, { SplitFileError }] = await Promise.all([
    import('../engine/program.ts'), import('../engine/models/index.ts'), import('../engine/trace.ts'), import('../engine/memory.ts'),
    import('./user-file.ts'), import('../engine/parallel/split-file.ts'),
  ]);
  if (e instanceof ParamError || e instanceof UnknownModelError || e instanceof ScheduleError) {
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
