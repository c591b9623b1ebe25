// migrate.cpp: migrate_pages, unmap_and_move, __unmap_and_move,
// move_to_new_page, migrate_page, migrate_page_move_mapping,
// migrate_page_copy, remove_migration_ptes/remove_migration_pte
// (mm/migrate.c v3.9), isolate_lru_page / putback_lru_page (mm/vmscan.c v3.9).
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

#include "model/ksm.h"
#include "model/memory.h"
#include "model/rmap.h"
#include "model/swap_state.h"

namespace model {

using checker::AccessKind;
using checker::FailureKind;

namespace {

// mm/vmscan.c v3.9: isolate_lru_page (0, or -EBUSY when not on the LRU)
int isolate_lru_page(Kernel& k, PageId page) {
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

// mm/vmscan.c v3.9: putback_lru_page (SetPageLRU and the put_page of the
// isolation or allocation reference: one step on the whole page)
void putback_lru_page(Kernel& k, PageId page) {
  Page& p = k.pages.at(page);
  checker::announce(p.obj, AccessKind::ReadModifyWrite, "putback_lru_page");
  p.flags |= PG_lru;
  int& own = k.own_refs[{checker::current_thread(), page}];
  if (own > 0) --own;
  k.put_page_locked(page);
}

}  // namespace

// mm/migrate.c v3.9: migrate_page_move_mapping
int migrate_page_move_mapping(Kernel& k, PageId newpage, PageId page) {
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
  checker::announce(k.swap.obj, AccessKind::ReadModifyWrite, "migrate_page_move_mapping");
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
  Page& np = k.pages.at(newpage);
  Page& p = k.pages.at(page);
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
  int rc = migrate_page_move_mapping(k, newpage, page);
  if (rc) return rc;
  migrate_page_copy(k, newpage, page);
  return 0;
}

// mm/migrate.c v3.9: remove_migration_pte
int remove_migration_pte(Kernel& k, PageId newpage, std::uint32_t vma, std::uint64_t addr, PageId old) {
  std::uint32_t mm = k.vmas.at(vma).mm;
  MmStruct& m = k.mms.at(mm);
  PteSlot* slot = k.pte_slot(mm, addr);
  if (!slot) return SWAP_AGAIN;
  m.ptl->lock("remove_migration_pte");
  Pte pte = slot->pte;
  if (!pte.is_migration() || pte.page != old) {
    checker::note([&] { return std::string("pte " + k.where(mm, addr) + " = " + k.pte_str(pte) + ": no migration entry of " +
                  k.page_name(old)); });
    m.ptl->unlock("remove_migration_pte");
    return SWAP_AGAIN;
  }
  k.page_ref_get(newpage, "remove_migration_pte");
  k.set_pte(mm, *slot, Pte::present(newpage, pte.write), "remove_migration_pte");  // set_pte_at
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
  rmap_walk(k, newpage, [&k, old](PageId np, std::uint32_t vma, std::uint64_t addr) {
    return remove_migration_pte(k, np, vma, addr, old);
  });
}

// mm/migrate.c v3.9: move_to_new_page
int move_to_new_page(Kernel& k, PageId newpage, PageId page, bool remap) {
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
  if (p.PageAnon() && !p.PageKsm()) model_limit("page_get_anon_vma (migration of a non-KSM anon page)");
  bool remap_swapcache = true;
  if (p.mapping.kind != Mapping::Kind::None) {
    // Establish migration ptes.
    try_to_unmap(k, page, TTU_MIGRATION | TTU_IGNORE_MLOCK | TTU_IGNORE_ACCESS);
  }
  if (k.page_mapcount(page, "__unmap_and_move") == 0)  // !page_mapped(page)
    rc = move_to_new_page(k, newpage, page, remap_swapcache);
  if (rc && remap_swapcache) remove_migration_ptes(k, page, page);
  if (k.check_g1_at_unlock) {
    // G1: no migration entry of the old page survives its unlock_page().
    for (std::size_t mm = 0; mm < k.mms.size(); ++mm)
      for (const auto& [addr, slot] : k.mms[mm].ptes)
        if (slot.pte.is_migration() && slot.pte.page == page)
          checker::fail(FailureKind::Assertion, "G1: " + k.where(static_cast<std::uint32_t>(mm), addr) + " = " +
                                                    k.pte_str(slot.pte) + " at unlock_page(" + p.name + ")");
  }
  p.lock->unlock("__unmap_and_move");
  return rc;
}

// mm/migrate.c v3.9: unmap_and_move
int unmap_and_move(Kernel& k, PageId page, int to_node, bool force) {
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
  for (int pass = 0; pass < passes && rc == -kEAGAIN; ++pass)
    rc = unmap_and_move(k, page, to_node, pass > 2);
  if (rc == -kEAGAIN || rc == -kENOMEM) putback_lru_page(k, page);  // putback_lru_pages by the caller
  return rc;
}

}  // namespace model
