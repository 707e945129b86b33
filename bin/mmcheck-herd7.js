#!/usr/bin/env node
// herd7-compatible executable: `mmcheck-herd7 ARGS` is `mmcheck herd7 ARGS`. Put it on PATH under
// the name herd7 (e.g. `ln -s "$(command -v mmcheck-herd7)" ~/bin/herd7`) and the kernel's
// tools/memory-model/scripts run mmcheck instead of herd7 (docs/herd7.md).
// CommonJS, as bin/mmcheck.js is (bin/package.json).
process.argv.splice(2, 0, 'herd7');
require('./mmcheck.js');
