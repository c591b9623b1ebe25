// rmap.cpp: try_to_unmap, try_to_unmap_one and rmap_walk (mm/rmap.c v3.9).
// KSM pages dispatch to try_to_unmap_ksm / rmap_walk_ksm (ksm.cpp); plain anon
// and file pages are outside what the seed scenarios need (model limit).
// Invariant: try_to_unmap_one changes a pte only under that mm's ptl; a swap
// pte it installs is counted in swap_map (swap_duplicate) before it is set.
#include "model/rmap.h"

#include "model/ksm.h"
#include "model/memory.h"
#include "model/swap_state.h"

namespace model {

using checker::FailureKind;

// mm/rmap.c v3.9: try_to_unmap_one (TTU_MIGRATION|TTU_IGNORE_MLOCK|TTU_IGNORE_ACCESS)
int try_to_unmap_one(Kernel& k, PageId page, std::uint32_t vma, std::uint64_t addr, unsigned flags) {
  std::uint32_t mm = k.vmas.at(vma).mm;
  MmStruct& m = k.mms.at(mm);
  PteSlot* slot = k.pte_slot(mm, addr);
  if (!slot) return SWAP_AGAIN;
  // page_check_address(): take the ptl and check the pte maps this page.
  m.ptl->lock("try_to_unmap_one");
  Page& p = k.pages.at(page);
  if (!(slot->pte.is_present() && slot->pte.page == page)) {
    checker::note([&] { return std::string("pte " + k.where(mm, addr) + " = " + k.pte_str(slot->pte) + ": not " + p.name); });
    m.ptl->unlock("try_to_unmap_one");
    return SWAP_AGAIN;
  }
  Pte pteval = slot->pte;
  if (pteval.write) p.flags |= PG_dirty;  // the dirty bit moves to the page
  Pte entry;
  if (p.test(PG_swapcache)) {
    // swap_duplicate(): the new swap pte holds a swap count (the swap map's
    // lock, a step on swapper_space, taken under the ptl). It cannot fail here.
    swap_duplicate(k, p.swap_entry);
    entry = Pte::swap(p.swap_entry);
  } else {
    if (!(flags & TTU_MIGRATION))
      checker::fail(FailureKind::BugOn, "BUG_ON(TTU_ACTION(flags) != TTU_MIGRATION)");
    entry = Pte::migration(page, pteval.write);  // make_migration_entry()
  }
  k.set_pte(mm, *slot, entry, "try_to_unmap_one");
  // mm/rmap.c v3.9: page_remove_rmap (atomic_add_negative on _mapcount: its
  // result only feeds zone statistics the model does not keep)
  k.page_mapcount_add(page, -1, "try_to_unmap_one");
  // page_cache_release(): the pte's reference. Every caller of try_to_unmap
  // holds a reference of its own (isolate_lru_page), so this is never the last.
  k.page_ref_put_held(page, "try_to_unmap_one");
  m.ptl->unlock("try_to_unmap_one");
  return SWAP_AGAIN;
}

// mm/rmap.c v3.9: try_to_unmap
int try_to_unmap(Kernel& k, PageId page, unsigned flags) {
  Page& p = k.pages.at(page);
  if (!p.PageLocked()) checker::fail(FailureKind::BugOn, "BUG_ON(!PageLocked(page)) in try_to_unmap");
  int ret;
  if (p.PageKsm())
    ret = try_to_unmap_ksm(k, page, flags);
  else if (p.PageAnon())
    model_limit("try_to_unmap_anon (migration of a non-KSM anon page)");
  else
    model_limit("try_to_unmap_file");
  if (ret != SWAP_MLOCK && !p.page_mapped()) ret = SWAP_SUCCESS;
  return ret;
}

// mm/rmap.c v3.9: rmap_walk
int rmap_walk(Kernel& k, PageId page, const RmapOne& rmap_one) {
  Page& p = k.pages.at(page);
  if (!p.PageLocked()) checker::fail(FailureKind::BugOn, "VM_BUG_ON(!PageLocked(page)) in rmap_walk");
  if (p.PageKsm()) return rmap_walk_ksm(k, page, rmap_one);
  if (p.PageAnon()) model_limit("rmap_walk_anon (migration of a non-KSM anon page)");
  model_limit("rmap_walk_file");
}

}  // namespace model
