// TEMPORARY timeline instrumentation (not to be committed).
import { threadId } from 'node:worker_threads';
import { threadCpuSeconds } from './thread-cpu.ts';
const on = !!process.env.MMCHECK_TL;
export function tl(label: string): void {
  if (!on) return;
  const u = process.cpuUsage();
  process.stderr.write(`TL ${(performance.timeOrigin + performance.now()).toFixed(1)} t${threadId} ${label} [thr ${threadCpuSeconds()?.toFixed(2)} proc ${((u.user + u.system) / 1e6).toFixed(2)}]\n`);
}
import { readdirSync, readFileSync } from 'node:fs';
export function tlTasks(): void {
  if (!on) return;
  const rows: string[] = [];
  for (const t of readdirSync('/proc/self/task')) {
    try {
      const st = readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
      const comm = st.slice(st.indexOf('(') + 1, st.lastIndexOf(')'));
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      const cpu = (Number(f[11]) + Number(f[12])) / 100;
      if (cpu > 0) rows.push(`${comm}:${cpu.toFixed(2)}`);
    } catch { /* gone */ }
  }
  process.stderr.write(`TL ${(performance.timeOrigin + performance.now()).toFixed(1)} tasks ${rows.join(' ')}\n`);
}
