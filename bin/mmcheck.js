#!/usr/bin/env node
// mmcheck's command line: registers the TypeScript loader (so the sources and users' model
// files run without a build step) and hands over to src/cli/main.ts.
import { register } from 'tsx/esm/api';

// A closed pipe (mmcheck list | head) ends the output, not the process with a stack trace.
process.stdout.on('error', (e) => { if (e.code === 'EPIPE') process.exit(0); throw e; });
process.setSourceMapsEnabled(true);
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
