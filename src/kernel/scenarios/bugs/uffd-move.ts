// Bug-history scenario B17 (0ea148a79919, "mm: userfaultfd: fix race of userfaultfd_move and swap
// cache"): UFFDIO_MOVE of a PTE holding swap entry S1 looks S1 up in the swap cache without a lock
// and trusts is_pte_pages_stable() — a raw pte_same() of the source PTE under the PTL — to tell it
// that the folio it found still belongs to S1. But S1 can be freed and reused (ABA): the source
// is swapped in, S1 freed and given to another process's folio B, B swapped in again, and the
// source swapped out to S1 once more. The PTE reads S1 again, and the move re-homes B (the first
// race of the commit), or — if the lookup found nothing — moves S1 without the folio that is now
// in the swap cache for it (the second race; the later fault on the destination hits c50f8e6053b0's
// BUG). The fix rechecks, with the folio locked, that it is still the swap cache's folio for S1,
// and, without a folio, that S1 has no SWAP_HAS_CACHE under the PTL.
//
// One mm with the source and destination PTEs in one table T1 (one PTL), another process's table
// T2 mapping B. CPU1 is the rest of the system, one thing after another: faults (do_swap_page())
// and reclaim (shrink_folio_list()'s swap-out), on a swap device with one slot, so that every
// swap-out reuses S1 (the slot allocator hands out the first free slot). The move's -EAGAIN retry
// and a move that starts on a present source PTE (move_present_pte(), not modelled) end the
// execution (blocked): a retry is the same move started later, which the exploration covers.
import type { Ctx } from '../../../engine/ops.ts';
import type { Builder } from '../../../engine/program.ts';
import { Cpus } from '../../cpus.ts';
import { PTE_NONE, _PAGE_PRESENT, _PAGE_RW, mk_pte, newPageTable, pmd_table, pte_pfn, pte_present } from '../../include/linux/pgtable.ts';
import { is_swap_pte, pte_swp_mkexclusive, swp_entry, swp_entry_to_pte } from '../../include/linux/swapops.ts';
import { newMm } from '../../mm/mm.ts';
import { do_swap_page_swapin, type SwapFault } from '../../mm/memory.ts';
import { newSwapFolio, type AnonIdentity, type SwapFolio } from '../../mm/swap_state.ts';
import { newSwapInfo } from '../../mm/swapfile.ts';
import { slotPfn } from '../../mm/filemap.ts';
import { move_pages_pte, move_pages_pte_step, move_pages_pte_v6_15, type UffdMove } from '../../mm/userfaultfd.ts';
import { shrink_folio_list_swapout } from '../../mm/vmscan.ts';
import { variants, type Scenario } from '../../scenario.ts';

type Knob = 'pre-fix' | 'fixed' | 'pre-fix-null-lookup' | 'fixed-null-lookup' | 'folio-recheck-only' | 'has-cache-check-only';

function make(knob: Knob | undefined) {
  return (b: Builder) => {
    const cpus = new Cpus(b, 2);
    const fixed = knob === 'fixed' || knob === 'fixed-null-lookup';
    const step = knob === 'folio-recheck-only' || knob === 'has-cache-check-only' ? knob : undefined;
    const move_pages_pte_of = step ? move_pages_pte_step[step] : fixed ? move_pages_pte : move_pages_pte_v6_15;
    // The commit's first race needs B's swap-out and swap-in; its second race only the source's.
    const full = knob === 'pre-fix' || knob === 'fixed' || knob === 'has-cache-check-only';
    const S1 = swp_entry(0, 1);
    const src: AnonIdentity = { what: 'src_vma', anon_vma: 1, index: 16 };
    const dst: AnonIdentity = { what: 'dst_vma', anon_vma: 2, index: 32 };
    const vmaB: AnonIdentity = { what: 'B\'s vma (another process)', anon_vma: 3, index: 48 };
    // A: the page allocator's next page (the source's swap-in lands in it). B: another process's
    // anon page, mapped.
    const A = newSwapFolio(b, 'A', 1, 0);
    const B = newSwapFolio(b, 'B', 2, 1, { anon: vmaB, mapcount: 1 });
    const folios: SwapFolio[] = [A, B];
    // The source page was swapped out to S1 and written back: S1's one user is the source PTE.
    const si = newSwapInfo(b, 2, { map: [0, 1], folios });
    const T1 = newPageTable(b, 1, [pte_swp_mkexclusive(swp_entry_to_pte(S1)), PTE_NONE]);
    const T2 = newPageTable(b, 2, [mk_pte(B.pfn, _PAGE_PRESENT | _PAGE_RW)]);
    const mm = newMm(b, pmd_table(1), [T1], folios);
    const mmB = newMm(b, pmd_table(2), [T2], folios, { pmdName: 'B.pmd' });
    for (const f of folios) {
      f.holders.push({ loc: si.cache.slots[1], holds: (v) => slotPfn(v) === f.pfn, what: 'the swap cache (swapper_spaces[0][1])' });
      for (const [T, i] of [[T1, 0], [T1, 1], [T2, 0]] as const) {
        f.holders.push({ loc: T.entries[i], holds: (v) => pte_present(v) && pte_pfn(v) === f.pfn, what: `${T.name}[${i}]` });
      }
    }
    const move: UffdMove = { mm, src: { T: T1, idx: 0, vma: src }, dst: { T: T1, idx: 1, vma: dst } };
    const srcFault: SwapFault = { mm, T: T1, idx: 0, vma: src, write: true };
    const bFault: SwapFault = { mm: mmB, T: T2, idx: 0, vma: vmaB, write: true };

    b.thread('CPU0', function* (t: Ctx) {
      // ioctl(UFFDIO_MOVE, src -> dst, one page): move_pages() -> move_pages_pte().
      const err = yield* move_pages_pte_of(t, cpus.cpu[0], si, move);
      yield t.assume(err !== 'EAGAIN' && err !== 'present');
    });
    b.thread('CPU1', function* (t: Ctx) {
      const cpu = cpus.cpu[1];
      // A write fault on the source: handle_pte_fault() reads the PTE locklessly (vmf->orig_pte)
      // and swaps the page in (into A); S1 is freed.
      const orig = yield t.load(T1.entries[0]);
      if (!is_swap_pte(orig) || (yield* do_swap_page_swapin(t, cpu, si, srcFault, orig, A)) !== 'mapped') return;
      if (full) {
        // Reclaim swaps B out, to the free S1.
        if (!(yield* shrink_folio_list_swapout(t, cpu, si, B, mmB, T2, 0))) return;
        // B's process writes to it: swap-in from the swap cache, S1 freed again.
        const origB = yield t.load(T2.entries[0]);
        if (!is_swap_pte(origB) || (yield* do_swap_page_swapin(t, cpu, si, bFault, origB, A)) !== 'mapped') return;
      }
      // Reclaim swaps A, the source's page, out to S1 once more.
      yield* shrink_folio_list_swapout(t, cpu, si, A, mm, T1, 0);
    });
  };
}

const common = { ref: '§5', commit: '0ea148a79919', fixes: 'adef440691ba' } as const;

export const uffdMoveSwapScenario: Scenario = {
  name: 'uffd-move-vs-swap-cache',
  description: 'UFFDIO_MOVE of a swap PTE (move_pages_pte()) against swap-in and swap-out reusing its swap entry (B17)',
  seed: '004', section: '§5',
  variants: variants<Knob>('uffd-move-vs-swap-cache', make, [
    { name: 'pre-fix', ...common, expected: 'I18', kernels: 'v6.14–v6.15 (and stable kernels with c50f8e6053b0)',
      description: 'the lookup of S1 finds another process\'s folio B that S1 was reused for; S1 is freed and reused for the source page again, is_pte_pages_stable() passes and B is moved to dst' },
    { name: 'fixed', ...common, expected: 'ok', kernels: 'v6.16',
      description: 'with the folio locked, move_swap_pte() checks that it is still the swap cache\'s folio for S1, and without a folio that S1 has no SWAP_HAS_CACHE under the PTL' },
    { name: 'pre-fix-null-lookup', ...common, expected: 'I18', kernels: 'v6.14–v6.15 (and stable kernels with c50f8e6053b0)',
      description: 'the commit\'s second race: the lookup of S1 finds nothing; the source is swapped in and out again to S1 and its folio stays in the swap cache; the move moves S1 without it' },
    { name: 'fixed-null-lookup', ...common, expected: 'ok', kernels: 'v6.16',
      description: 'the second race with the fix: SWAP_HAS_CACHE read under the PTL sends the move back (-EAGAIN)' },
    { name: 'has-cache-check-only', ...common, expected: 'I18', kernels: 'a step of 0ea148a79919 (no kernel has it)',
      origin: 'the fix without its first check (the folio locked is still the swap cache\'s for the entry)',
      description: 'only SWAP_HAS_CACHE is rechecked under the PTL: the second race is closed, the first is not — B, found for S1 before S1 was reused, is moved' },
    { name: 'folio-recheck-only', ...common, expected: 'I18', kernels: 'a step of 0ea148a79919 (no kernel has it)',
      origin: 'the fix without its second check (SWAP_HAS_CACHE under the PTL)',
      description: 'only the locked folio is rechecked: the first race is closed, the second is not — a lookup that found nothing moves S1 away from the folio now cached for it' },
  ]),
};
