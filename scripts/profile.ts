// Profiles one benchmark program: node --import tsx --cpu-prof --cpu-prof-dir=DIR scripts/profile.ts <program> [K=V…]
// then summarise with: node scripts/profile-summary.mjs DIR
import { check } from '../src/engine/index.ts';
import { programs } from '../src/programs/index.ts';

const [name, ...kvs] = process.argv.slice(2);
const p = programs.find((x) => x.name === name);
if (!p) throw new Error(`unknown program ${name}`);
const params = Object.fromEntries(kvs.map((kv) => kv.split('=')).map(([k, v]) => [k, Number(v)]));
const r = check(p, { params });
console.log(name, JSON.stringify(params), r.executions, r.blocked, r.seconds.toFixed(2));
