// gup_v4_19.cpp: kernel 4.19's follow_page (mm/gup.c v4.19: follow_page ->
// follow_page_mask -> follow_pmd_mask -> follow_page_pte) at the pmd and pte
// level, for KSM's callers (break_ksm, get_mergeable_page, ksmd's scan). The
// v3.9 form is memory.cpp's follow_page, which dispatches here in 4.19.
// Yield points: the lockless READ_ONCE of the pmd, the table's ptl (pte_lockptr),
// FOLL_GET's get_page under it, and migration_entry_wait's steps.
// Invariant: returns with no lock held; with FOLL_GET the page's reference is the caller's.
#include "model/huge_memory.h"
#include "model/memory.h"
#include "model/migrate_v4_19.h"

namespace model::v4_19 {

// mm/gup.c v4.19: follow_page -> follow_page_mask -> follow_pmd_mask -> follow_page_pte (anon vmas)
PageId follow_page(Kernel& k, std::uint32_t vma, std::uint64_t addr, unsigned flags) {
  const std::uint32_t mm = k.vmas.at(vma).mm;
  for (;;) {  // retry:
    PmdSlot* pmd = k.pmd_slot(mm, addr);
    if (!pmd) return kNoPage;  // no_page_table
    const Pmd pmdval = k.read_pmd(mm, *pmd, "follow_pmd_mask");  // pmdval = READ_ONCE(*pmd)
    if (pmd_none(pmdval)) return kNoPage;
    // A huge pmd (follow_trans_huge_pmd) or a pmd migration entry: KSM scenarios of 4.19
    // have no THP in a mergeable vma (refused at load), so this is never reached.
    if (!pmdval.is_table()) model_limit("follow_page of a huge or migrating pmd in kernel 4.19");
    PteSlot* slot = k.pte_slot(mm, addr);
    if (!slot) return kNoPage;  // a pte never populated: pte_none
    checker::Spinlock& ptl = k.pte_lockptr(mm, addr);
    ptl.lock("follow_page_pte");  // pte_offset_map_lock
    const Pte pte = slot->pte;
    checker::note([&] { return "pte " + k.where(mm, addr) + " = " + k.pte_str(pte); });
    if (!pte.is_present()) {
      // "KSM's break_ksm() relies upon recognizing a ksm page even while it is being
      // migrated, so for that case we need migration_entry_wait()."
      if (!(flags & FOLL_MIGRATION) || !pte.is_migration()) {
        ptl.unlock("follow_page_pte");  // no_page
        return kNoPage;
      }
      ptl.unlock("follow_page_pte");
      v4_19::migration_entry_wait(k, mm, addr);
      continue;  // goto retry
    }
    if ((flags & FOLL_WRITE) && !pte.write) {  // !can_follow_write_pte (no FOLL_FORCE)
      ptl.unlock("follow_page_pte");
      return kNoPage;
    }
    // vm_normal_page: the zero page is returned by the kernel (is_zero_pfn) with a reference;
    // every KSM caller treats it as "no anon page" (break_ksm: not PageKsm, done;
    // get_mergeable_page and the scan: not PageAnon, put), so the model returns NULL for it.
    const PageId page = k.vm_normal_page(pte);
    if (page == kNoPage) {
      ptl.unlock("follow_page_pte");
      return kNoPage;
    }
    if (flags & FOLL_GET) k.page_ref_get_mapped(page, "follow_page_pte");  // try_get_page
    ptl.unlock("follow_page_pte");
    return page;
  }
}

}  // namespace model::v4_19
