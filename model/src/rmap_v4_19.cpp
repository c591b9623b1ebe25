// rmap_v4_19.cpp: kernel 4.19's try_to_unmap / try_to_unmap_one (TTU_MIGRATION,
// and reclaim's swap-out: a swap-cache page's ptes become swap ptes), rmap_walk
// and rmap_walk_anon (mm/rmap.c v4.19), beside the v3.9 base in rmap.cpp; a KSM
// page's walk is ksm.cpp's rmap_walk_ksm (the same in 4.19).
// try_to_unmap_one brackets the unmap with the mmu notifier's
// invalidate_range_start/end (HMM marks overlapping ranges invalid at the end)
// and finds the mapping with page_vma_mapped_walk: a huge pmd becomes a pmd
// migration entry (set_pmd_migration_entry), a pte a pte migration entry.
// Invariant: a mapping changes only under its pmd lock or ptl.
#include <functional>

#include "model/huge_memory.h"
#include "model/ksm.h"
#include "model/memory.h"
#include "model/user_access.h"
#include "model/migrate_v4_19.h"
#include "model/rmap.h"
#include "model/swap_state.h"

namespace model::v4_19 {

using checker::FailureKind;

// mm/rmap.c v4.19: rmap_walk_anon (rmap_walk_anon_lock: rwc->anon_lock, else page_anon_vma and
// anon_vma_lock_read of the root; the interval tree is the vma list)
void rmap_walk_anon(Kernel& k, PageId page, const std::function<bool(std::uint32_t, std::uint64_t)>& rmap_one,
                    AnonLock lock) {
  checker::Frame frame("rmap_walk_anon");
  Page& p = k.pages.at(page);
  if (p.mapping.kind != Mapping::Kind::Anon) model_limit("rmap_walk_file in kernel 4.19");  // KSM: rmap_walk
  std::uint32_t anon_vma;
  if (lock == AnonLock::PageLockAnonVmaRead) {
    // No KASAN check: the anon_vma is reached under rcu_read_lock while the page is mapped,
    // and anon_vmas are SLAB_TYPESAFE_BY_RCU (page_lock_anon_vma_read).
    anon_vma = page_lock_anon_vma_read(k, page);
    if (anon_vma == kNoAnonVma) return;
  } else {
    anon_vma = p.mapping.id;  // page_anon_vma(page)
    k.kasan_anon_vma(anon_vma, "rmap_walk_anon");  // freed by a 4.19 munmap or exit's unlink_anon_vmas
    k.kasan_anon_vma(k.anon_vmas.at(anon_vma).root, "rmap_walk_anon");
    k.anon_vmas.at(k.anon_vmas.at(anon_vma).root).lock->down_read("rmap_walk_anon");  // anon_vma_lock_read
  }
  AnonVma& av = k.anon_vmas.at(anon_vma);
  for (std::uint32_t vma : std::vector<std::uint32_t>(av.vmas)) {
    const std::uint64_t address = k.vmas.at(vma).address_of(p.index);  // vma_address()
    if (!address) continue;
    if (!rmap_one(vma, address)) break;
  }
  if (lock == AnonLock::PageLockAnonVmaRead) page_unlock_anon_vma_read(k, anon_vma);
  else k.anon_vmas.at(av.root).lock->up_read("rmap_walk_anon");  // anon_vma_unlock_read
}

// mm/rmap.c v4.19: rmap_walk (PageKsm -> mm/ksm.c v4.19 rmap_walk_ksm, else rmap_walk_anon)
void rmap_walk(Kernel& k, PageId page, const std::function<bool(std::uint32_t, std::uint64_t)>& rmap_one,
               AnonLock lock) {
  checker::Frame frame("rmap_walk");
  if (!k.pages.at(page).PageKsm()) return rmap_walk_anon(k, page, rmap_one, lock);
  // rmap_walk_ksm: each rmap_item of the page's stable node, its anon_vma's root read-locked,
  // the item's own vma first, then (search_new_forks) other mms' (ksm.cpp, as in v3.9).
  model::rmap_walk_ksm(k, page, [&rmap_one](PageId, std::uint32_t vma, std::uint64_t address) {
    return rmap_one(vma, address) ? int{SWAP_AGAIN} : int{SWAP_SUCCESS};
  });
}

namespace {

// mm/rmap.c v4.19: try_to_unmap_one (TTU_MIGRATION|TTU_IGNORE_MLOCK|TTU_IGNORE_ACCESS, or
// reclaim's flags without TTU_MIGRATION: the PageAnon swap branch; the young-bit check and
// TTU_BATCH_FLUSH's deferred flush are not modelled: the pte is taken as old, flushed at once)
bool try_to_unmap_one(Kernel& k, PageId page, std::uint32_t vma, std::uint64_t address, unsigned flags) {
  checker::Frame frame("try_to_unmap_one");
  const std::uint32_t mm = k.vmas.at(vma).mm;
  Page& p = k.pages.at(page);
  // end = vma_address_end(page, vma): the whole THP, or one page.
  std::uint64_t end = address + p.nr_pages * kPageSize;
  if (p.PageTransHuge()) end = std::min(address + kPmdSize, k.vmas[vma].end);
  mmu_notifier_invalidate_range_start(k, mm, address, end);
  PageVmaMappedWalk pvmw;
  pvmw.page = page;
  pvmw.vma = vma;
  pvmw.address = address;
  if (page_vma_mapped_walk(k, pvmw)) {
    if (!pvmw.pte) {
      // PMD-mapped THP migration entry
      if (!p.PageTransHuge()) checker::fail(FailureKind::BugOn, "VM_BUG_ON_PAGE(PageHuge(page) || !PageTransCompound(page))");
      set_pmd_migration_entry(k, pvmw, page);
    } else {
      // The swap branch: "PageSwapBacked(page) != PageSwapCache(page)" (add_to_swap ran first).
      if (!(flags & TTU_MIGRATION) && !p.test(PG_swapcache))
        checker::fail(FailureKind::WarnOn, "WARN_ON_ONCE(PageSwapBacked(page) != PageSwapCache(page))");
      // ptep_clear_flush, then the migration entry (make_migration_entry) or the swap pte
      // (swp_entry_to_pte of page_private) in its place: one write of the pte.
      const Pte entry = (flags & TTU_MIGRATION) ? Pte::migration(page, pvmw.pte->pte.write) : Pte::swap(p.swap_entry);
      const Pte pteval = k.ptep_modify(mm, *pvmw.pte, [&](const Pte&) { return entry; }, "try_to_unmap_one");
      // ptep_clear_flush's flush (pte_accessible: a read-only pte too, whose writable translation
      // a store may have cached before fork write-protected it): the store's translation is gone
      flush_tlb_page(k, mm, address, page, "try_to_unmap_one");
      if (pteval.dirty) p.flags |= PG_dirty;  // set_page_dirty: the dirty bit moves to the page
      // swap_duplicate(entry) under the ptl, after the clear (it cannot fail in the model);
      // mm->mmlist's list_add is not modelled (swapoff walks every mm).
      if (!(flags & TTU_MIGRATION)) swap_duplicate(k, p.swap_entry);
      k.touch_page(page, "try_to_unmap_one");  // page_remove_rmap, put_page
      page_remove_rmap(k, page);
      k.put_page_locked(page);
    }
    // page_vma_mapped_walk() finds nothing more (one mapping per vma) and drops the lock.
    page_vma_mapped_walk_done(k, pvmw);
  }
  mmu_notifier_invalidate_range_end(k, mm, address, end);
  return true;
}

}  // namespace

// mm/rmap.c v4.19: try_to_unmap (rmap_walk with done = page_not_mapped; returns !page_mapcount)
bool try_to_unmap(Kernel& k, PageId page, unsigned flags) {
  checker::Frame frame("try_to_unmap");
  Page& p = k.pages.at(page);
  if (!p.PageLocked()) checker::fail(FailureKind::BugOn, "VM_BUG_ON_PAGE(!PageLocked(page)) in rmap_walk");
  if (p.PageKsm() && !(flags & TTU_MIGRATION)) model_limit("swap-out of a KSM page (try_to_unmap) in kernel 4.19");
  rmap_walk(
      k, page,
      [&k, page, flags](std::uint32_t vma, std::uint64_t address) {
        v4_19::try_to_unmap_one(k, page, vma, address, flags);
        return k.pages[page].mapcount > 0;  // rwc.done: page_mapcount_is_zero
      },
      AnonLock::PageLockAnonVmaRead);  // rwc.anon_lock = page_lock_anon_vma_read
  return p.mapcount == 0;
}

}  // namespace model::v4_19
