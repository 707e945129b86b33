// Short titles of the invariants the kernel scenarios check (docs/design/invariants.md), shown with a violation.
export const INVARIANTS: Record<string, string> = {
  I1: "No use-after-free of page-table pages.",
  I2: "No write to read-only, and no access to unmapped, struct-page memory.",
  I3: "No increment from zero.",
  I4: "Counts never negative.",
  I5: "Freeze exclusivity.",
  I6: "Reference conservation.",
  I7: "Freed folio has no holders.",
  I8: "GUP validity.",
  I9: "Page-cache lookup validity.",
  I10: "No lost write under migration (or collapse).",
  I11: "No entry written into a detached table; no table freed non-empty.",
  I12: "Lock discipline.",
  I13: "PAE untorn reads.",
  I14: "RCU.",
  I15: "Pinned anon page stays exclusive and mapped.",
  I16: "TLB coherence on free.",
  I17: "No use-after-free of swap metadata.",
  I18: "A swap entry and its swap-cache folio move together.",
  I19: "Uptodate data.",
};

/** 'I8: gup_fast …' → 'I8 — GUP validity.' (or just the id when unknown). */
export function invariantTitle(id: string | null | undefined): string | null {
  if (!id) return null;
  const t = INVARIANTS[id];
  return t ? `${id} — ${t}` : id;
}
