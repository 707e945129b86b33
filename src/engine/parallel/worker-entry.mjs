// The script a --jobs worker thread starts with (plain JavaScript, so that Node can start it
// without a loader): it loads mmcheck the way the main thread was loaded — the CLI bundle, or
// the TypeScript sources through tsx — and hands over to mmcheckWorker (worker.ts).
import { workerData } from 'node:worker_threads';

if (workerData.tsx) {
  const { register } = await import('tsx/esm/api');
  register();
}
const mod = await import(workerData.entry);
mod.mmcheckWorker(workerData, mod);
