// The catalog of seed scenarios: every unsafe row of docs/design/variants.md as a variant of a scenario, with the
// verdict exploration must reach. `mmcheck list` / `mmcheck check` read this registry.
export type { Scenario, Variant } from './scenario.ts';
import type { Scenario, Variant } from './scenario.ts';
import { bugs } from './bugs/index.ts';
export { bugs, findBug, type Bug, type BugVariant } from './bugs/index.ts';
import { paeScenario, paeFaultScenario, paePmdScenario } from './scenarios/pae.ts';
import { pageRefFreezeScenario } from './scenarios/page-ref-freeze.ts';
import { filemapScenario } from './scenarios/filemap.ts';
import { xarrayNodeScenario } from './scenarios/xarray-node.ts';
import { pinVsMigrateScenario, walkCountScenario, unfreezeReleaseScenario } from './scenarios/weak.ts';
import { pagingStructureCacheScenario } from './scenarios/paging-structure-cache.ts';
import { hashCollapseScenario, pmdSplitScenario } from './scenarios/thp.ts';
import { hvoScenario, hvo2026Scenario, hvoRwAliasScenario } from './scenarios/hvo.ts';
import { hotplugScenario } from './scenarios/hotplug.ts';
import { migrateFileScenario, migrateFileHolderScenario, migratePinScenario, migratePinnedForkScenario, migrateGupScenario, migrateTlbScenario, migrateBhScenario, migrateDirtyScenario } from './scenarios/migrate.ts';
import { pmdInstallScenario } from './scenarios/pmd-install.ts';
import { speculativeLookupScenario } from './scenarios/speculative-lookup.ts';
import { readUptodateScenario } from './scenarios/read-uptodate.ts';
import { tableFreeGupScenario, tableFreeMapScenario } from './scenarios/table-free.ts';
import { rwNolockScenario, wrongPtlScenario, freerNoPtlScenario, ptReclaimSlowScenario, collapseVsReclaimScenario } from './scenarios/pte-offset-map.ts';
import { gupZapScenario, gupSplitScenario, gupCollapseScenario, gupHugeForkScenario, gupForkScenario } from './scenarios/gup-fast.ts';

/** Every scenario of the catalog, in the order `mmcheck list` and `check --all` show them. */
export const catalog: Scenario[] = [
  paeScenario,
  paeFaultScenario,
  paePmdScenario,
  pageRefFreezeScenario,
  filemapScenario,
  xarrayNodeScenario,
  gupZapScenario,
  gupSplitScenario,
  gupCollapseScenario,
  gupHugeForkScenario,
  gupForkScenario,
  tableFreeGupScenario,
  tableFreeMapScenario,
  pagingStructureCacheScenario,
  rwNolockScenario,
  wrongPtlScenario,
  freerNoPtlScenario,
  ptReclaimSlowScenario,
  collapseVsReclaimScenario,
  migrateFileScenario,
  migrateFileHolderScenario,
  migratePinScenario,
  migratePinnedForkScenario,
  migrateGupScenario,
  migrateTlbScenario,
  migrateBhScenario,
  migrateDirtyScenario,
  hvoScenario,
  hvo2026Scenario,
  hvoRwAliasScenario,
  hashCollapseScenario,
  pmdSplitScenario,
  hotplugScenario,
  // Weak-memory rows (run when the engine has the model).
  pinVsMigrateScenario,
  walkCountScenario,
  unfreezeReleaseScenario,
  pmdInstallScenario,
  speculativeLookupScenario,
  readUptodateScenario,
];

/** docs/design/variants.md: every row id with the model its unsafe variant needs (U1.c = U8.a, U3.c = U4.d). */
export const SPEC_ROWS: Record<string, 'sc' | 'tso' | 'weak'> = {
  'U1.a': 'sc', 'U1.b': 'sc', 'U1.c': 'sc', 'U1.d': 'tso', 'U1.e': 'sc',
  'U2.a/b': 'sc', 'U2.c': 'sc', 'U2.d': 'sc',
  'U3.a': 'sc', 'U3.b': 'sc', 'U3.c': 'sc', 'U3.d': 'sc',
  'U4.a': 'sc', 'U4.b': 'sc', 'U4.c': 'sc', 'U4.e': 'sc',
  'U5.a': 'sc', 'U5.b': 'sc',
  'U6.a': 'sc', 'U6.c': 'sc', 'U6.d': 'weak',
  'U7.a': 'sc', 'U7.b': 'sc', 'U7.c': 'sc', 'U7.d': 'sc', 'U7.e': 'sc', 'U7.f': 'sc',
  'U8.b': 'sc', 'U8.c': 'sc', 'U8.d': 'tso',
  'U9.a': 'sc', 'U9.b': 'sc', 'U9.c': 'sc', 'U9.d': 'sc',
  'U10': 'sc',
};

/** §12 rows no variant of the catalog covers. */
export function missingRows(): string[] {
  const covered = new Set(catalog.flatMap((s) => s.variants.map((v) => v.ref)));
  return Object.keys(SPEC_ROWS).filter((r) => !covered.has(r));
}

/** The bug-history scenarios that are not seed catalog scenarios (bugs/ reuses those it can). */
export function bugScenarios(): Scenario[] {
  const out: Scenario[] = [];
  for (const b of bugs) for (const v of b.variants) if (!catalog.includes(v.scenario) && !out.includes(v.scenario)) out.push(v.scenario);
  return out;
}

/** The catalog scenario (or bug-history scenario) named `name`. */
export function findScenario(name: string): Scenario | undefined {
  return catalog.find((s) => s.name === name) ?? bugScenarios().find((s) => s.name === name);
}

/** Variant `variant` of the catalog scenario `scenario`. */
export function findVariant(scenario: string, variant: string): Variant | undefined {
  return findScenario(scenario)?.variants.find((v) => v.name === variant);
}
