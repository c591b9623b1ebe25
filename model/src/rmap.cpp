// rmap.cpp: try_to_unmap, try_to_unmap_one and rmap_walk (mm/rmap.c v3.9), and
// the anon_vma lifetime of exit and munmap: unlink_anon_vmas, put_anon_vma (v3.9).
// KSM pages dispatch to try_to_unmap_ksm / rmap_walk_ksm (ksm.cpp); plain anon
// pages to try_to_unmap_anon / rmap_walk_anon, with page_get_anon_vma and
// page_lock_anon_vma_read for migration (v3.9); file pages are a model limit.
// anon_vma->refcount's atomics are steps on the root's rwsem object (the lock
// unlink_anon_vmas frees under), so DPOR orders them against the free.
// Below, in namespace v2_6_33: the v2.6.33 try_to_unmap / rmap_walk dispatch,
// try_to_unmap_anon and rmap_walk_anon (plain anon pages are migrated there),
// page_referenced and the reclaim walker.
// Invariant: try_to_unmap_one changes a pte only under that mm's ptl; a swap
// pte it installs is counted in swap_map (swap_duplicate) before it is set.
#include "model/rmap.h"

#include <algorithm>
#include <stdexcept>

#include "model/ksm.h"
#include "model/memory.h"
#include "model/swap_state.h"
#include "model/user_access.h"
#include "model/v2_6_33.h"

namespace model {

using checker::FailureKind;

// mm/rmap.c v2.6.33, v3.9: try_to_unmap_one (TTU_MIGRATION or, v3.9 reclaim, TTU_UNMAP; TTU_IGNORE_MLOCK|TTU_IGNORE_ACCESS)
int try_to_unmap_one(Kernel& k, PageId page, std::uint32_t vma, std::uint64_t addr, unsigned flags) {
  checker::Frame frame("try_to_unmap_one");
  std::uint32_t mm = k.vmas.at(vma).mm;
  MmStruct& m = k.mms.at(mm);
  PteSlot* slot = k.pte_slot(mm, addr);
  if (!slot) return SWAP_AGAIN;
  // page_check_address(): take the ptl and check the pte maps this page.
  m.ptl->lock("try_to_unmap_one");
  k.kasan_page_table(m, "try_to_unmap_one");
  Page& p = k.pages.at(page);
  if (!(slot->pte.is_present() && slot->pte.page == page)) {
    checker::note([&] { return std::string("pte " + k.where(mm, addr) + " = " + k.pte_str(slot->pte) + ": not " + p.name); });
    m.ptl->unlock("try_to_unmap_one");
    return SWAP_AGAIN;
  }
  const bool write = slot->pte.write;  // only the MMU changes a present pte under the ptl: its dirty/young bits
  Pte entry;
  if (p.test(PG_swapcache)) {
    // swap_duplicate(): the new swap pte holds a swap count (the swap map's
    // lock, a step on swapper_space, taken under the ptl). It cannot fail here.
    swap_duplicate(k, p.swap_entry);
    entry = Pte::swap(p.swap_entry);
  } else {
    if (!(flags & TTU_MIGRATION))
      checker::fail(FailureKind::BugOn, "BUG_ON(TTU_ACTION(flags) != TTU_MIGRATION)");
    entry = Pte::migration(page, write);  // make_migration_entry()
  }
  // pteval = ptep_clear_flush(), then the swap or migration entry: one atomic exchange here.
  const Pte pteval = k.ptep_modify(mm, *slot, [&](const Pte&) { return entry; }, "try_to_unmap_one");
  if (pteval.dirty) p.flags |= PG_dirty;  // "Move the dirty bit to the physical page now the pte is gone."
  // ptep_clear_flush flushes every accessible pte, a read-only one too: a store may still hold
  // a writable translation cached before fork's copy_one_pte write-protected it (until
  // dup_mmap's flush_tlb_mm), and a get_user_pages_fast walk's IPI wait is part of it
  flush_tlb_page(k, mm, addr, page, "try_to_unmap_one");
  // mm/rmap.c v3.9: page_remove_rmap (atomic_add_negative on _mapcount: its
  // result only feeds zone statistics the model does not keep)
  k.page_mapcount_add(page, -1, "try_to_unmap_one");
  // page_cache_release(): the pte's reference. Every caller of try_to_unmap
  // holds a reference of its own (isolate_lru_page), so this is never the last.
  k.page_ref_put_held(page, "try_to_unmap_one");
  m.ptl->unlock("try_to_unmap_one");
  return SWAP_AGAIN;
}

// mm/rmap.c v2.6.33, v3.9: page_referenced_one (page_check_address's ptl; ptep_clear_flush_young_notify)
bool page_referenced_one(Kernel& k, PageId page, std::uint32_t mm, std::uint64_t addr, int& mapcount) {
  checker::Frame frame("page_referenced_one");
  PteSlot* slot = k.pte_slot(mm, addr);
  if (!slot) return false;
  MmStruct& m = k.mms.at(mm);
  m.ptl->lock("page_referenced_one");
  bool young = false;
  if (slot->pte.is_present() && slot->pte.page == page) {
    --mapcount;
    young = slot->pte.young;
    if (young) {
      k.ptep_modify(mm, *slot, pte_mkold, "ptep_clear_flush_young");  // test_and_clear_bit(_PAGE_BIT_ACCESSED)
      flush_tlb_page(k, mm, addr, page, "ptep_clear_flush_young");
    }
  }
  m.ptl->unlock("page_referenced_one");
  return young;
}

namespace {

using checker::AccessKind;

/// vma_address(): the address of an anon page in vma from its index and the vma's
/// vm_pgoff, or 0 when outside (the interval tree would not return vma).
// mm/rmap.c v2.6.33, v3.9: vma_address
std::uint64_t vma_address(const Kernel& k, PageId page, std::uint32_t vma) {
  return k.vmas[vma].address_of(k.pages[page].index);
}

/// atomic_inc_not_zero(&anon_vma->refcount): fails on a freed anon_vma (its slab
/// object is SLAB_DESTROY_BY_RCU: still an anon_vma, its count zero). A step on the
/// root's rwsem object; the kernel's count includes the vmas' reference, the
/// model's AnonVma::refcount only the others.
bool anon_vma_get_unless_zero(Kernel& k, std::uint32_t av, const char* where) {
  AnonVma& a = k.anon_vmas.at(av);
  checker::announce(k.anon_vmas.at(a.root).lock->id(), AccessKind::ReadModifyWrite, where);
  if (a.freed) {
    checker::note([&] { return std::string("atomic_inc_not_zero(&" + a.name + "->refcount) failed: freed"); });
    return false;
  }
  ++a.refcount;
  checker::note([&] { return std::string(a.name + "->refcount + 1 (" + std::to_string(a.refcount) + " besides the vmas')"); });
  return true;
}

}  // namespace

// mm/rmap.c v3.9, v4.19: page_lock_anon_vma_read (modelled as down_read of the root's rwsem:
// the trylock's fallback, which pins the anon_vma and sleeps on the same rwsem, is not kept)
std::uint32_t page_lock_anon_vma_read(Kernel& k, PageId page) {
  checker::Frame frame("page_lock_anon_vma_read");
  Page& p = k.pages.at(page);
  // rcu_read_lock(); ACCESS_ONCE(page->mapping), page_mapped(page)
  checker::announce(p.obj, AccessKind::Read, "page_lock_anon_vma_read");
  if (p.mapping.kind != Mapping::Kind::Anon || !p.page_mapped()) {
    checker::note([&] { return std::string("page_mapped(" + p.name + ") = 0: no anon_vma, nothing to walk"); });
    return kNoAnonVma;
  }
  const std::uint32_t av = p.mapping.id;
  // No KASAN check: anon_vmas are SLAB_DESTROY_BY_RCU and page_mapped() was true
  // under rcu_read_lock, so the anon_vma and its root are still anon_vmas.
  AnonVma& root = k.anon_vmas.at(k.anon_vmas.at(av).root);
  root.lock->down_read("page_lock_anon_vma_read");
  checker::announce(p.obj, AccessKind::Read, "page_lock_anon_vma_read");  // "if (!page_mapped(page))"
  if (!p.page_mapped()) {
    checker::note([&] { return std::string(p.name + " unmapped before the anon_vma lock was taken: nothing to walk"); });
    root.lock->up_read("page_lock_anon_vma_read");
    return kNoAnonVma;
  }
  return av;
}

// mm/rmap.c v3.9, v4.19: page_unlock_anon_vma_read (anon_vma_unlock_read: up_read of the root's rwsem)
void page_unlock_anon_vma_read(Kernel& k, std::uint32_t av) {
  k.anon_vmas.at(k.anon_vmas.at(av).root).lock->up_read("page_unlock_anon_vma_read");
}

// mm/rmap.c v3.9: page_get_anon_vma (under rcu_read_lock: page->mapping, page_mapped,
// atomic_inc_not_zero(&anon_vma->refcount), page_mapped again)
std::uint32_t page_get_anon_vma(Kernel& k, PageId page) {
  Page& p = k.pages.at(page);
  checker::announce(p.obj, AccessKind::Read, "page_get_anon_vma");  // ACCESS_ONCE(page->mapping)
  if (p.mapping.kind != Mapping::Kind::Anon) return kNoAnonVma;
  if (k.page_mapcount(page, "page_get_anon_vma") == 0) {  // !page_mapped(page)
    checker::note([&] { return std::string(p.name + " not mapped: no anon_vma"); });
    return kNoAnonVma;
  }
  const std::uint32_t av = p.mapping.id;
  if (!anon_vma_get_unless_zero(k, av, "page_get_anon_vma")) return kNoAnonVma;
  // "If this page is still mapped, then its anon_vma cannot have been freed."
  if (k.page_mapcount(page, "page_get_anon_vma") == 0) {
    put_anon_vma_step(k, av, "page_get_anon_vma");
    return kNoAnonVma;
  }
  return av;
}

// include/linux/rmap.h v3.9: put_anon_vma, as a step on the root's rwsem object (see page_get_anon_vma)
void put_anon_vma_step(Kernel& k, std::uint32_t av, const char* where) {
  checker::announce(k.anon_vmas.at(k.anon_vmas.at(av).root).lock->id(), AccessKind::ReadModifyWrite, where);
  put_anon_vma(k, av, where);
  checker::note([&] { return std::string("put_anon_vma(" + k.anon_vmas.at(av).name + ")"); });
}

// mm/rmap.c v3.9: try_to_unmap_anon (page_lock_anon_vma_read, then each vma of the
// anon_vma's interval tree that covers the page's index, in chain order)
int try_to_unmap_anon(Kernel& k, PageId page, unsigned flags) {
  checker::Frame frame("try_to_unmap_anon");
  const std::uint32_t av = page_lock_anon_vma_read(k, page);
  if (av == kNoAnonVma) return SWAP_AGAIN;
  int ret = SWAP_AGAIN;
  for (std::uint32_t v : std::vector<std::uint32_t>(k.anon_vmas.at(av).vmas)) {
    const std::uint64_t addr = vma_address(k, page, v);
    if (!addr) continue;
    ret = try_to_unmap_one(k, page, v, addr, flags);
    if (ret != SWAP_AGAIN || k.page_mapcount(page, "try_to_unmap_anon") == 0) break;  // !page_mapped(page)
  }
  page_unlock_anon_vma_read(k, av);
  return ret;
}

// mm/rmap.c v3.9: rmap_walk_anon ("Users without mmap_sem are required to take a
// reference count to prevent the anon_vma disappearing": a freed one is a KASAN report)
int rmap_walk_anon(Kernel& k, PageId page, const RmapOne& rmap_one) {
  checker::Frame frame("rmap_walk_anon");
  Page& p = k.pages.at(page);
  checker::announce(p.obj, AccessKind::Read, "rmap_walk_anon");  // page_anon_vma(page)
  if (p.mapping.kind != Mapping::Kind::Anon) return SWAP_AGAIN;
  const std::uint32_t av = p.mapping.id;
  k.kasan_anon_vma(av, "rmap_walk_anon");
  AnonVma& root = k.anon_vmas.at(k.anon_vmas.at(av).root);
  k.kasan_anon_vma(k.anon_vmas.at(av).root, "rmap_walk_anon");
  root.lock->down_read("rmap_walk_anon");  // anon_vma_lock_read
  int ret = SWAP_AGAIN;
  for (std::uint32_t v : std::vector<std::uint32_t>(k.anon_vmas.at(av).vmas)) {
    const std::uint64_t addr = vma_address(k, page, v);
    if (!addr) continue;
    ret = rmap_one(page, v, addr);
    if (ret != SWAP_AGAIN) break;
  }
  root.lock->up_read("rmap_walk_anon");  // anon_vma_unlock_read
  return ret;
}

// mm/rmap.c v3.9: try_to_unmap
int try_to_unmap(Kernel& k, PageId page, unsigned flags) {
  checker::Frame frame("try_to_unmap");
  Page& p = k.pages.at(page);
  if (!p.PageLocked()) checker::fail(FailureKind::BugOn, "BUG_ON(!PageLocked(page)) in try_to_unmap");
  int ret;
  if (p.PageKsm())
    ret = try_to_unmap_ksm(k, page, flags);
  else if (p.PageAnon())
    ret = try_to_unmap_anon(k, page, flags);
  else
    model_limit("try_to_unmap_file");
  if (ret != SWAP_MLOCK && !p.page_mapped()) ret = SWAP_SUCCESS;
  return ret;
}

// mm/rmap.c v3.9: rmap_walk
int rmap_walk(Kernel& k, PageId page, const RmapOne& rmap_one) {
  checker::Frame frame("rmap_walk");
  Page& p = k.pages.at(page);
  if (!p.PageLocked()) checker::fail(FailureKind::BugOn, "VM_BUG_ON(!PageLocked(page)) in rmap_walk");
  if (p.PageKsm()) return rmap_walk_ksm(k, page, rmap_one);
  if (p.PageAnon()) return rmap_walk_anon(k, page, rmap_one);
  model_limit("rmap_walk_file");
}

namespace {

// mm/rmap.c v3.9: anon_vma_free (kmem_cache_free; poisoned for the KASAN checks) and
// __put_anon_vma's put of the root a child anon_vma pins (anon_vma_fork's get_anon_vma(root))
void anon_vma_free(Kernel& k, std::uint32_t av, const char* where) {
  checker::Frame frame("anon_vma_free");
  AnonVma& a = k.anon_vmas.at(av);
  a.freed = true;
  a.freed_at = Kernel::freed_by(where);
  checker::note([&] { return std::string("anon_vma " + a.name + " freed"); });
  if (a.root != av) put_anon_vma(k, a.root, "__put_anon_vma");
}

}  // namespace

// include/linux/rmap.h, mm/rmap.c v3.9: put_anon_vma -> __put_anon_vma (AnonVma::refcount
// counts the references besides the vmas' own one, which unlink_anon_vmas drops with the last vma)
void put_anon_vma(Kernel& k, std::uint32_t av, const char* where) {
  checker::Frame frame("put_anon_vma");
  k.kasan_anon_vma(av, where);
  AnonVma& a = k.anon_vmas.at(av);
  if (a.refcount <= 0)
    throw std::logic_error(std::string("model error: ") + where + ": put_anon_vma of " + a.name +
                           " with no reference counted");
  if (--a.refcount == 0 && a.vmas.empty()) anon_vma_free(k, av, where);
}

std::vector<std::uint32_t> anon_vma_chain(const Kernel& k, std::uint32_t vma) {
  std::vector<std::uint32_t> chain;
  const Vma& v = k.vmas.at(vma);
  if (v.has_anon_vma()) chain.push_back(v.anon_vma);
  for (std::uint32_t av = 0; av < k.anon_vmas.size(); ++av)
    if (av != v.anon_vma && std::find(k.anon_vmas[av].vmas.begin(), k.anon_vmas[av].vmas.end(), vma) !=
                                k.anon_vmas[av].vmas.end())
      chain.push_back(av);
  return chain;
}

// mm/rmap.c v3.9: unlink_anon_vmas (the vma leaves every anon_vma it is chained to, under
// the root's rwsem; an anon_vma left with no vma drops the vmas' reference)
void unlink_anon_vmas(Kernel& k, std::uint32_t vma) {
  checker::Frame frame("unlink_anon_vmas");
  const std::vector<std::uint32_t> chain = anon_vma_chain(k, vma);
  const Vma& v = k.vmas.at(vma);
  if (chain.empty()) return;
  for (std::uint32_t av : chain) k.kasan_anon_vma(av, "unlink_anon_vmas");
  // lock_anon_vma_root: one tree shares one root (anon_vma_fork gives the child the parent's root)
  AnonVma& root = k.anon_vmas.at(k.anon_vmas.at(chain.front()).root);
  k.kasan_anon_vma(k.anon_vmas.at(chain.front()).root, "unlink_anon_vmas");
  root.lock->down_write("unlink_anon_vmas");
  std::vector<std::uint32_t> empty;
  for (std::uint32_t av : chain) {
    AnonVma& a = k.anon_vmas[av];
    std::erase(a.vmas, vma);  // anon_vma_interval_tree_remove
    checker::note([&] { return std::string(a.name + " -= vma of " + k.where(v.mm, v.start)); });
    if (a.vmas.empty()) empty.push_back(av);
  }
  root.lock->up_write("unlink_anon_vmas");  // unlock_anon_vma_root
  // "destroy them": put_anon_vma of each anon_vma now empty (the vmas' reference)
  for (std::uint32_t av : empty) {
    AnonVma& a = k.anon_vmas[av];
    if (a.refcount == 0) anon_vma_free(k, av, "unlink_anon_vmas");
  }
}

// ===========================================================================
// v2.6.33: the anon_vma walks take anon_vma->lock (a spinlock of the anon_vma
// itself: the model takes the RwSem's write side); a KSM page dispatches to
// ksm.cpp's v2_6_33 walks.
// ===========================================================================
namespace v2_6_33 {

using checker::AccessKind;

namespace {

// mm/rmap.c v2.6.33: try_to_unmap_anon (page_lock_anon_vma: the page_mapped test, then the spinlock)
int try_to_unmap_anon(Kernel& k, PageId page, unsigned flags) {
  checker::Frame frame("try_to_unmap_anon");
  Page& p = k.pages.at(page);
  checker::announce(p.obj, AccessKind::Read, "page_lock_anon_vma");  // page->mapping, page_mapped
  if (!p.page_mapped() || p.mapping.kind != Mapping::Kind::Anon) return SWAP_AGAIN;
  const std::uint32_t av = p.mapping.id;
  // No KASAN check: these walks reach the anon_vma through page->mapping under
  // rcu_read_lock (page_lock_anon_vma; unmap_and_move's for migration), and
  // anon_vmas are SLAB_DESTROY_BY_RCU: a freed one is still an anon_vma, with no vma left.
  AnonVma& a = k.anon_vmas.at(av);
  a.lock->down_write("page_lock_anon_vma");
  int ret = SWAP_AGAIN;
  for (std::uint32_t v : std::vector<std::uint32_t>(a.vmas)) {
    const std::uint64_t addr = vma_address(k, page, v);
    if (!addr) continue;
    ret = try_to_unmap_one(k, page, v, addr, flags);
    if (ret != SWAP_AGAIN || !p.page_mapped()) break;
  }
  a.lock->up_write("page_unlock_anon_vma");
  return ret;
}

// mm/rmap.c v2.6.33: page_referenced_anon (page_lock_anon_vma, page_referenced_one per vma under the ptl)
int page_referenced_anon(Kernel& k, PageId page) {
  checker::Frame frame("page_referenced_anon");
  Page& p = k.pages.at(page);
  if (p.mapping.kind != Mapping::Kind::Anon) return 0;
  int mapcount = p.mapcount;
  int referenced = 0;
  const std::uint32_t av = p.mapping.id;
  // No KASAN check: these walks reach the anon_vma through page->mapping under
  // rcu_read_lock (page_lock_anon_vma; unmap_and_move's for migration), and
  // anon_vmas are SLAB_DESTROY_BY_RCU: a freed one is still an anon_vma, with no vma left.
  AnonVma& a = k.anon_vmas.at(av);
  a.lock->down_write("page_lock_anon_vma");
  for (std::uint32_t v : std::vector<std::uint32_t>(a.vmas)) {
    const std::uint64_t addr = vma_address(k, page, v);
    if (!addr) continue;
    const std::uint32_t mm = k.vmas[v].mm;
    PteSlot* slot = k.pte_slot(mm, addr);
    if (!slot) continue;
    if (page_referenced_one(k, page, mm, addr, mapcount)) ++referenced;
    if (!mapcount) break;
  }
  a.lock->up_write("page_unlock_anon_vma");
  return referenced;
}

}  // namespace

// mm/rmap.c v2.6.33: try_to_unmap
int try_to_unmap(Kernel& k, PageId page, unsigned flags) {
  checker::Frame frame("try_to_unmap");
  Page& p = k.pages.at(page);
  if (!p.PageLocked()) checker::fail(FailureKind::BugOn, "BUG_ON(!PageLocked(page)) in try_to_unmap");
  int ret;
  if (p.PageKsm())
    ret = v2_6_33::try_to_unmap_ksm(k, page, flags);
  else if (p.PageAnon())
    ret = v2_6_33::try_to_unmap_anon(k, page, flags);
  else
    model_limit("try_to_unmap_file");
  if (ret != SWAP_MLOCK && !p.page_mapped()) ret = SWAP_SUCCESS;
  return ret;
}

// mm/rmap.c v2.6.33: rmap_walk_anon; before e9995ef978a7 the same walk was
// mm/migrate.c v2.6.32: remove_anon_migration_ptes, reached for a KSM page too
int rmap_walk_anon(Kernel& k, PageId page, const RmapOne& rmap_one) {
  checker::Frame frame("rmap_walk_anon");
  Page& p = k.pages.at(page);
  checker::announce(p.obj, AccessKind::Read, "rmap_walk_anon");  // page_anon_vma(page): page->mapping
  if (p.PageKsm()) {
    // page->mapping - PAGE_MAPPING_ANON taken for an anon_vma: it is a stable node.
    if (k.check_anon_vma_type)
      checker::fail_check("anon_rmap_walk_type", FailureKind::Assertion,
                    "anon_rmap_walk_type: an rmap walk over a mapping that is not an anon_vma: " + p.name +
                        "->mapping is stable node " +
                        (p.mapping.id == kNoNode ? std::string("NULL") : k.stable_nodes[p.mapping.id].name) +
                        " (PAGE_MAPPING_KSM), walked as an anon_vma by remove_anon_migration_ptes");
    // Without the check the model takes the garbage anon_vma's vma list as
    // empty (the kernel's outcome is undefined): no pte is visited.
    checker::note([&] { return std::string(p.name + "->mapping is a stable node, not an anon_vma: no vma visited"); });
    return SWAP_AGAIN;
  }
  if (p.mapping.kind != Mapping::Kind::Anon) return SWAP_AGAIN;
  const std::uint32_t av = p.mapping.id;
  // No KASAN check: these walks reach the anon_vma through page->mapping under
  // rcu_read_lock (page_lock_anon_vma; unmap_and_move's for migration), and
  // anon_vmas are SLAB_DESTROY_BY_RCU: a freed one is still an anon_vma, with no vma left.
  AnonVma& a = k.anon_vmas.at(av);
  a.lock->down_write("rmap_walk_anon");  // spin_lock(&anon_vma->lock)
  int ret = SWAP_AGAIN;
  for (std::uint32_t v : std::vector<std::uint32_t>(a.vmas)) {
    const std::uint64_t addr = vma_address(k, page, v);
    if (!addr) continue;
    ret = rmap_one(page, v, addr);
    if (ret != SWAP_AGAIN) break;
  }
  a.lock->up_write("rmap_walk_anon");
  return ret;
}

// mm/rmap.c v2.6.33: rmap_walk (added by e9995ef978a7)
int rmap_walk(Kernel& k, PageId page, const RmapOne& rmap_one) {
  checker::Frame frame("rmap_walk");
  Page& p = k.pages.at(page);
  if (!p.PageLocked()) checker::fail(FailureKind::BugOn, "VM_BUG_ON(!PageLocked(page)) in rmap_walk");
  if (p.PageKsm()) return v2_6_33::rmap_walk_ksm(k, page, rmap_one);
  if (p.PageAnon()) return v2_6_33::rmap_walk_anon(k, page, rmap_one);
  if (p.mapping.kind == Mapping::Kind::None) return SWAP_AGAIN;  // rmap_walk_file: "if (!mapping) return ret"
  model_limit("rmap_walk_file");
}

// mm/rmap.c v2.6.33: page_referenced (is_locked = 0: a KSM page is trylocked), for a KSM page
int page_referenced(Kernel& k, PageId page) {
  checker::Frame frame("page_referenced");
  Page& p = k.pages.at(page);
  checker::announce(p.obj, AccessKind::Read, "page_referenced");  // page_mapped && page_rmapping
  k.kasan_page(page, "page_referenced");
  if (!p.page_mapped() || !p.PageAnon()) return 0;
  if (!p.PageKsm()) return page_referenced_anon(k, page);  // an anon page is not locked for this
  if (!p.lock->try_lock("page_referenced")) return 1;  // "referenced++; goto out"
  const int referenced = v2_6_33::page_referenced_ksm(k, page);
  p.lock->unlock("page_referenced");
  return referenced;
}

// mm/vmscan.c v2.6.33: shrink_inactive_list -> isolate_lru_pages (one page, under the LRU lock),
// shrink_page_list's page_referenced, putback_lru_page: the reclaim rmap walker
int reclaim_page_referenced(Kernel& k, PageId page) {
  Page& p = k.pages.at(page);
  // The LRU list never holds an offlined (or free) page: the walk of the list
  // finds it or not without touching a struct page that is gone (no KASAN check).
  checker::announce(p.obj, AccessKind::Read, "isolate_lru_pages");
  if (p.offlined || !p.test(PG_lru)) {
    checker::note([&] { return std::string(p.name + " is not on the LRU"); });
    return 0;
  }
  if (v2_6_33::isolate_lru_page(k, page) != 0) return 0;
  const int referenced = v2_6_33::page_referenced(k, page);
  v2_6_33::putback_lru_page(k, page);
  return referenced;
}

}  // namespace v2_6_33

}  // namespace model
