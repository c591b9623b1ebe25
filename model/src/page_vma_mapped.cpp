// page_vma_mapped.cpp: page_vma_mapped_walk (mm/page_vma_mapped.c v4.19) for
// a page mapped once per vma: by one huge pmd (a THP) or one pte.
// Yield points: the lockless READ_ONCE of the pmd, the pmd lock or the
// table's ptl, map_pte's lockless look at the pte.
// Invariant: a walk that returns true holds pvmw.ptl; one that returns false
// holds nothing.
#include "model/huge_memory.h"

#include "model/memory.h"

namespace model::v4_19 {

using checker::AccessKind;

namespace {

// mm/page_vma_mapped.c v4.19: check_pte (under the ptl)
bool check_pte(const PageVmaMappedWalk& pvmw) {
  const Pte& pte = pvmw.pte->pte;
  if (pvmw.migration) return pte.is_migration() && pte.page == pvmw.page;
  return pte.is_present() && pte.page == pvmw.page;
}

}  // namespace

// mm/page_vma_mapped.c v4.19: page_vma_mapped_walk
bool page_vma_mapped_walk(Kernel& k, PageVmaMappedWalk& pvmw) {
  checker::Frame frame("page_vma_mapped_walk");
  const std::uint32_t mm = k.vmas.at(pvmw.vma).mm;
  PmdSlot* slot = k.pmd_slot(mm, pvmw.address);
  if (!slot) return false;  // pud/pmd never populated
  const Pmd pmde = k.read_pmd(mm, *slot, "page_vma_mapped_walk");  // READ_ONCE(*pvmw->pmd)
  if (pmd_trans_huge(pmde) || is_pmd_migration_entry(pmde)) {
    checker::Spinlock& ptl = *k.mms[mm].pmd_lock;
    ptl.lock("page_vma_mapped_walk");
    const Pmd now = slot->pmd;
    checker::note([&] { return "pmd " + k.where(mm, slot->address) + " = " + k.pmd_str(now); });
    bool found = false;
    if (pmd_trans_huge(now)) {
      found = !pvmw.migration && now.page == pvmw.page;  // pmd_page(pmde) == page
    } else if (!pmd_present(now)) {
      found = pvmw.migration && is_pmd_migration_entry(now) && now.page == pvmw.page;
    } else {
      // "THP pmd was split under us: handle on pte level": no split in the model.
      model_limit("page_vma_mapped_walk on a pmd split under it");
    }
    if (!found) {
      ptl.unlock("page_vma_mapped_walk");
      return false;
    }
    pvmw.pmd = slot;
    pvmw.pte = nullptr;
    pvmw.ptl = &ptl;
    return true;
  }
  if (!pmd_present(pmde)) return false;  // step_forward(pvmw, PMD_SIZE)
  PteSlot* pte = k.pte_slot(mm, pvmw.address);
  if (!pte) return false;
  // map_pte(): without PVMW_SYNC a lockless look first.
  checker::announce(pte->obj, AccessKind::Read, "map_pte");
  const Pte look = pte->pte;
  checker::note([&] { return "pte " + k.where(mm, pvmw.address) + " = " + k.pte_str(look); });
  if (pvmw.migration ? !look.is_migration() : !look.is_present()) return false;
  checker::Spinlock& ptl = k.pte_lockptr(mm, pvmw.address);
  ptl.lock("page_vma_mapped_walk");
  pvmw.pmd = slot;
  pvmw.pte = pte;
  pvmw.ptl = &ptl;
  if (check_pte(pvmw)) return true;
  ptl.unlock("page_vma_mapped_walk");
  pvmw.ptl = nullptr;
  return false;
}

// mm/page_vma_mapped.c v4.19: page_vma_mapped_walk_done
void page_vma_mapped_walk_done(Kernel& k, PageVmaMappedWalk& pvmw) {
  (void)k;
  if (pvmw.ptl) pvmw.ptl->unlock("page_vma_mapped_walk_done");
  pvmw.ptl = nullptr;
}

}  // namespace model::v4_19
