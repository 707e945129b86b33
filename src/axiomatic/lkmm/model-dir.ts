// Where the LKMM's model files (linux-kernel.{bell,cat,def,cfg}, lock.cat, ...) are, beside this
// module; kept apart so that reading the .def (def.ts) does not load the cat interpreter.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const LKMM_MODEL_DIR = join(fileURLToPath(new URL('.', import.meta.url)), 'model');
