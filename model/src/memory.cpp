// memory.cpp: follow_page, handle_mm_fault, do_anonymous_page, do_wp_page (mm/memory.c v3.9),
// the unmapping of exit and munmap (zap_pte_range, unmap_vmas, free_pgtables, tlb_finish_mmu, v3.9),
// migration_entry_wait (mm/migrate.c v3.9) and the rmap counters they use, shared
// with v2.6.33; below, in namespace v2_6_33, the 2.6.33 tasks (fault, munmap, exit).
//
// Yield points: every ptl acquire/release, every pte transition (a Write on
// the pte slot), lockless pte reads (handle_pte_fault), allocation and
// lockless put_page. Reads done under the ptl are part of the ptl-acquire
// step (nothing else can change the pte meanwhile) and are noted there.
// Invariant: every path releases each lock it takes before returning.
#include "model/memory.h"

#include <algorithm>

#include "model/gup_fast.h"
#include "model/ksm.h"
#include "model/migrate_v4_19.h"
#include "model/mmap.h"
#include "model/rmap.h"
#include "model/swap_state.h"
#include "model/swapin.h"
#include "model/user_access.h"
#include "model/v2_6_33.h"

namespace model {

using checker::AccessKind;
using checker::FailureKind;

void model_limit(const std::string& what) {
  checker::unsupported("model limit: " + what + " is not modelled");
}

void thp_pool_limit(const std::string& what, std::uint32_t subpages) {
  checker::unsupported("model limit: " + what + " is not modelled; the model never hands out again a page freed after "
                       "other threads saw it, so each such THP allocation of an execution (a fault retried after a zap "
                       "freed its first THP allocates again) needs a free THP of its own: declare one more free THP" +
                       (subpages ? " of " + std::to_string(subpages) + " subpages" : std::string()) + " on node 0");
}

// mm/rmap.c v2.6.33, v3.9: page_remove_rmap (anon pages: the mapcount only)
void page_remove_rmap(Kernel& k, PageId page) {
  checker::Frame frame("page_remove_rmap");
  Page& p = k.pages.at(page);
  if (p.mapcount <= 0)
    checker::fail(FailureKind::BugOn, "page_remove_rmap: mapcount of " + p.name + " below zero");
  --p.mapcount;
}

// mm/rmap.c v2.6.33, v3.9: page_add_anon_rmap -> do_page_add_anon_rmap (a KSM page only gains a mapcount)
void page_add_anon_rmap(Kernel& k, PageId page, std::uint32_t vma, std::uint64_t addr) {
  checker::Frame frame("page_add_anon_rmap");
  Page& p = k.pages.at(page);
  bool first = ++p.mapcount == 1;
  if (p.PageKsm()) return;
  if (first && !p.PageAnon()) {
    p.mapping = Mapping{Mapping::Kind::Anon, k.vmas.at(vma).anon_vma};
    p.index = k.vmas.at(vma).linear_page_index(addr);
  }
}

// mm/rmap.c v3.9: page_add_new_anon_rmap (a fresh private page: mapping, index, LRU)
void page_add_new_anon_rmap(Kernel& k, PageId page, std::uint32_t vma, std::uint64_t addr) {
  checker::Frame frame("page_add_new_anon_rmap");
  Page& p = k.pages.at(page);
  p.mapcount = 1;
  p.mapping = Mapping{Mapping::Kind::Anon, k.vmas.at(vma).anon_vma};
  p.index = k.vmas.at(vma).linear_page_index(addr);
  k.lru_cache_add(page, "lru_cache_add_active_or_unevictable");
}

// mm/memory.c v3.9 (3.9.6 tree), mm/gup.c v4.19: can_follow_write_pte
bool can_follow_write_pte(const Kernel& k, const Pte& pte, unsigned flags) {
  const bool cow_ok = (flags & FOLL_COW) &&
                      ((flags & FOLL_FORCE) || (k.config.era == Era::V4_19 && k.config.applied(Fix::GupCowBreak)));
  return pte.write || (cow_ok && pte.dirty);
}

// mm/memory.c v2.6.33 follow_page, v3.9 follow_page_mask (pte level; the pmd is a table in these scenarios)
PageId follow_page(Kernel& k, std::uint32_t vma, std::uint64_t addr, unsigned flags) {
  checker::Frame frame("follow_page");
  if (k.config.era == Era::V4_19) return v4_19::follow_page(k, vma, addr, flags);  // mm/gup.c v4.19
  std::uint32_t mm = k.vmas.at(vma).mm;
  MmStruct& m = k.mms.at(mm);
  for (;;) {  // split_fallthrough
    const PmdSlot* pmd = k.pmd_slot(mm, addr);
    if (!pmd || pmd->pmd.is_none()) return kNoPage;  // no_page_table
    if (!pmd->pmd.is_table()) model_limit("follow_page on a huge or migrating pmd");
    PteSlot* slot = k.pte_slot(mm, addr);
    if (!slot) return kNoPage;  // a pte never populated: pte_none
    m.ptl->lock("follow_page");
    k.kasan_page_table(m, "follow_page");
    Pte pte = slot->pte;
    checker::note([&] { return std::string("pte " + k.where(mm, addr) + " = " + k.pte_str(pte)); });
    if (!pte.is_present()) {
      // Without FOLL_MIGRATION any non-present pte is "no page" (the 3.8 code
      // and 5117b3b835f2 reverted); with it, a migration entry is waited out.
      if (!(flags & FOLL_MIGRATION) || !pte.is_migration()) {
        m.ptl->unlock("follow_page");
        return kNoPage;
      }
      m.ptl->unlock("follow_page");
      migration_entry_wait(k, mm, addr);
      continue;
    }
    if ((flags & FOLL_WRITE) && !can_follow_write_pte(k, pte, flags)) {
      m.ptl->unlock("follow_page");
      return kNoPage;
    }
    PageId page = pte.page;
    if (flags & FOLL_GET) k.page_ref_get_mapped(page, "follow_page");
    m.ptl->unlock("follow_page");
    return page;
  }
}

// mm/memory.c v2.6.33, v3.9: do_swap_page (its migration-entry branch)
static unsigned do_swap_page(Kernel& k, std::uint32_t mm, std::uint64_t addr, const Pte& orig_pte,
                             unsigned fault_flags) {
  checker::Frame frame("do_swap_page");
  // pte_unmap_same() takes no lock where a pte fits in a long (x86_64).
  if (orig_pte.is_migration()) {
    migration_entry_wait(k, mm, addr);
    return VM_FAULT_AGAIN_GHOST;  // the access is re-executed
  }
  // The swap-in proper (seed 003): model/src/swapin.cpp.
  return do_swap_page_swapin(k, static_cast<std::uint32_t>(k.find_vma(mm, addr)), addr, orig_pte, fault_flags);
}

// mm/memory.c v2.6.33, v3.9: handle_mm_fault -> handle_pte_fault
unsigned handle_mm_fault(Kernel& k, std::uint32_t vma, std::uint64_t addr, unsigned fault_flags) {
  checker::Frame frame("handle_mm_fault");
  std::uint32_t mm = k.vmas.at(vma).mm;
  MmStruct& m = k.mms.at(mm);
  if (const PmdSlot* pmd = k.pmd_slot(mm, addr); !pmd || !pmd->pmd.is_table())
    model_limit("handle_mm_fault on a none, huge or migrating pmd");
  PteSlot* slot = k.pte_slot(mm, addr);
  if (!slot) model_limit("do_anonymous_page (fault on an unpopulated pte)");
  // entry = *pte: a lockless read.
  checker::announce(slot->obj, AccessKind::Read, "handle_pte_fault");
  Pte entry = slot->pte;
  checker::note([&] { return std::string("pte " + k.where(mm, addr) + " = " + k.pte_str(entry)); });
  if (!entry.is_present()) {
    if (entry.is_none()) return do_anonymous_page(k, vma, addr, fault_flags);  // no vm_ops: anonymous
    return do_swap_page(k, mm, addr, entry, fault_flags);
  }
  m.ptl->lock("handle_pte_fault");
  k.kasan_page_table(m, "handle_pte_fault");
  if (!(slot->pte == entry)) {
    checker::note([&] { return std::string("!pte_same: " + k.pte_str(slot->pte)); });
    const unsigned again = access_faults_again(slot->pte, fault_flags);
    m.ptl->unlock("handle_pte_fault");
    return again;
  }
  if ((fault_flags & FAULT_FLAG_WRITE) && !entry.write) return do_wp_page(k, vma, addr, entry);
  // entry = pte_mkyoung(pte_mkdirty(entry)) on a write; x86's ptep_set_access_flags stores it only
  // for a write access that changes the pte (a read leaves the young bit to the MMU's retry).
  const Pte accessed = pte_mkyoung(pte_mkdirty(entry));
  if ((fault_flags & FAULT_FLAG_WRITE) && !(accessed == entry)) k.set_pte(mm, *slot, accessed, "ptep_set_access_flags");
  m.ptl->unlock("handle_pte_fault");
  return 0;
}

// mm/memory.c v2.6.33, v3.9, v4.19: anon_vma_prepare + alloc_zeroed_user_highpage_movable +
// __SetPageUptodate, as do_anonymous_page and do_wp_page's zero-page branch take a page
// (kNoPage when none is free)
PageId alloc_zeroed_anon_page(Kernel& k, const Vma& v) {
  // anon_vma_prepare(): the scenario declares every anon_vma (checked when the fault actor is parsed).
  if (!v.has_anon_vma()) model_limit("anon_vma_prepare (a write fault in a vma without an anon_vma)");
  const PageId np = k.alloc_page(0, "alloc_zeroed_user_highpage_movable");
  if (np == kNoPage) return kNoPage;
  Page& newp = k.pages.at(np);
  newp.content = 0;           // zeroed
  newp.flags |= PG_uptodate;  // __SetPageUptodate
  return np;
}

// mm/memory.c v2.6.33, v3.9: do_anonymous_page (a write fault: a fresh zeroed page; the eras differ
// only by v3.9's check_stack_guard_page, a no-op for the scenarios' vmas, which are no stacks)
unsigned do_anonymous_page(Kernel& k, std::uint32_t vma, std::uint64_t addr, unsigned fault_flags) {
  checker::Frame frame("do_anonymous_page");
  const Vma& v = k.vmas.at(vma);
  const std::uint32_t mm = v.mm;
  MmStruct& m = k.mms.at(mm);
  // "Use the zero-page for reads": pte_mkspecial(my_zero_pfn), no rmap, no reference.
  if (!(fault_flags & FAULT_FLAG_WRITE)) {
    // Every scenario with a read `fault` has one (scenario.cpp); other read faults never meet pte none.
    if (k.zero_page == kNoPage) model_limit("do_anonymous_page's zero page in a kernel built without one");
    PteSlot& slot = *k.pte_slot(mm, addr);
    m.ptl->lock("do_anonymous_page");  // pte_offset_map_lock
    k.kasan_page_table(m, "do_anonymous_page");
    unsigned again = 0;
    if (slot.pte.is_none()) {
      // pte_mkspecial(pfn_pte(my_zero_pfn(address), vma->vm_page_prot)): young, clean, read-only
      k.set_pte(mm, slot, Pte::mk_pte(k.zero_page), "do_anonymous_page");  // setpte
    } else {
      checker::note([&] { return std::string("!pte_none: " + k.pte_str(slot.pte)); });
      again = access_faults_again(slot.pte, fault_flags);
    }
    m.ptl->unlock("do_anonymous_page");
    return again;
  }
  const PageId np = alloc_zeroed_anon_page(k, v);
  if (np == kNoPage) return VM_FAULT_OOM;
  // entry = mk_pte(page, vma->vm_page_prot); if VM_WRITE: pte_mkwrite(pte_mkdirty(entry))
  Pte entry = Pte::mk_pte(np);
  if (v.flags & VM_WRITE) entry = pte_mkwrite(pte_mkdirty(entry));
  PteSlot& slot = *k.pte_slot(mm, addr);
  m.ptl->lock("do_anonymous_page");  // pte_offset_map_lock
  k.kasan_page_table(m, "do_anonymous_page");
  if (!slot.pte.is_none()) {
    checker::note([&] { return std::string("!pte_none: " + k.pte_str(slot.pte)); });
    const unsigned again = access_faults_again(slot.pte, fault_flags);
    m.ptl->unlock("do_anonymous_page");
    k.free_new_page(np, "do_anonymous_page");  // release: page_cache_release
    return again;
  }
  page_add_new_anon_rmap(k, np, vma, addr);  // a page no other thread can reach yet
  k.set_pte(mm, slot, entry, "do_anonymous_page");
  m.ptl->unlock("do_anonymous_page");
  return 0;
}

// mm/memory.c v2.6.33, v3.9: do_wp_page with !old_page on the zero page (goto gotten: a fresh
// zeroed page replaces it; the ptl is held on entry and released)
static unsigned do_wp_zero_page(Kernel& k, std::uint32_t vma, std::uint64_t addr, const Pte& orig_pte) {
  const Vma& v = k.vmas.at(vma);
  const std::uint32_t mm = v.mm;
  MmStruct& m = k.mms.at(mm);
  PteSlot& slot = *k.pte_slot(mm, addr);
  m.ptl->unlock("do_wp_page");
  const PageId np = alloc_zeroed_anon_page(k, v);
  if (np == kNoPage) return VM_FAULT_OOM;
  unsigned ret = 0;
  m.ptl->lock("do_wp_page");
  k.kasan_page_table(m, "do_wp_page");
  if (slot.pte == orig_pte) {
    // entry = maybe_mkwrite(pte_mkdirty(mk_pte(new_page, vma->vm_page_prot)), vma)
    k.set_pte(mm, slot, maybe_mkwrite(pte_mkdirty(Pte::mk_pte(np)), (v.flags & VM_WRITE) != 0), "do_wp_page");
    page_add_new_anon_rmap(k, np, vma, addr);
    ret = VM_FAULT_WRITE;  // no old page: nothing to unmap or release
  } else {
    checker::note([&] { return std::string("!pte_same: " + k.pte_str(slot.pte)); });
    ret = access_faults_again(slot.pte, FAULT_FLAG_WRITE);
    k.free_new_page(np, "do_wp_page");  // page_cache_release(new_page)
  }
  m.ptl->unlock("do_wp_page");
  return ret;
}

// mm/memory.c v2.6.33, v3.9: do_wp_page (anon reuse and the COW copy; no shared-file page_mkwrite)
unsigned do_wp_page(Kernel& k, std::uint32_t vma, std::uint64_t addr, const Pte& orig_pte) {
  checker::Frame frame("do_wp_page");
  const Vma& v = k.vmas.at(vma);
  std::uint32_t mm = v.mm;
  MmStruct& m = k.mms.at(mm);
  PteSlot& slot = *k.pte_slot(mm, addr);
  const bool writable = (v.flags & VM_WRITE) != 0;  // maybe_mkwrite()
  if (k.vm_normal_page(orig_pte) == kNoPage) return do_wp_zero_page(k, vma, addr, orig_pte);
  PageId old = orig_pte.page;
  Page& op = k.pages.at(old);

  if (op.PageAnon() && !op.PageKsm()) {
    if (!op.lock->try_lock("do_wp_page")) {
      k.get_page(old, "do_wp_page");
      m.ptl->unlock("do_wp_page");
      op.lock->lock("do_wp_page");
      m.ptl->lock("do_wp_page");
      k.kasan_page_table(m, "do_wp_page");
      if (!(slot.pte == orig_pte)) {
        checker::note([&] { return std::string("!pte_same: " + k.pte_str(slot.pte)); });
        const unsigned again = access_faults_again(slot.pte, FAULT_FLAG_WRITE);
        op.lock->unlock("do_wp_page");
        m.ptl->unlock("do_wp_page");
        k.put_page(old, "do_wp_page");
        return again;
      }
      k.put_page(old, "do_wp_page");
    }
    // reuse_swap_page(): ours alone when mapped once and (in the swap cache)
    // no other swap pte holds its slot; such a page leaves the swap cache.
    if (reuse_swap_page(k, old)) {
      op.lock->unlock("do_wp_page");
      // entry = maybe_mkwrite(pte_mkdirty(pte_mkyoung(orig_pte)), vma); ptep_set_access_flags
      k.set_pte(mm, slot, maybe_mkwrite(pte_mkdirty(pte_mkyoung(orig_pte)), writable), "do_wp_page");
      m.ptl->unlock("do_wp_page");
      return VM_FAULT_WRITE;
    }
    op.lock->unlock("do_wp_page");
  }

  // Ok, we need to copy (KSM pages are never reused).
  k.page_ref_get_mapped(old, "do_wp_page");  // page_cache_get(old_page)
  k.own_page_ref(old);
  m.ptl->unlock("do_wp_page");
  PageId np = k.alloc_page(0, "alloc_page_vma");
  if (np == kNoPage) {
    k.page_ref_put_own(old, "do_wp_page");
    return VM_FAULT_OOM;
  }
  Page& newp = k.pages.at(np);
  read_page_data(k, old, "cow_user_page");
  newp.content = op.content;  // cow_user_page
  newp.flags |= PG_uptodate;  // __SetPageUptodate
  unsigned ret = 0;
  m.ptl->lock("do_wp_page");
  k.kasan_page_table(m, "do_wp_page");
  if (slot.pte == orig_pte) {
    k.set_pte(mm, slot, maybe_mkwrite(pte_mkdirty(Pte::mk_pte(np)), writable), "do_wp_page");
    flush_tlb_others_wait(k, mm, "do_wp_page: ptep_clear_flush");  // get_user_pages_fast scenarios only
    page_add_new_anon_rmap(k, np, vma, addr);
    k.page_mapcount_add(old, -1, "do_wp_page");  // page_remove_rmap(old_page)
    // "Free the old page": the mapping's reference; the page_cache_get above
    // is still held, so this is never the last.
    k.page_ref_put_held(old, "do_wp_page");
    ret = VM_FAULT_WRITE;
  } else {
    checker::note([&] { return std::string("!pte_same: " + k.pte_str(slot.pte)); });
    ret = access_faults_again(slot.pte, FAULT_FLAG_WRITE);
    k.free_new_page(np, "do_wp_page");  // page_cache_release(new_page)
  }
  m.ptl->unlock("do_wp_page");
  k.page_ref_put_own(old, "do_wp_page");  // page_cache_release(old_page)
  return ret;
}

// mm/migrate.c v2.6.33, v3.9: migration_entry_wait (2.6.33: get_page, not get_page_unless_zero)
void migration_entry_wait(Kernel& k, std::uint32_t mm, std::uint64_t addr) {
  checker::Frame frame("migration_entry_wait");
  MmStruct& m = k.mms.at(mm);
  PteSlot* slot = k.pte_slot(mm, addr);
  if (!slot) return;
  m.ptl->lock("migration_entry_wait");
  k.kasan_page_table(m, "migration_entry_wait");
  Pte pte = slot->pte;
  checker::note([&] { return std::string("pte " + k.where(mm, addr) + " = " + k.pte_str(pte)); });
  if (!pte.is_migration()) {
    m.ptl->unlock("migration_entry_wait");
    return;
  }
  Page& page = k.pages.at(pte.page);
  // include/linux/swapops.h: migration_entry_to_page() reads PG_locked: a step
  // on the page lock, so partial-order reduction orders it against unlock_page.
  checker::announce(page.lock->id(), checker::AccessKind::Read, "migration_entry_to_page");
  if (!page.PageLocked())
    checker::fail(FailureKind::BugOn, "BUG_ON(!PageLocked(p)) in migration_entry_to_page: " +
                                          k.where(mm, addr) + " holds " + k.pte_str(pte) +
                                          " but " + page.name + " is not locked");
  if (!k.get_page_unless_zero(pte.page, "migration_entry_wait")) {  // the fault will be retried
    m.ptl->unlock("migration_entry_wait");
    return;
  }
  m.ptl->unlock("migration_entry_wait");
  page.lock->wait_unlocked("migration_entry_wait");
  k.page_ref_put(pte.page, "migration_entry_wait");
}

// arch/x86/mm/fault.c v2.6.33, v3.9: do_page_fault -> mm/memory.c handle_mm_fault, re-run while the
// fault backed out and the pte still does not allow the access (VM_FAULT_AGAIN_GHOST: the kernel
// re-executes the access until it succeeds; the model re-runs it at most four times)
unsigned fault(Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write) {
  MmStruct& m = k.mms.at(mm);
  unsigned ret = 0;
  for (int attempt = 0; attempt < 4; ++attempt) {
    m.mmap_sem->down_read("do_page_fault");
    const int v = k.find_vma(mm, addr);
    if (v < 0) {
      checker::note("no vma: SIGSEGV");
      m.mmap_sem->up_read("do_page_fault");
      return VM_FAULT_BAD_AREA_GHOST;
    }
    ret = handle_mm_fault(k, static_cast<std::uint32_t>(v), addr, write ? unsigned{FAULT_FLAG_WRITE} : 0u);
    m.mmap_sem->up_read("do_page_fault");
    if (!(ret & VM_FAULT_AGAIN_GHOST)) return ret;
    checker::note("the access faults again");
  }
  return ret & ~unsigned{VM_FAULT_AGAIN_GHOST};
}

// mm/memory.c v3.9, v4.19: zap_pte_range's loop over the ptes of one vma in [start, end), the
// caller holding the table's ptl (the eras differ only in which lock that is): present ptes
// cleared (ptep_get_and_clear_full), page_remove_rmap, the page's put batched (tlb_remove_page,
// released at tlb_finish_mmu); swap entries freed (free_swap_and_cache); a migration entry read
// for the rss counter (migration_entry_to_page's BUG_ON(!PageLocked)), then cleared
void zap_pte_entries(Kernel& k, MmuGather& tlb, std::uint32_t vma, std::uint64_t start, std::uint64_t end) {
  const Vma& v = k.vmas.at(vma);
  const std::uint32_t mm = v.mm;
  MmStruct& m = k.mms.at(mm);
  for (auto& [addr, slot] : m.ptes) {
    if (addr < start || addr >= end) continue;
    const Pte ptent = slot.pte;  // read under the ptl
    if (ptent.is_none()) continue;
    if (ptent.is_present()) {
      k.set_pte(mm, slot, Pte::none(), "zap_pte_range");  // ptep_get_and_clear_full
      if (k.vm_normal_page(ptent) == kNoPage) continue;      // the zero page
      k.page_mapcount_add(ptent.page, -1, "zap_pte_range");  // page_remove_rmap
      tlb.pages.push_back(ptent.page);                        // __tlb_remove_page
      if (ptent.write || m.gup_fast) tlb.flush_page(mm, addr, ptent.page);  // gup_fast: every pte
      continue;
    }
    if (ptent.is_swap()) {
      free_swap_and_cache(k, ptent.entry);
    } else {
      // A migration entry: migration_entry_to_page() for the rss counter, with its
      // BUG_ON(!PageLocked(p)); the page's count and mapcount are not touched.
      Page& page = k.pages.at(ptent.page);
      checker::announce(page.lock->id(), checker::AccessKind::Read, "migration_entry_to_page");
      if (!page.PageLocked())
        checker::fail(FailureKind::BugOn, "BUG_ON(!PageLocked(p)) in migration_entry_to_page: zap_pte_range of " +
                                              k.where(mm, addr) + " = " + k.pte_str(ptent) + " but " + page.name +
                                              " is not locked");
    }
    k.set_pte(mm, slot, Pte::none(), "zap_pte_range");  // pte_clear_not_present_full
  }
}

// mm/memory.c v3.9: zap_pte_range (the mm's one ptl; the loop is zap_pte_entries)
void zap_pte_range(Kernel& k, MmuGather& tlb, std::uint32_t vma, std::uint64_t start, std::uint64_t end) {
  checker::Frame frame("zap_pte_range");
  MmStruct& m = k.mms.at(k.vmas.at(vma).mm);
  m.ptl->lock("zap_pte_range");  // pte_offset_map_lock
  k.kasan_page_table(m, "zap_pte_range");
  zap_pte_entries(k, tlb, vma, start, end);
  m.ptl->unlock("zap_pte_range");
}

// mm/memory.c v3.9: unmap_vmas -> unmap_single_vma -> unmap_page_range (the pmds are tables)
void unmap_vmas(Kernel& k, MmuGather& tlb, const std::vector<std::uint32_t>& vmas, std::uint64_t start,
                std::uint64_t end) {
  checker::Frame frame("unmap_vmas");
  for (std::uint32_t v : vmas) {
    const Vma& vma = k.vmas.at(v);
    const std::uint64_t s = std::max(start, vma.start), e = std::min(end, vma.end);
    if (s < e) zap_pte_range(k, tlb, v, s, e);
  }
}

// mm/memory.c v3.9: free_pgtables (unlink_anon_vmas of each vma; free_pgd_range when the
// caller's range covers the mm's page table: exit_mmap)
void free_pgtables(Kernel& k, const std::vector<std::uint32_t>& vmas, bool free_page_table) {
  checker::Frame frame("free_pgtables");
  for (std::uint32_t v : vmas) unlink_anon_vmas(k, v);  // unlink_file_vma: no file vmas
  if (!free_page_table || vmas.empty()) return;
  const std::uint32_t mm = k.vmas.at(vmas.front()).mm;
  MmStruct& m = k.mms.at(mm);
  // free_pgd_range -> free_pte_range -> pte_free_tlb: the table page and its split ptl
  // go; any later lookup in it is a use-after-free (Kernel::pte_slot). x86 v3.9 batches the
  // table page in the mmu_gather (tlb_remove_page): it is freed after tlb_flush_mmu's flush,
  // whose IPI waits for a get_user_pages_fast walk of mm.
  flush_tlb_others_wait(k, mm, "free_pgtables: tlb_flush_mmu");
  checker::announce(m.ptl->id(), checker::AccessKind::Write, "free_pgtables");
  m.pgtables_freed_at = Kernel::freed_by("free_pgtables");
  checker::note([&] { return std::string("page table of " + m.name + " freed"); });
}

// mm/memory.c, mm/swap.c v3.9: tlb_finish_mmu -> tlb_flush_mmu -> free_pages_and_swap_cache
// (release_pages: the batched references; free_swap_cache is not modelled)
void tlb_finish_mmu(Kernel& k, MmuGather& tlb) {
  checker::Frame frame("tlb_finish_mmu");
  for (const MmuGather::Flush& f : tlb.flushes) flush_tlb_range(k, f.mm, f.start, f.end, f.page, "tlb_flush_mmu");
  tlb.flushes.clear();
  for (PageId p : tlb.pages) k.page_ref_put(p, "tlb_finish_mmu");
  tlb.pages.clear();
}

// ===========================================================================
// v2.6.33 tasks: munmap and exit (the unmapping tasks of seed 002), over the
// shared paths above.
// ===========================================================================
namespace v2_6_33 {

namespace {

// mm/memory.c v2.6.33: zap_pte_range (the ptes of one vma in [start, end); without `tlb`,
// tlb_remove_page's put_page as a step on the page under the ptl (munmap and exit, whose
// mmu_gather the model leaves out); with it, the page batched as SMP's tlb_remove_page does,
// its reference released at tlb_finish_mmu)
void zap_pte_range(Kernel& k, std::uint32_t vma, std::uint64_t start, std::uint64_t end, MmuGather* tlb = nullptr) {
  checker::Frame frame("zap_pte_range");
  const Vma& v = k.vmas[vma];
  MmStruct& m = k.mms[v.mm];
  m.ptl->lock("zap_pte_range");
  for (auto& [addr, slot] : m.ptes) {
    if (addr < start || addr >= end || slot.pte.is_none()) continue;
    const Pte old = slot.pte;
    k.set_pte(v.mm, slot, Pte::none(), "zap_pte_range");  // ptep_get_and_clear_full
    if (old.is_present() && k.vm_normal_page(old) != kNoPage) {
      k.touch_page(old.page, "zap_pte_range");  // page_remove_rmap; tlb_remove_page -> put_page
      page_remove_rmap(k, old.page);
      if (tlb) {
        tlb->pages.push_back(old.page);  // tlb_remove_page: tlb->pages[tlb->nr++] = page
        if (old.write) tlb->flush_page(v.mm, addr, old.page);
        continue;
      }
      // The kernel's tlb_finish_mmu flushes before it frees the batch: a store's writable
      // translation goes before the page does (a step only when the scenario stores).
      if (old.write) flush_tlb_page(k, v.mm, addr, old.page, "zap_pte_range: tlb_flush_mmu");
      k.put_page_locked(old.page);
    } else if (old.is_swap()) {
      free_swap_and_cache(k, old.entry);
    }
    // a migration entry: free_swap_and_cache() does nothing for it
  }
  m.ptl->unlock("zap_pte_range");
}

// mm/rmap.c v2.6.33: anon_vma_unlink (frees the anon_vma when no vma and no ksm_refcount is left)
void anon_vma_unlink(Kernel& k, std::uint32_t vma) {
  checker::Frame frame("anon_vma_unlink");
  const Vma& v = k.vmas[vma];
  if (!v.has_anon_vma()) return;
  k.kasan_anon_vma(v.anon_vma, "anon_vma_unlink");
  AnonVma& a = k.anon_vmas[v.anon_vma];
  a.lock->down_write("anon_vma_unlink");
  std::erase(a.vmas, vma);
  const bool empty = a.vmas.empty() && a.refcount == 0;
  a.lock->up_write("anon_vma_unlink");
  if (empty) {
    a.freed = true;  // anon_vma_free
    a.freed_at = Kernel::freed_by("anon_vma_unlink");
    checker::note([&] { return std::string("anon_vma " + a.name + " freed"); });
  }
}

void unmap_vma(Kernel& k, std::uint32_t mm, std::uint32_t vma) {
  zap_pte_range(k, vma, k.vmas[vma].start, k.vmas[vma].end);
  anon_vma_unlink(k, vma);
  std::erase(k.mms[mm].vmas, vma);  // remove_vma_list
}

}  // namespace

// mm/memory.c v2.6.33: zap_page_range (one vma's [start, end): lru_add_drain, tlb_gather_mmu
// (SMP: nr = 0, not fast mode), unmap_vmas -> zap_pte_range, tlb_finish_mmu: tlb_flush_mmu's
// flush_tlb_mm, then free_pages_and_swap_cache of the batch, after the ptl is released)
void zap_page_range(Kernel& k, std::uint32_t vma, std::uint64_t start, std::uint64_t end) {
  checker::Frame frame("zap_page_range");
  MmuGather tlb;
  zap_pte_range(k, vma, start, end, &tlb);
  model::tlb_finish_mmu(k, tlb);
}

// mm/mmap.c v2.6.33: do_munmap of the whole vma containing addr (the caller holds mmap_sem for write)
void do_munmap(Kernel& k, std::uint32_t mm, std::uint64_t addr) {
  checker::Frame frame("do_munmap");
  const int v = k.find_vma(mm, addr);
  if (v >= 0) unmap_vma(k, mm, static_cast<std::uint32_t>(v));
}

// mm/mmap.c v2.6.33: sys_munmap (down_write(mmap_sem), do_munmap)
void munmap(Kernel& k, std::uint32_t mm, std::uint64_t addr) {
  checker::Frame frame("munmap");
  MmStruct& m = k.mms.at(mm);
  m.mmap_sem->down_write("sys_munmap");
  v2_6_33::do_munmap(k, mm, addr);
  m.mmap_sem->up_write("sys_munmap");
}

// kernel/fork.c v2.6.33: mmput (atomic_dec_and_test(&mm->mm_users); the last user: ksm_exit ->
// __ksm_exit (mm/ksm.c v2.6.33: the code of v3.9's, model::ksm_exit: the mm_slot freed at once when it
// has no rmap_item and is not at ksmd's cursor, else mmap_sem taken and dropped for write), then
// exit_mmap (mm/mmap.c v2.6.33) without mmap_sem: unmap_vmas, free_pgtables and remove_vma, here
// each vma as munmap unmaps it (zap_pte_range, anon_vma_unlink)
void mmput(Kernel& k, std::uint32_t mm) {
  checker::Frame frame("mmput");
  if (!mmput_dec_and_test(k, mm)) return;
  ksm_exit(k, mm);
  for (std::uint32_t v : std::vector<std::uint32_t>(k.mms.at(mm).vmas)) unmap_vma(k, mm, v);
  mmdrop(k, mm, "mmput", !k.mms[mm].mmf_vm_mergeable);  // the KSM slot's reference: ksmd's last drop
}

}  // namespace v2_6_33

}  // namespace model
