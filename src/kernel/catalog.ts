// The catalog of seed scenarios: every kernel-spec §12 row as a variant of a scenario, with the
// verdict exploration must reach. `mmcheck list` / `mmcheck check` read this registry.
export type { Scenario, Variant } from './scenario.ts';
import type { Scenario, Variant } from './scenario.ts';
import { paeScenario } from './scenarios/pae.ts';
import { pageRefFreezeScenario } from './scenarios/page-ref-freeze.ts';
import { filemapScenario } from './scenarios/filemap.ts';
import { pagingStructureCacheScenario } from './scenarios/paging-structure-cache.ts';
import { hashCollapseScenario, pmdSplitScenario } from './scenarios/thp.ts';
import { hvoScenario, hvo2026Scenario } from './scenarios/hvo.ts';
import { hotplugScenario } from './scenarios/hotplug.ts';
import { migrateFileScenario, migratePinScenario, migrateGupScenario, migrateTlbScenario, migrateBhScenario, migrateDirtyScenario } from './scenarios/migrate.ts';
import { tableFreeGupScenario, tableFreeMapScenario } from './scenarios/table-free.ts';
import { rwNolockScenario, wrongPtlScenario, freerNoPtlScenario, ptReclaimSlowScenario } from './scenarios/pte-offset-map.ts';
import { gupZapScenario, gupSplitScenario, gupCollapseScenario, gupForkScenario } from './scenarios/gup-fast.ts';

export const catalog: Scenario[] = [
  paeScenario,
  pageRefFreezeScenario,
  filemapScenario,
  gupZapScenario,
  gupSplitScenario,
  gupCollapseScenario,
  gupForkScenario,
  tableFreeGupScenario,
  tableFreeMapScenario,
  pagingStructureCacheScenario,
  rwNolockScenario,
  wrongPtlScenario,
  freerNoPtlScenario,
  ptReclaimSlowScenario,
  migrateFileScenario,
  migratePinScenario,
  migrateGupScenario,
  migrateTlbScenario,
  migrateBhScenario,
  migrateDirtyScenario,
  hvoScenario,
  hvo2026Scenario,
  hashCollapseScenario,
  pmdSplitScenario,
  hotplugScenario,
];

export function findScenario(name: string): Scenario | undefined {
  return catalog.find((s) => s.name === name);
}

export function findVariant(scenario: string, variant: string): Variant | undefined {
  return findScenario(scenario)?.variants.find((v) => v.name === variant);
}
