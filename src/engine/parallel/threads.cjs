// How a --jobs worker thread is started, and whether a core is free for one: the one copy that
// both bin/mmcheck.js (which starts the threads of `check --jobs N` before it loads the command)
// and the bundled engine (pool.ts, spare-core.ts) use. Plain CommonJS that requires nothing:
// bin/mmcheck.js requires it as it is, and esbuild bundles it into the ES-module bundle, where a
// require() of Node's modules would fail, as into the CommonJS one. The callers pass Node's modules.
'use strict';

/**
 * Starts a worker thread on `script` with workerData `data` and a port of its own (workerData.port);
 * its 'error' and 'exit' listeners note in the slot's `failure` that it died. Unreferenced: a
 * thread still loading does not keep the process alive.
 */
function startWorker(threads, script, data) {
  const { port1, port2 } = new threads.MessageChannel();
  const worker = new threads.Worker(script, { workerData: { ...data, port: port2 }, transferList: [port2] });
  const slot = { worker, port: port1, failure: null };
  worker.on('error', (e) => { slot.failure ??= { kind: 'internal', name: e.name, message: `a worker thread failed: ${e.message}`, stack: e.stack }; });
  worker.on('exit', (code) => { if (code !== 0) slot.failure ??= { kind: 'internal', name: 'Error', message: `a worker thread exited with code ${code}` }; });
  worker.unref();
  return slot;
}

/**
 * True if fewer tasks are runnable now than there are cores (Linux: /proc/loadavg's fourth field,
 * which counts the calling thread itself), not counting this process's other threads (V8's
 * compiler and GC helpers, busy for moments while the search warms up: counted, they kept a quiet
 * machine's second core from ever looking free, and lastzero N=15's worker from joining);
 * elsewhere, if the one-minute load average leaves a core free (or the system does not say).
 * `fs` and `os`: Node's modules.
 */
function spareCore(fs, os) {
  const cores = os.availableParallelism();
  try {
    const field = fs.readFileSync('/proc/loadavg', 'latin1').split(' ')[3];
    return Number(field.slice(0, field.indexOf('/'))) - ownOthersRunning(fs) < cores;
  } catch {
    const l = os.loadavg()[0];
    return l === 0 || l <= cores - 1;
  }
}

/** This process's runnable threads (state R in /proc/self/task/N/stat) other than the calling one. */
function ownOthersRunning(fs) {
  let n = 0;
  for (const t of fs.readdirSync('/proc/self/task')) {
    try {
      const stat = fs.readFileSync(`/proc/self/task/${t}/stat`, 'latin1');
      if (stat.charCodeAt(stat.lastIndexOf(')') + 2) === 82 /* R */) n++;
    } catch { /* the thread ended */ }
  }
  return n > 0 ? n - 1 : 0; // the calling thread is running (it reads this)
}

module.exports = { startWorker, spareCore };
