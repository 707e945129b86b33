// `mmcheck litmus <file.litmus|dir>…`: the herd7-style litmus checker (src/litmus), which parses
// its own options; loaded only when asked for, so other commands do not load the LKMM.
export async function litmusCmd(args: string[]): Promise<number> {
  const { litmusMain } = await import('../../litmus/cli.ts');
  return await litmusMain(args);
}
