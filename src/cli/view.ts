// `mmcheck view <trace.json>`: placeholder until the viewer lands.
import type { Parsed } from './options.ts';
import { UsageError } from './options.ts';

export async function viewMain(_p: Parsed): Promise<number> {
  throw new UsageError('the viewer is not built yet');
}
