// migrate.cpp: migrate_pages, unmap_and_move, __unmap_and_move,
// move_to_new_page, migrate_page, migrate_page_move_mapping,
// migrate_page_copy, remove_migration_ptes/remove_migration_pte
// (mm/migrate.c v3.9), isolate_lru_page / putback_lru_page (mm/vmscan.c v3.9);
// below, in namespace v2_6_33, the v2.6.33 migration with `offlining` (seeds 001/002).
//
// Yield points: isolation and putback (page refcount), page lock operations,
// the lockless page_count / page_mapped reads, every ptl operation and pte
// transition in try_to_unmap / remove_migration_ptes (get_page, set_pte_at,
// page_add_anon_rmap in the kernel's order), the swap-cache handover of a
// swap-cache page (freeze on the old page, the slot on `swapper_space`,
// unfreeze), the kpfn switch.
// Invariant: a target page comes from the preallocated pool; on failure it is
// freed (never returned to the pool).
#include "model/migrate.h"

#include <algorithm>

#include "model/ksm.h"
#include "model/memory.h"
#include "model/rmap.h"
#include "model/swap_state.h"
#include "model/user_access.h"
#include "model/v2_6_33.h"

namespace model {

using checker::AccessKind;
using checker::FailureKind;

namespace {

// mm/vmscan.c v2.6.33, v3.9: isolate_lru_page (0, or -EBUSY when not on the LRU)
int isolate_lru_page(Kernel& k, PageId page) {
  checker::Frame frame("isolate_lru_page");
  Page& p = k.pages.at(page);
  // Under the zone's lru_lock, which freeing a page on the LRU takes too:
  // PageLRU, get_page and ClearPageLRU are one step on the whole page.
  checker::announce(p.obj, AccessKind::ReadModifyWrite, "isolate_lru_page");
  if (!p.test(PG_lru) || p.refcount == 0) {
    checker::note([&] { return std::string(p.name + " not on the LRU"); });
    return -kEBUSY;
  }
  p.flags &= ~PG_lru;
  k.get_page_locked(page);
  k.own_page_ref(page);  // the isolation reference, dropped by putback_lru_page
  checker::note([&] { return std::string(p.name + " isolated"); });
  return 0;
}

// mm/vmscan.c v2.6.33, v3.9: putback_lru_page (SetPageLRU and the put_page of the
// isolation or allocation reference: one step, Kernel::putback_put)
void putback_lru_page(Kernel& k, PageId page) {
  checker::Frame frame("putback_lru_page");
  int& own = k.own_refs[{checker::current_thread(), page}];
  if (own > 0) --own;
  k.putback_put(page, "putback_lru_page");
}

}  // namespace

// mm/migrate.c v2.6.33, v3.9: migrate_page_move_mapping (an anon page without mapping, or a
// swap-cache page on swapper_space: the two eras' code is the same)
int migrate_page_move_mapping(Kernel& k, PageId newpage, PageId page) {
  checker::Frame frame("migrate_page_move_mapping");
  Page& p = k.pages.at(page);
  checker::announce(p.obj, AccessKind::ReadModifyWrite, "migrate_page_move_mapping");
  if (!p.test(PG_swapcache)) {  // anonymous page without mapping
    if (p.refcount != 1) {
      checker::note([&] { return std::string("page_count(" + p.name + ") = " + std::to_string(p.refcount) + " != 1: -EAGAIN"); });
      return -kEAGAIN;
    }
    checker::note([&] { return std::string("page_count(" + p.name + ") = 1"); });
    return 0;
  }
  // In the swap cache: spin_lock_irq(&mapping->tree_lock) is held from here
  // to the unfreeze. Its other users on this slot (reclaim's and
  // reuse_swap_page's __delete_from_swap_cache) need the page lock, which
  // migration holds, so the lock is not an object of its own; the lockless
  // find_get_page sees the three changes below as three steps.
  const std::uint32_t entry = p.swap_entry;
  const int expected = 2;  // the swap cache's reference and ours
  // page_count() != expected_count || *pslot != page, else page_freeze_refs().
  if (p.refcount != expected || swap_cache_page(k, entry) != page) {
    checker::note([&] { return std::string("page_count(" + p.name + ") = " + std::to_string(p.refcount) + " != 2: -EAGAIN"); });
    return -kEAGAIN;
  }
  p.refcount = 0;  // page_freeze_refs(page, expected_count)
  checker::note([&] { return std::string(p.name + " refcount frozen at 0 (expected 2)"); });
  // get_page(newpage), SetPageSwapCache(newpage), set_page_private(newpage),
  // radix_tree_replace_slot(pslot, newpage): the handover, a step on the tree.
  checker::announce(k.swap.tree_obj, AccessKind::ReadModifyWrite, "migrate_page_move_mapping");
  Page& np = k.pages.at(newpage);
  k.get_page_locked(newpage);  // the swap cache's reference on the new page
  np.flags |= PG_swapcache;
  np.swap_entry = entry;
  k.swap.cache[entry] = newpage;
  checker::note([&] { return std::string("swap cache slot " + std::to_string(entry) + ": " + p.name + " -> " + np.name); });
  // page_unfreeze_refs(page, expected_count - 1); spin_unlock_irq(&mapping->tree_lock)
  checker::announce(p.obj, AccessKind::ReadModifyWrite, "migrate_page_move_mapping");
  p.refcount = expected - 1;
  checker::note([&] { return std::string(p.name + " refcount unfrozen at " + std::to_string(p.refcount)); });
  return 0;
}

namespace {

// mm/migrate.c v3.9: migrate_page_copy
void migrate_page_copy(Kernel& k, PageId newpage, PageId page) {
  checker::Frame frame("migrate_page_copy");
  Page& np = k.pages.at(newpage);
  Page& p = k.pages.at(page);
  read_page_data(k, page, "copy_highpage");
  np.content = p.content;
  np.flags |= p.flags & (PG_uptodate | PG_dirty);
  ksm_migrate_page(k, newpage, page);
  // "Please do not reorder this without considering how mm/ksm.c's
  // get_ksm_page() depends upon ksm_migrate_page() and PageSwapCache()."
  p.flags &= ~PG_swapcache;
  p.swap_entry = 0;  // ClearPagePrivate, set_page_private(page, 0)
}

// mm/migrate.c v3.9: migrate_page
int migrate_page(Kernel& k, PageId newpage, PageId page) {
  checker::Frame frame("migrate_page");
  // "Writeback must be complete" (a check of the model's state, no step: the
  // caller read PG_writeback clear under the page lock, and only reclaim sets it,
  // under that lock).
  if (k.pages.at(page).test(PG_writeback))
    checker::fail(FailureKind::BugOn, "BUG_ON(PageWriteback(page))");
  int rc = migrate_page_move_mapping(k, newpage, page);
  if (rc) return rc;
  migrate_page_copy(k, newpage, page);
  return 0;
}

// mm/migrate.c v2.6.33 (v3.0 alike): remove_migration_pte's "if (!is_swap_pte(*ptep)) goto out",
// a read of the pte without the ptl: true when it finds no swap entry and the walk skips the pte
bool lockless_not_swap_pte(Kernel& k, std::uint32_t mm, std::uint64_t addr, const PteSlot& slot) {
  checker::announce(slot.obj, AccessKind::Read, "remove_migration_pte");
  if (!slot.pte.is_present() && !slot.pte.is_none()) return false;
  checker::note([&] { return std::string("pte " + k.where(mm, addr) + " = " + k.pte_str(slot.pte) +
                                         " (read without the ptl): not a swap entry, skipped"); });
  return true;
}

// mm/migrate.c v3.9: remove_migration_pte (486cf46f3f9b reverted: v3.0's lockless peek first, as v2.6.33's)
int remove_migration_pte(Kernel& k, PageId newpage, std::uint32_t vma, std::uint64_t addr, PageId old) {
  checker::Frame frame("remove_migration_pte");
  std::uint32_t mm = k.vmas.at(vma).mm;
  MmStruct& m = k.mms.at(mm);
  PteSlot* slot = k.pte_slot(mm, addr);
  if (!slot) return SWAP_AGAIN;
  if (!k.config.applied(Fix::RemoveMigrationPteLocked) && lockless_not_swap_pte(k, mm, addr, *slot)) return SWAP_AGAIN;
  m.ptl->lock("remove_migration_pte");
  k.kasan_page_table(m, "remove_migration_pte");
  Pte pte = slot->pte;
  if (!pte.is_migration() || pte.page != old) {
    checker::note([&] { return std::string("pte " + k.where(mm, addr) + " = " + k.pte_str(pte) + ": no migration entry of " +
                  k.page_name(old)); });
    m.ptl->unlock("remove_migration_pte");
    return SWAP_AGAIN;
  }
  k.page_ref_get_own(newpage, "remove_migration_pte");  // under the migration's own reference
  // pte_mkold(mk_pte(new, vma->vm_page_prot)), pte_mkwrite for a write entry: old and clean
  // (the dirty bit went to the old page in try_to_unmap_one and moves with PG_dirty).
  Pte np = pte_mkold(Pte::mk_pte(newpage));
  if (pte.write) np = pte_mkwrite(np);
  k.set_pte(mm, *slot, np, "remove_migration_pte");  // set_pte_at
  // page_add_anon_rmap: atomic on _mapcount. A KSM page only gains a mapcount
  // (its mapping, read here, changes only under the page lock migration holds).
  if (k.pages[newpage].PageKsm()) {
    k.page_mapcount_add(newpage, 1, "remove_migration_pte");
  } else {
    k.touch_page(newpage, "remove_migration_pte");
    page_add_anon_rmap(k, newpage, vma, addr);
    checker::note([&] { return std::string("page_add_anon_rmap(" + k.page_name(newpage) + ") -> mapcount " +
                  std::to_string(k.pages[newpage].mapcount)); });
  }
  m.ptl->unlock("remove_migration_pte");
  return SWAP_AGAIN;
}

}  // namespace

// mm/migrate.c v3.9: remove_migration_ptes
void remove_migration_ptes(Kernel& k, PageId old, PageId newpage) {
  checker::Frame frame("remove_migration_ptes");
  rmap_walk(k, newpage, [&k, old](PageId np, std::uint32_t vma, std::uint64_t addr) {
    return remove_migration_pte(k, np, vma, addr, old);
  });
}

// mm/migrate.c v3.9: move_to_new_page
int move_to_new_page(Kernel& k, PageId newpage, PageId page, bool remap) {
  checker::Frame frame("move_to_new_page");
  Page& np = k.pages.at(newpage);
  Page& p = k.pages.at(page);
  if (!np.lock->try_lock("move_to_new_page"))
    checker::fail(FailureKind::BugOn, "BUG() in move_to_new_page: !trylock_page(newpage)");
  np.index = p.index;
  np.mapping = p.mapping;  // newpage->mapping = page->mapping (PageKsm: the stable node)
  checker::note([&] { return std::string(np.name + ".mapping = " + p.name + ".mapping" +
                (p.PageKsm() && p.mapping.id != kNoNode ? " (" + k.stable_nodes[p.mapping.id].name + ")" : "")); });
  int rc = migrate_page(k, newpage, page);  // page_mapping(page) is NULL for anon, or swapper_space
  if (rc) {
    np.mapping = Mapping{};
  } else {
    if (remap) remove_migration_ptes(k, page, newpage);
    k.page_flags_write(page, "move_to_new_page");
    p.mapping = Mapping{};
    checker::note([&] { return std::string(p.name + ".mapping = NULL"); });
  }
  np.lock->unlock("move_to_new_page");
  return rc;
}

// mm/migrate.c v3.9 (v4.19 alike): __unmap_and_move's PageWriteback check with the page locked
bool unmap_and_move_writeback(Kernel& k, PageId page, bool force) {
  // PageWriteback(page): "Only in the case of a full synchronous migration is it
  // necessary to wait for PageWriteback" (no step unless swap-out is in the scenario).
  if (!page_writeback(k, page, "__unmap_and_move")) return true;
  if (force) {
    wait_on_page_writeback(k, page, "__unmap_and_move");
    return true;
  }
  k.pages.at(page).lock->unlock("__unmap_and_move");
  k.events.emit(ThreadEvents::UnlockPage);
  return false;
}

// mm/migrate.c v3.9: __unmap_and_move
int unmap_and_move_locked(Kernel& k, PageId page, PageId newpage, bool force) {
  Page& p = k.pages.at(page);
  int rc = -kEAGAIN;
  if (p.lock->try_lock("__unmap_and_move")) {
    checker::note([&] { return std::string("trylock_page(" + p.name + "): locked"); });
  } else {
    checker::note([&] { return std::string("trylock_page(" + p.name + ") failed"); });
    if (!force) return rc;
    p.lock->lock("__unmap_and_move");
  }
  if (!unmap_and_move_writeback(k, page, force)) return rc;  // goto unlock
  bool remap_swapcache = true;
  std::uint32_t anon_vma = kNoAnonVma;
  if (p.PageAnon() && !p.PageKsm()) {
    // "Only page_lock_anon_vma_read() understands the subtleties of getting a
    // hold on an anon_vma from outside one of its mms."
    anon_vma = page_get_anon_vma(k, page);
    if (anon_vma != kNoAnonVma) {
      checker::note([&] { return std::string("page_get_anon_vma(" + p.name + ") = " + k.anon_vmas[anon_vma].name); });
    } else if (p.test(PG_swapcache)) {
      remap_swapcache = false;  // an unmapped swap-cache page: migrated, not remapped
    } else {
      p.lock->unlock("__unmap_and_move");  // goto uncharge
      k.events.emit(ThreadEvents::UnlockPage);
      return rc;
    }
  }
  if (p.mapping.kind != Mapping::Kind::None) {
    // Establish migration ptes.
    try_to_unmap(k, page, TTU_MIGRATION | TTU_IGNORE_MLOCK | TTU_IGNORE_ACCESS);
  }
  if (k.page_mapcount(page, "__unmap_and_move") == 0)  // !page_mapped(page)
    rc = move_to_new_page(k, newpage, page, remap_swapcache);
  if (rc && remap_swapcache) remove_migration_ptes(k, page, page);
  if (anon_vma != kNoAnonVma) put_anon_vma_step(k, anon_vma, "__unmap_and_move");  // "Drop an anon_vma reference if we took one"
  check_g1_before_unlock(k, page);
  p.lock->unlock("__unmap_and_move");
  k.events.emit(ThreadEvents::UnlockPage);  // the start_after event "unlock_page"
  return rc;
}

void check_g1_before_unlock(const Kernel& k, PageId page) {
  if (!k.check_g1_at_unlock) return;
  const std::string at = " as the migration goes to unlock_page(" + k.pages.at(page).name + ")";
  for (std::uint32_t mm = 0; mm < k.mms.size(); ++mm) {
    for (const auto& [addr, slot] : k.mms[mm].ptes)
      if (slot.pte.is_migration() && slot.pte.page == page)
        checker::fail_check("no_migration_entry_at_unlock", FailureKind::Assertion, "G1: " + k.where(mm, addr) + " = " + k.pte_str(slot.pte) + at);
    for (const auto& [addr, slot] : k.mms[mm].pmds)  // 4.19 only: no other era has pmd entries
      if (is_pmd_migration_entry(slot.pmd) && slot.pmd.page == page)
        checker::fail_check("no_migration_entry_at_unlock", FailureKind::Assertion, "G1: pmd " + k.where(mm, addr) + " = " + k.pmd_str(slot.pmd) + at);
  }
}

// mm/migrate.c v3.9: unmap_and_move
int unmap_and_move(Kernel& k, PageId page, int to_node, bool force) {
  checker::Frame frame("unmap_and_move");
  PageId newpage = k.alloc_page(to_node, "new_page_node");
  if (newpage == kNoPage) return -kENOMEM;
  k.own_page_ref(newpage);  // the allocation's reference, dropped by putback_lru_page
  Page& p = k.pages.at(page);
  int rc = 0;
  if (k.page_count(page, "unmap_and_move") == 1) {
    checker::note([&] { return std::string(p.name + " freed from under us"); });
  } else {
    rc = unmap_and_move_locked(k, page, newpage, force);
  }
  if (rc != -kEAGAIN) putback_lru_page(k, page);  // migrated: this frees it
  putback_lru_page(k, newpage);  // not migrated: this frees the target
  return rc;
}

// mm/migrate.c v3.9: migrate_pages (one page on the list), after isolate_lru_page
int migrate_one_page(Kernel& k, PageId page, int to_node, int passes) {
  if (isolate_lru_page(k, page)) return -kEBUSY;
  int rc = -kEAGAIN;
  {
    checker::Frame frame("migrate_pages");
    for (int pass = 0; pass < passes && rc == -kEAGAIN; ++pass) rc = unmap_and_move(k, page, to_node, pass > 2);
  }
  if (rc == -kEAGAIN || rc == -kENOMEM) putback_lru_page(k, page);  // putback_lru_pages by the caller
  return rc;
}

// ===========================================================================
// v2.6.33: migrate_pages with `offlining` (62b61f611eb5), migrate_page_copy
// calling ksm_migrate_page and clearing page->mapping before the ptes come
// back, remove_migration_ptes through rmap_walk (e9995ef978a7/1) or the
// 2.6.32 anon/file dispatch, remove_migration_pte's lockless peek.
// ===========================================================================
namespace v2_6_33 {

// mm/vmscan.c v2.6.33, v3.9: isolate_lru_page (the shared function above)
int isolate_lru_page(Kernel& k, PageId page) { return model::isolate_lru_page(k, page); }
// mm/vmscan.c v2.6.33, v3.9: putback_lru_page (the shared function above)
void putback_lru_page(Kernel& k, PageId page) { model::putback_lru_page(k, page); }

namespace {

// mm/migrate.c v2.6.33: remove_migration_pte (the lockless is_swap_pte peek, then the ptl)
int remove_migration_pte(Kernel& k, PageId newpage, std::uint32_t vma, std::uint64_t addr, PageId old) {
  checker::Frame frame("remove_migration_pte");
  const std::uint32_t mm = k.vmas.at(vma).mm;
  MmStruct& m = k.mms.at(mm);
  PteSlot* slot = k.pte_slot(mm, addr);
  if (!slot) return SWAP_AGAIN;
  if (lockless_not_swap_pte(k, mm, addr, *slot)) return SWAP_AGAIN;
  m.ptl->lock("remove_migration_pte");
  k.kasan_page_table(m, "remove_migration_pte");
  const Pte pte = slot->pte;
  if (!pte.is_migration() || pte.page != old) {
    checker::note([&] { return std::string("pte " + k.where(mm, addr) + " = " + k.pte_str(pte) + ": no migration entry of " +
                  k.page_name(old)); });
    m.ptl->unlock("remove_migration_pte");
    return SWAP_AGAIN;
  }
  // migration_entry_to_page(entry) != old: its BUG_ON(!PageLocked(p)) holds, we hold old's lock.
  k.get_page(newpage, "remove_migration_pte");
  Pte np = pte_mkold(Pte::mk_pte(newpage));  // pte_mkold(mk_pte(new, vma->vm_page_prot))
  if (pte.write) np = pte_mkwrite(np);        // is_write_migration_entry
  k.set_pte(mm, *slot, np, "remove_migration_pte");
  k.touch_page(newpage, "remove_migration_pte");  // page_add_anon_rmap
  page_add_anon_rmap(k, newpage, vma, addr);
  m.ptl->unlock("remove_migration_pte");
  return SWAP_AGAIN;
}

// mm/migrate.c v2.6.33: migrate_page_copy (ksm_migrate_page with e9995ef978a7/2; ClearPageSwapCache,
// set_page_private(page, 0), page->mapping = NULL)
void migrate_page_copy(Kernel& k, PageId newpage, PageId page) {
  checker::Frame frame("migrate_page_copy");
  Page& np = k.pages.at(newpage);
  Page& p = k.pages.at(page);
  read_page_data(k, page, "copy_highpage");  // a step only when the scenario stores (user data)
  np.content = p.content;
  np.flags |= p.flags & (PG_uptodate | PG_dirty);
  if (k.config.applied(Fix::KsmMigratePage)) v2_6_33::ksm_migrate_page(k, newpage, page);
  checker::announce(p.obj, AccessKind::Write, "migrate_page_copy");
  p.flags &= ~PG_swapcache;  // ClearPageSwapCache; ClearPagePrivate
  p.swap_entry = 0;          // set_page_private(page, 0)
  p.mapping = Mapping{};  // "page->mapping contains a flag for PageAnon()": page->mapping = NULL
  checker::note([&] { return std::string(p.name + ".mapping = NULL"); });
}

}  // namespace

// mm/migrate.c v2.6.33: remove_migration_ptes (e9995ef978a7/1: rmap_walk); reverted,
// mm/migrate.c v2.6.32: remove_migration_ptes (PageAnon -> remove_anon_migration_ptes, else file)
void remove_migration_ptes(Kernel& k, PageId old, PageId newpage) {
  checker::Frame frame("remove_migration_ptes");
  const RmapOne one = [&k, old](PageId np, std::uint32_t vma, std::uint64_t addr) {
    return v2_6_33::remove_migration_pte(k, np, vma, addr, old);
  };
  // The walk's spin_lock(&anon_vma->lock) on an anon_vma freed before unmap_and_move's
  // rcu_read_lock (Page::anon_vma_freed_before_rcu): a use-after-free.
  if (const Mapping& m = k.pages.at(newpage).mapping;
      k.pages.at(old).anon_vma_freed_before_rcu && m.kind == Mapping::Kind::Anon && m.id != Mapping::kNone) {
    checker::announce(k.anon_vmas.at(m.id).lock->id(), AccessKind::Read, "rmap_walk_anon");  // spin_lock(&anon_vma->lock)
    k.kasan_anon_vma(m.id, "rmap_walk_anon (remove_migration_ptes: freed before unmap_and_move's rcu_read_lock; "
                           "the window 3fe2011ff51e, v2.6.35, closed)");
  }
  if (k.config.applied(Fix::RmapWalkRemoveMigrationPtes)) {
    v2_6_33::rmap_walk(k, newpage, one);
    return;
  }
  if (k.pages.at(newpage).mapping.kind == Mapping::Kind::None) return;  // remove_file_migration_ptes: no mapping
  if (!k.pages.at(newpage).PageAnon()) model_limit("remove_file_migration_ptes");
  // remove_anon_migration_ptes: "We hold the mmap_sem lock. So no need to call page_lock_anon_vma."
  v2_6_33::rmap_walk_anon(k, newpage, one);
}

// mm/migrate.c v2.6.33: move_to_new_page
int move_to_new_page(Kernel& k, PageId newpage, PageId page) {
  checker::Frame frame("move_to_new_page");
  Page& np = k.pages.at(newpage);
  Page& p = k.pages.at(page);
  if (!np.lock->try_lock("move_to_new_page"))
    checker::fail(FailureKind::BugOn, "BUG() in move_to_new_page: !trylock_page(newpage)");
  np.index = p.index;
  np.mapping = p.mapping;
  checker::note([&] { return std::string(np.name + ".mapping = " + p.name + ".mapping" +
                (p.PageKsm() && p.mapping.id != kNoNode ? " (" + k.stable_nodes[p.mapping.id].name + ")" : "")); });
  int rc = migrate_page_move_mapping(k, newpage, page);  // migrate_page(): no mapping for anon
  if (!rc) v2_6_33::migrate_page_copy(k, newpage, page);
  if (!rc)
    v2_6_33::remove_migration_ptes(k, page, newpage);
  else
    np.mapping = Mapping{};
  np.lock->unlock("move_to_new_page");
  return rc;
}

namespace {

// mm/migrate.c v2.6.33: unmap_and_move (with 62b61f611eb5/2's PageKsm refusal after lock_page);
// `removed`: the page left migrate_pages' list (list_del + putback_lru_page)
int unmap_and_move_list(Kernel& k, PageId page, int to_node, bool force, int offlining, bool& removed) {
  removed = false;
  PageId newpage = k.alloc_page(to_node, offlining ? "hotremove_migrate_alloc" : "new_vma_page");
  if (newpage == kNoPage) return -kENOMEM;
  Page& p = k.pages.at(page);
  int rc = 0;
  checker::announce(p.obj, AccessKind::Read, "unmap_and_move");
  k.kasan_page(page, "unmap_and_move");
  if (p.refcount == 1) {
    checker::note([&] { return std::string("page_count(" + p.name + ") == 1: freed from under us"); });
    v2_6_33::putback_lru_page(k, newpage);  // move_newpage
    return 0;  // the page stays on the list; putback_lru_pages frees it
  }
  checker::note([&] { return std::string("page_count(" + p.name + ") = " + std::to_string(p.refcount)); });
  rc = -kEAGAIN;
  bool locked = p.lock->try_lock("unmap_and_move");
  if (!locked && force) {
    p.lock->lock("unmap_and_move");
    locked = true;
  }
  if (locked) {
    if (p.PageKsm() && !offlining && k.config.applied(Fix::KsmMigrateOnlyOfflining)) {
      rc = -kEBUSY;  // "Only memory hotplug's offline_pages() caller has locked out KSM"
      checker::note([&] { return std::string(p.name + " is PageKsm and not offlining: -EBUSY"); });
    } else {
      if (p.PageKsm() && !offlining && k.check_ksm_migration_offlining)
        checker::fail_check("ksm_migrate_only_offlining", FailureKind::Assertion, "ksm_migrate_only_offlining: KSM page " + p.name +
                                                  " migrated outside hot-remove (migrate_pages offlining=0, "
                                                  "ksm_thread_mutex not held)");
      // PageWriteback (a swap-cache page reclaim is writing out): wait when forced, else
      // goto uncharge with -EAGAIN; no step unless the scenario swaps out
      bool writeback_busy = false;
      if (page_writeback(k, page, "unmap_and_move")) {
        if (force) wait_on_page_writeback(k, page, "unmap_and_move");
        else writeback_busy = true;
      }
      if (!writeback_busy) {
        // rcu_read_lock() for an anon page: from here an anon_vma freed meanwhile stays an anon_vma
        // (SLAB_DESTROY_BY_RCU), but one freed before (its last vma unlinked since page_count
        // above: nothing in 2.6.33 pins it; 3fe2011ff51e, v2.6.35, closed the window) may already be reused:
        // a Read of its lock, so the free (anon_vma_unlink's release) is ordered against this.
        if (p.mapping.kind == Mapping::Kind::Anon && p.mapping.id != Mapping::kNone) {
          const AnonVma& av = k.anon_vmas.at(p.mapping.id);
          checker::announce(av.lock->id(), AccessKind::Read, "rcu_read_lock");
          p.anon_vma_freed_before_rcu = av.freed;
          if (av.freed)
            checker::note([&] { return std::string("page_anon_vma(" + p.name + ") = " + av.name + ", freed before rcu_read_lock"); });
        }
        if (p.mapping.kind != Mapping::Kind::None)  // else skip_unmap
          v2_6_33::try_to_unmap(k, page, TTU_MIGRATION | TTU_IGNORE_MLOCK | TTU_IGNORE_ACCESS);
        checker::announce(p.obj, AccessKind::Read, "unmap_and_move");
        checker::note([&] { return std::string("page_mapped(" + p.name + ") = " + std::to_string(p.mapcount)); });
        if (!p.page_mapped()) rc = v2_6_33::move_to_new_page(k, newpage, page);
        if (rc) v2_6_33::remove_migration_ptes(k, page, page);
      }
    }
    check_g1_before_unlock(k, page);
    p.anon_vma_freed_before_rcu = false;
    p.lock->unlock("unmap_and_move");
    k.events.emit(ThreadEvents::UnlockPage);  // the start_after event "unlock_page"
  }
  if (rc != -kEAGAIN) {
    removed = true;
    v2_6_33::putback_lru_page(k, page);  // list_del; migrated: this frees it
  }
  v2_6_33::putback_lru_page(k, newpage);  // not migrated: this frees the target
  return rc;
}

}  // namespace

// mm/migrate.c v2.6.33: unmap_and_move (one page; migrate_pages keeps the list)
int unmap_and_move(Kernel& k, PageId page, int to_node, bool force, int offlining) {
  checker::Frame frame("unmap_and_move");
  bool removed = false;
  return unmap_and_move_list(k, page, to_node, force, offlining, removed);
}

// mm/migrate.c v2.6.33: migrate_pages(from, get_new_page, private, offlining)
int migrate_pages(Kernel& k, const std::vector<PageId>& list, int to_node, int offlining, int passes) {
  checker::Frame frame("migrate_pages");
  std::vector<PageId> from = list;  // the pages still on the list
  int nr_failed = 0, retry = 1;
  bool nomem = false;
  for (int pass = 0; pass < passes && retry && !nomem; ++pass) {
    retry = 0;
    std::vector<PageId> still;
    for (std::size_t i = 0; i < from.size(); ++i) {
      const PageId page = from[i];
      if (nomem) {
        still.push_back(page);
        continue;
      }
      bool removed = false;
      const int rc = unmap_and_move_list(k, page, to_node, pass > 2, offlining, removed);
      if (!removed) still.push_back(page);
      if (rc == -kENOMEM) {
        nomem = true;  // goto out
      } else if (rc == -kEAGAIN) {
        ++retry;
      } else if (rc != 0) {
        ++nr_failed;  // permanent failure
      }
    }
    from = still;
  }
  for (PageId page : from) v2_6_33::putback_lru_page(k, page);  // putback_lru_pages(from)
  return nomem ? -kENOMEM : nr_failed + retry;
}

}  // namespace v2_6_33

}  // namespace model
