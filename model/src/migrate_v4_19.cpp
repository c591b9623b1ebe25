// migrate_v4_19.cpp: kernel 4.19's migration of an anonymous page, small or a
// pmd-mapped THP (mm/migrate.c v4.19: migrate_pages, unmap_and_move,
// __unmap_and_move, move_to_new_page, migrate_page, migrate_page_move_mapping,
// remove_migration_ptes/remove_migration_pte, migration_entry_wait), with
// isolate_lru_page/putback_lru_page (mm/vmscan.c v4.19) and the target
// allocation (new_page_nodemask, mm/migrate.c v4.19). The v3.9 base is migrate.cpp.
// Yield points: the page-count steps (isolation, putback, the lockless
// page_count reads), page locks, the rmap walks' locks and every pte/pmd change.
// Invariant: the old page stays locked from try_to_unmap until its migration
// entries are removed; a target that was not used is freed.
#include "model/migrate_v4_19.h"

#include "model/huge_memory.h"
#include "model/ksm.h"
#include "model/memory.h"
#include "model/migrate.h"
#include "model/rmap.h"
#include "model/swap_state.h"
#include "model/user_access.h"

namespace model::v4_19 {

using checker::AccessKind;
using checker::FailureKind;

// mm/vmscan.c v4.19: isolate_lru_page (0, or -EBUSY when not on the LRU)
int isolate_lru_page(Kernel& k, PageId page) {
  checker::Frame frame("isolate_lru_page");
  Page& p = k.pages.at(page);
  checker::announce(p.obj, AccessKind::ReadModifyWrite, "isolate_lru_page");
  if (!p.test(PG_lru) || p.refcount == 0) {
    checker::note([&] { return p.name + " not on the LRU"; });
    return -kEBUSY;
  }
  p.flags &= ~PG_lru;
  k.get_page_locked(page);
  checker::note([&] { return p.name + " isolated"; });
  return 0;
}

// mm/vmscan.c v4.19: putback_lru_page
void putback_lru_page(Kernel& k, PageId page) {
  checker::Frame frame("putback_lru_page");
  k.putback_put(page, "putback_lru_page");
}

namespace {

// mm/migrate.c v4.19: new_page_nodemask (a THP of the same size for a THP: alloc_pages_node + prep_transhuge_page)
PageId new_page_nodemask(Kernel& k, PageId page, int nid) {
  checker::Frame frame("new_page_nodemask");
  return k.alloc_pages(nid, k.pages.at(page).nr_pages, "new_page_nodemask");
}

// mm/migrate.c v4.19: migrate_page_move_mapping (an anon page: no mapping, expected count 1; a
// swap-cache page: page_mapping() is the swap address space, the i_pages branch)
int migrate_page_move_mapping(Kernel& k, PageId newpage, PageId page) {
  checker::Frame frame("migrate_page_move_mapping");
  Page& p = k.pages.at(page);
  if (p.test(PG_swapcache)) {
    // xa_lock_irq(&mapping->i_pages), radix_tree_lookup_slot, expected_count 1 + hpage_nr_pages
    // (page_has_private is 0 for an anon page), page_ref_freeze, newpage's cache reference,
    // SetPageSwapCache(newpage), set_page_private, radix_tree_replace_slot,
    // page_ref_unfreeze(page, expected - 1): v3.9's steps (page_freeze_refs under tree_lock).
    if (p.nr_pages > 1) model_limit("migration of a THP in the swap cache (THP swap) in kernel 4.19");
    // newpage->index and ->mapping are set under the freeze, before the slot exposes newpage;
    // newpage is locked and unused until then, so the model sets them first (undone on failure).
    Page& np = k.pages.at(newpage);
    np.index = p.index;
    np.mapping = p.mapping;
    const int rc = model::migrate_page_move_mapping(k, newpage, page);
    if (rc) {
      np.mapping = Mapping{};
      return rc;
    }
    // "Move dirty while page refs frozen and newpage not yet exposed" (done with the handover)
    if (p.test(PG_dirty)) {
      p.flags &= ~static_cast<std::uint32_t>(PG_dirty);
      np.flags |= PG_dirty;
    }
    return 0;
  }
  checker::announce(p.obj, AccessKind::Read, "migrate_page_move_mapping");
  if (p.refcount != 1) {
    checker::note([&] { return "page_count(" + p.name + ") = " + std::to_string(p.refcount) + " != 1: -EAGAIN"; });
    return -kEAGAIN;
  }
  checker::note([&] { return "page_count(" + p.name + ") = 1"; });
  Page& np = k.pages.at(newpage);
  np.index = p.index;
  np.mapping = p.mapping;
  return 0;
}

// mm/migrate.c v4.19: migrate_page (with migrate_page_copy / migrate_page_states, ksm_migrate_page)
int migrate_page(Kernel& k, PageId newpage, PageId page) {
  checker::Frame frame("migrate_page");
  // "Writeback must be complete" (a check of the model's state, no step: the caller read
  // PG_writeback clear under the page lock, and only reclaim sets it, under that lock)
  if (k.pages.at(page).test(PG_writeback)) checker::fail(FailureKind::BugOn, "BUG_ON(PageWriteback(page))");
  const int rc = v4_19::migrate_page_move_mapping(k, newpage, page);
  if (rc) return rc;
  Page& np = k.pages.at(newpage);
  Page& p = k.pages.at(page);
  read_page_data(k, page, "copy_highpage");  // a step on the data when the scenario stores
  np.content = p.content;  // copy_huge_page / copy_highpage
  np.flags |= p.flags & (PG_uptodate | PG_dirty);
  // migrate_page_states: ksm_migrate_page(newpage, page) (mm/ksm.c v4.19, the v3.9 function):
  // the stable node's kpfn moves to newpage, then the old page's stable node is cleared.
  if (p.PageKsm()) ksm_migrate_page(k, newpage, page);
  // "Please do not reorder this without considering how mm/ksm.c's get_ksm_page() depends upon
  // ksm_migrate_page() and PageSwapCache()": ClearPageSwapCache, ClearPagePrivate, set_page_private(0).
  if (p.test(PG_swapcache)) {
    p.flags &= ~static_cast<std::uint32_t>(PG_swapcache);
    p.swap_entry = 0;
  }
  return 0;
}

// mm/migrate.c v4.19: move_to_new_page (anon: page->mapping kept for free_pages_prepare)
int move_to_new_page(Kernel& k, PageId newpage, PageId page) {
  checker::Frame frame("move_to_new_page");
  if (!k.pages[page].PageLocked() || !k.pages[newpage].PageLocked())
    checker::fail(FailureKind::BugOn, "VM_BUG_ON_PAGE(!PageLocked(page) || !PageLocked(newpage))");
  return migrate_page(k, newpage, page);
}

// mm/migrate.c v4.19: remove_migration_pte (rmap_one; page_vma_mapped_walk with PVMW_SYNC|PVMW_MIGRATION)
bool remove_migration_pte(Kernel& k, PageId newpage, std::uint32_t vma, std::uint64_t address, PageId old) {
  checker::Frame frame("remove_migration_pte");
  PageVmaMappedWalk pvmw;
  pvmw.page = old;
  pvmw.vma = vma;
  pvmw.address = address;
  pvmw.migration = true;
  if (!page_vma_mapped_walk(k, pvmw)) return true;
  if (!pvmw.pte) {
    remove_migration_pmd(k, pvmw, newpage);  // PMD-mapped THP migration entry
  } else {
    const std::uint32_t mm = k.vmas.at(vma).mm;
    const Pte entry = pvmw.pte->pte;
    k.get_page(newpage, "remove_migration_pte");
    const bool write = entry.write && (k.vmas[vma].flags & VM_WRITE);  // maybe_mkwrite
    // pte_mkold(mk_pte(new, vm_page_prot)), maybe_mkwrite for a write entry: old and clean.
    k.set_pte(mm, *pvmw.pte, maybe_mkwrite(pte_mkold(Pte::mk_pte(newpage)), write), "remove_migration_pte");
    k.touch_page(newpage, "remove_migration_pte");  // page_add_anon_rmap
    page_add_anon_rmap(k, newpage, vma, address);
  }
  page_vma_mapped_walk_done(k, pvmw);
  return true;
}

// mm/migrate.c v4.19: __unmap_and_move
int unmap_and_move_locked(Kernel& k, PageId page, PageId newpage, bool force) {
  Page& p = k.pages.at(page);
  int rc = -kEAGAIN;
  if (!p.lock->try_lock("__unmap_and_move")) {
    checker::note([&] { return "trylock_page(" + p.name + ") failed"; });
    if (!force) return rc;
    p.lock->lock("__unmap_and_move");
  }
  // PageWriteback(page) (a swap-out's set_page_writeback; no step without reclaim in the
  // scenario): MIGRATE_SYNC waits only when forced, else out_unlock with -EAGAIN.
  if (!model::unmap_and_move_writeback(k, page, force)) return rc;
  // page_get_anon_vma(): only a 4.19 munmap or exit can free an anon_vma (unlink_anon_vmas);
  // without one in the scenario the reference is left out (Kernel::anon_vma_refs_v4_19).
  const std::uint32_t anon_vma =
      k.anon_vma_refs_v4_19 && p.PageAnon() && !p.PageKsm() ? page_get_anon_vma(k, page) : kNoAnonVma;
  auto drop_anon_vma = [&] {  // out_unlock: "Drop an anon_vma reference if we took one"
    if (anon_vma != kNoAnonVma) put_anon_vma_step(k, anon_vma, "__unmap_and_move");
  };
  Page& np = k.pages.at(newpage);
  if (!np.lock->try_lock("__unmap_and_move")) {
    drop_anon_vma();
    p.lock->unlock("__unmap_and_move");  // out_unlock
    k.events.emit(ThreadEvents::UnlockPage);
    return rc;
  }
  bool page_was_mapped = false;
  checker::announce(p.obj, AccessKind::Read, "__unmap_and_move");  // page_mapped(page)
  checker::note([&] { return "page_mapped(" + p.name + ") = " + std::to_string(p.mapcount); });
  if (p.page_mapped()) {
    try_to_unmap(k, page);
    page_was_mapped = true;
  }
  checker::announce(p.obj, AccessKind::Read, "__unmap_and_move");
  checker::note([&] { return "page_mapped(" + p.name + ") = " + std::to_string(p.mapcount); });
  if (!p.page_mapped()) rc = move_to_new_page(k, newpage, page);
  if (page_was_mapped) v4_19::remove_migration_ptes(k, page, rc == 0 ? newpage : page);
  np.lock->unlock("__unmap_and_move");
  drop_anon_vma();
  check_g1_before_unlock(k, page);
  p.lock->unlock("__unmap_and_move");
  k.events.emit(ThreadEvents::UnlockPage);  // the start_after event "unlock_page"
  if (rc == 0) putback_lru_page(k, newpage);
  return rc;
}

// mm/migrate.c v4.19: unmap_and_move
int unmap_and_move(Kernel& k, PageId page, int to_node, bool force) {
  checker::Frame frame("unmap_and_move");
  const PageId newpage = new_page_nodemask(k, page, to_node);
  if (newpage == kNoPage) return -kENOMEM;
  Page& p = k.pages.at(page);
  checker::announce(p.obj, AccessKind::Read, "unmap_and_move");
  if (p.refcount == 1) {  // page was freed from under us
    checker::note([&] { return "page_count(" + p.name + ") == 1: freed from under us"; });
    k.put_page(newpage, "unmap_and_move");
    k.put_page(page, "unmap_and_move");
    return 0;
  }
  checker::note([&] { return "page_count(" + p.name + ") = " + std::to_string(p.refcount); });
  const int rc = v4_19::unmap_and_move_locked(k, page, newpage, force);
  if (rc == 0) {
    k.put_page(page, "unmap_and_move");  // the isolation reference: frees the old page
  } else {
    if (rc != -kEAGAIN) putback_lru_page(k, page);
    k.put_page(newpage, "unmap_and_move");  // put_new: frees the unused target
  }
  return rc;
}

}  // namespace

// mm/migrate.c v4.19: remove_migration_ptes (rmap_walk, not locked: rmap_walk_ksm for a KSM page)
void remove_migration_ptes(Kernel& k, PageId old, PageId newpage) {
  checker::Frame frame("remove_migration_ptes");
  rmap_walk(k, newpage, [&k, old, newpage](std::uint32_t vma, std::uint64_t address) {
    return remove_migration_pte(k, newpage, vma, address, old);
  });
}

// mm/migrate.c v4.19: migration_entry_wait -> __migration_entry_wait (pte_lockptr of the table)
void migration_entry_wait(Kernel& k, std::uint32_t mm, std::uint64_t addr) {
  checker::Frame frame("migration_entry_wait");
  PteSlot* slot = k.pte_slot(mm, addr);
  if (!slot) return;
  checker::Spinlock& ptl = k.pte_lockptr(mm, addr);
  ptl.lock("migration_entry_wait");
  const Pte pte = slot->pte;
  checker::note([&] { return "pte " + k.where(mm, addr) + " = " + k.pte_str(pte); });
  if (!pte.is_migration()) {
    ptl.unlock("migration_entry_wait");
    return;
  }
  Page& page = k.pages.at(pte.page);
  checker::announce(page.lock->id(), AccessKind::Read, "migration_entry_to_page");
  if (!page.PageLocked())
    checker::fail(FailureKind::BugOn, "BUG_ON(!PageLocked(p)) in migration_entry_to_page: " + k.where(mm, addr) +
                                          " holds " + k.pte_str(pte) + " but " + page.name + " is not locked");
  k.touch_page(pte.page, "migration_entry_wait");  // get_page_unless_zero
  if (page.refcount == 0) {
    checker::note([&] { return "get_page_unless_zero(" + page.name + ") failed: frozen"; });
    ptl.unlock("migration_entry_wait");
    // Frozen by migrate_page_move_mapping (a swap-cache page): the fault returns and the
    // access faults again, round after round, until the unfreeze; those rounds change
    // nothing, so the model waits for the count once (a zap of the pte meanwhile is seen
    // after the unfreeze, which changes no outcome: the old page stays locked until its
    // migration entries are gone).
    checker::announce_blocking(page.obj, AccessKind::Wait, "migration_entry_wait",
                               [&page] { return page.refcount != 0 || page.freed; });
    return;
  }
  k.get_page_locked(pte.page);
  checker::note([&] { return "get_page(" + page.name + ") -> " + std::to_string(page.refcount); });
  ptl.unlock("migration_entry_wait");
  page.lock->wait_unlocked("migration_entry_wait");
  k.put_page(pte.page, "migration_entry_wait");
}

// mm/migrate.c v4.19: migrate_pages (one page on the list; the caller isolated it and puts it back)
int migrate_pages(Kernel& k, PageId page, int to_node, int passes) {
  if (isolate_lru_page(k, page)) return -kEBUSY;
  int rc = -kEAGAIN;
  {
    checker::Frame frame("migrate_pages");
    for (int pass = 0; pass < passes && rc == -kEAGAIN; ++pass) rc = v4_19::unmap_and_move(k, page, to_node, pass > 2);
  }
  if (rc == -kEAGAIN || rc == -kENOMEM) putback_lru_page(k, page);  // putback_movable_pages by the caller
  return rc;
}

}  // namespace model::v4_19
