// huge_memory.cpp: the huge-pmd paths of kernel 4.19 the THP migration, fork, the
// faults on it and the unmapping run: set_pmd_migration_entry, remove_migration_pmd,
// copy_huge_pmd, huge_pmd_set_accessed, do_huge_pmd_anonymous_page (a THP, or the huge zero
// page for a read), do_huge_pmd_wp_page (of a THP or the huge zero page), __pmd_trans_huge_lock
// and zap_huge_pmd (mm/huge_memory.c v4.19), pmdp_invalidate
// (mm/pgtable-generic.c v4.19, x86's pmd_mknotpresent) and
// pmd_migration_entry_wait (mm/migrate.c v4.19).
// Yield points: the pmd lock, each pmd write (pmdp_invalidate, set_pmd_at),
// the page count and mapcount changes (steps on the page), the page-lock wait.
// Invariant: a pmd changes only with the mm's pmd lock held.
#include "model/huge_memory.h"

#include "model/gup_fast.h"
#include "model/hmm.h"
#include "model/ksm.h"
#include "model/memory.h"
#include "model/swap_state.h"
#include "model/user_access.h"

namespace model::v4_19 {

using checker::AccessKind;
using checker::FailureKind;

namespace {

// mm/pgtable-generic.c v4.19: pmdp_invalidate (pmdp_establish of pmd_mknotpresent; returns the old value)
Pmd pmdp_invalidate(Kernel& k, std::uint32_t mm, PmdSlot& slot) {
  checker::Frame frame("pmdp_invalidate");
  const Pmd old = slot.pmd;
  k.set_pmd(mm, slot, Pmd::invalidated(old.page, old.write, old.dirty), "pmdp_invalidate");
  return old;
}

unsigned huge_pmd_wp_copy(Kernel& k, std::uint32_t vma, PmdSlot& slot, const Pmd& orig, PageId page);

}  // namespace

// mm/huge_memory.c v4.19: set_pmd_migration_entry
void set_pmd_migration_entry(Kernel& k, PageVmaMappedWalk& pvmw, PageId page) {
  checker::Frame frame("set_pmd_migration_entry");
  if (!(pvmw.pmd && !pvmw.pte)) return;
  const std::uint32_t mm = k.vmas.at(pvmw.vma).mm;
  const Pmd pmdval = pmdp_invalidate(k, mm, *pvmw.pmd);
  // pmdp_invalidate's flush_pmd_tlb_range: a store's cached writable translation is gone, and
  // the IPI waits for a get_user_pages_fast walk with interrupts off (a read-only pmd too)
  if (pmdval.write) flush_tlb_range(k, mm, pmd_base(pvmw.address), pmd_base(pvmw.address) + kPmdSize, page, "pmdp_invalidate");
  else flush_tlb_others_wait(k, mm, "pmdp_invalidate");
  Page& p = k.pages.at(page);
  // "if (pmd_dirty(pmdval)) set_page_dirty(page)": PG_dirty of an anon THP is read by no modelled
  // path, so the model takes no step for it; make_migration_entry(page, pmd_write(pmdval));
  // swp_entry_to_pmd; set_pmd_at (the entry keeps no dirty bit)
  k.set_pmd(mm, *pvmw.pmd, Pmd::migration(page, pmdval.write), "set_pmd_migration_entry");
  // page_remove_rmap(page, true) and put_page(page): atomics on the page, one step.
  k.touch_page(page, "set_pmd_migration_entry");
  page_remove_rmap(k, page);
  k.put_page_locked(page);
  checker::note([&] { return "page_remove_rmap(" + p.name + ", compound) -> mapcount " + std::to_string(p.mapcount) +
                             ", put_page -> " + std::to_string(p.refcount); });
}

// mm/huge_memory.c v4.19: remove_migration_pmd
void remove_migration_pmd(Kernel& k, PageVmaMappedWalk& pvmw, PageId newpage) {
  checker::Frame frame("remove_migration_pmd");
  if (!(pvmw.pmd && !pvmw.pte)) return;
  const std::uint32_t mm = k.vmas.at(pvmw.vma).mm;
  const Pmd entry = pvmw.pmd->pmd;  // pmd_to_swp_entry(*pvmw->pmd)
  k.get_page(newpage, "remove_migration_pmd");
  // pmd_mkold(mk_huge_pmd(new)), clean; maybe_pmd_mkwrite: writable again when the entry was a
  // write migration entry of a VM_WRITE vma.
  const bool write = entry.write && (k.vmas[pvmw.vma].flags & VM_WRITE);
  // page_add_anon_rmap(new, vma, mmun_start, true) comes before set_pmd_at in 4.19.
  k.touch_page(newpage, "remove_migration_pmd");
  page_add_anon_rmap(k, newpage, pvmw.vma, pvmw.pmd->address);
  checker::note([&] { return "page_add_anon_rmap(" + k.page_name(newpage) + ", compound) -> mapcount " +
                             std::to_string(k.pages[newpage].mapcount); });
  k.set_pmd(mm, *pvmw.pmd, Pmd::huge(newpage, write, false), "remove_migration_pmd");
}

// mm/huge_memory.c v4.19: copy_huge_pmd (an anonymous vma, a THP or the huge zero page; the
// deposited page table of pte_alloc_one / pgtable_trans_huge_deposit is not kept)
int copy_huge_pmd(Kernel& k, std::uint32_t dst_mm, std::uint32_t src_mm, PmdSlot& dst, PmdSlot& src) {
  checker::Frame frame("copy_huge_pmd");
  checker::Spinlock& dst_ptl = *k.mms.at(dst_mm).pmd_lock;
  checker::Spinlock& src_ptl = *k.mms.at(src_mm).pmd_lock;
  dst_ptl.lock("copy_huge_pmd");  // pmd_lock(dst_mm, dst_pmd)
  src_ptl.lock("copy_huge_pmd");  // spin_lock_nested(src_ptl, SINGLE_DEPTH_NESTING)
  int ret = -kEAGAIN;
  Pmd pmd = src.pmd;
  checker::note([&] { return "pmd " + k.where(src_mm, src.address) + " = " + k.pmd_str(pmd); });
  if (is_swap_pmd(pmd)) {
    if (!is_pmd_migration_entry(pmd)) checker::fail(FailureKind::BugOn, "VM_BUG_ON(!is_pmd_migration_entry(pmd))");
    if (pmd.write) {  // is_write_migration_entry: make_migration_entry_read, in the parent too
      pmd.write = false;
      k.set_pmd(src_mm, src, pmd, "copy_huge_pmd");
    }
    k.set_pmd(dst_mm, dst, pmd, "copy_huge_pmd");  // no reference: a migration entry holds none
    ret = 0;
  } else if (k.is_huge_zero_pmd(pmd)) {
    // mm_get_huge_zero_page(dst_mm) (a reference of the mm, not modelled); set_huge_zero_page:
    // the child's pmd maps it read-only, no rmap; the parent's pmd stays as it was
    if (pmd_none(dst.pmd)) k.set_pmd(dst_mm, dst, Pmd::huge(pmd.page, false, false), "set_huge_zero_page");
    ret = 0;
  } else if (pmd_trans_huge(pmd)) {
    const PageId page = pmd.page;  // src_page = pmd_page(pmd)
    Page& p = k.pages.at(page);
    if (!p.PageTransHuge()) checker::fail(FailureKind::BugOn, "VM_BUG_ON_PAGE(!PageHead(src_page), src_page)");
    // get_page(src_page); page_dup_rmap(src_page, true): atomics on the page, one step.
    k.touch_page(page, "copy_huge_pmd");
    k.get_page_locked(page);
    ++p.mapcount;
    checker::note([&] { return "page_dup_rmap(" + p.name + ", compound) -> mapcount " + std::to_string(p.mapcount); });
    // pmdp_set_wrprotect(src_mm, addr, src_pmd): an atomic clear_bit of _PAGE_RW (dirty stays).
    k.set_pmd(src_mm, src, Pmd::huge(page, false, pmd.dirty), "pmdp_set_wrprotect");
    // pmd_mkold(pmd_wrprotect(pmd)): the model's pmd keeps no young bit; the dirty bit is copied.
    k.set_pmd(dst_mm, dst, Pmd::huge(page, false, pmd.dirty), "copy_huge_pmd");
    ret = 0;
  }
  src_ptl.unlock("copy_huge_pmd");
  dst_ptl.unlock("copy_huge_pmd");
  return ret;
}

// mm/migrate.c v4.19: pmd_migration_entry_wait
void pmd_migration_entry_wait(Kernel& k, std::uint32_t mm, PmdSlot& slot) {
  checker::Frame frame("pmd_migration_entry_wait");
  checker::Spinlock& ptl = *k.mms.at(mm).pmd_lock;
  ptl.lock("pmd_migration_entry_wait");
  const Pmd pmd = slot.pmd;
  checker::note([&] { return "pmd " + k.where(mm, slot.address) + " = " + k.pmd_str(pmd); });
  if (!is_pmd_migration_entry(pmd)) {
    ptl.unlock("pmd_migration_entry_wait");
    return;
  }
  Page& page = k.pages.at(pmd.page);
  // migration_entry_to_page(): BUG_ON(!PageLocked(p)), a read of PG_locked.
  checker::announce(page.lock->id(), AccessKind::Read, "migration_entry_to_page");
  if (!page.PageLocked())
    checker::fail(FailureKind::BugOn, "BUG_ON(!PageLocked(p)) in migration_entry_to_page: pmd " +
                                          k.where(mm, slot.address) + " holds " + k.pmd_str(pmd) + " but " +
                                          page.name + " is not locked");
  k.touch_page(pmd.page, "pmd_migration_entry_wait");  // get_page_unless_zero
  if (page.refcount == 0) {
    checker::note([&] { return "get_page_unless_zero(" + page.name + ") failed"; });
    ptl.unlock("pmd_migration_entry_wait");
    return;
  }
  k.get_page_locked(pmd.page);
  checker::note([&] { return "get_page(" + page.name + ") -> " + std::to_string(page.refcount); });
  ptl.unlock("pmd_migration_entry_wait");
  page.lock->wait_unlocked("pmd_migration_entry_wait");  // wait_on_page_locked
  k.put_page(pmd.page, "pmd_migration_entry_wait");
}

// mm/huge_memory.c v4.19: huge_pmd_set_accessed (pmd_mkyoung, and pmd_mkdirty for a write, on an
// unchanged pmd; x86's pmdp_set_access_flags writes only for a write that changes it; no young bit)
void huge_pmd_set_accessed(Kernel& k, std::uint32_t mm, PmdSlot& slot, const Pmd& orig, unsigned flags) {
  checker::Frame frame("huge_pmd_set_accessed");
  checker::Spinlock& ptl = *k.mms.at(mm).pmd_lock;
  ptl.lock("huge_pmd_set_accessed");
  checker::note([&] { return std::string(slot.pmd == orig ? "pmd_same" : "!pmd_same: ") +
                             (slot.pmd == orig ? "" : k.pmd_str(slot.pmd)); });
  if (slot.pmd == orig && (flags & FAULT_FLAG_WRITE) && !orig.dirty) {
    Pmd entry = orig;
    entry.dirty = true;
    k.set_pmd(mm, slot, entry, "pmdp_set_access_flags");
  }
  ptl.unlock("huge_pmd_set_accessed");
}

// mm/huge_memory.c v4.19: do_huge_pmd_anonymous_page -> __do_huge_pmd_anonymous_page, and a
// read's set_huge_zero_page (transhuge_vma_suitable and VM_HUGEPAGE checked by the caller; no
// memcg, userfaultfd, khugepaged_enter or OOM reaper; pte_alloc_one's deposited table is not
// kept; mm_get_huge_zero_page always finds the page: huge_zero_refcount is not modelled)
unsigned do_huge_pmd_anonymous_page(Kernel& k, std::uint32_t vma, PmdSlot& slot, unsigned flags) {
  checker::Frame frame("do_huge_pmd_anonymous_page");
  const Vma& v = k.vmas.at(vma);
  const std::uint32_t mm = v.mm;
  if (!v.has_anon_vma()) model_limit("anon_vma_prepare (a THP fault in a vma without an anon_vma)");
  checker::Spinlock& ptl = *k.mms.at(mm).pmd_lock;
  if (!(flags & FAULT_FLAG_WRITE)) {  // && !mm_forbids_zeropage && transparent_hugepage_use_zero_page
    if (k.huge_zero_page == kNoPage)
      throw std::logic_error("model error: a read fault under a none pmd in a scenario loaded without the huge zero page");
    ptl.lock("do_huge_pmd_anonymous_page");  // vmf->ptl = pmd_lock(vma->vm_mm, vmf->pmd)
    if (pmd_none(slot.pmd))  // set_huge_zero_page: pmd_mkhuge(mk_pmd(zero_page, vm_page_prot)), read-only, clean
      k.set_pmd(mm, slot, Pmd::huge(k.huge_zero_page, false, false), "set_huge_zero_page");
    else  // pte_free(pgtable)
      checker::note([&] { return "!pmd_none: " + k.pmd_str(slot.pmd); });
    ptl.unlock("do_huge_pmd_anonymous_page");
    return 0;
  }
  // alloc_hugepage_vma from the faulting CPU's node (node 0), prep_transhuge_page
  const PageId page = k.alloc_pages(0, 0, "alloc_hugepage_vma");
  if (page == kNoPage) return VM_FAULT_FALLBACK;  // count_vm_event(THP_FAULT_FALLBACK)
  Page& p = k.pages[page];
  p.content = 0;  // clear_huge_page
  p.flags |= PG_uptodate;  // __SetPageUptodate
  ptl.lock("__do_huge_pmd_anonymous_page");  // pmd_lock
  if (!pmd_none(slot.pmd)) {  // unlock_release: pte_free, put_page
    checker::note([&] { return "!pmd_none: " + k.pmd_str(slot.pmd); });
    ptl.unlock("__do_huge_pmd_anonymous_page");
    k.free_new_page(page, "__do_huge_pmd_anonymous_page");
    return 0;
  }
  // entry = maybe_pmd_mkwrite(pmd_mkdirty(mk_huge_pmd(page)), vma); page_add_new_anon_rmap(page,
  // vma, haddr, true) and lru_cache_add on a page no other thread reaches yet; set_pmd_at
  page_add_new_anon_rmap(k, page, vma, slot.address);
  k.set_pmd(mm, slot, Pmd::huge(page, (v.flags & VM_WRITE) != 0, true), "__do_huge_pmd_anonymous_page");
  ptl.unlock("__do_huge_pmd_anonymous_page");
  return 0;
}

// mm/huge_memory.c v4.19: do_huge_pmd_wp_page (an anonymous THP or the huge zero page; no
// memcg; the fallback when no THP is free, do_huge_pmd_wp_page_fallback's 512 small pages or
// split_huge_pmd, is a model limit)
unsigned do_huge_pmd_wp_page(Kernel& k, std::uint32_t vma, PmdSlot& slot, const Pmd& orig) {
  checker::Frame frame("do_huge_pmd_wp_page");
  const Vma& v = k.vmas.at(vma);
  const std::uint32_t mm = v.mm;
  if (!v.has_anon_vma()) checker::fail(FailureKind::BugOn, "VM_BUG_ON_VMA(!vma->anon_vma) in do_huge_pmd_wp_page");
  // is_huge_zero_pmd(orig_pmd): goto alloc with page = NULL, the pmd lock not taken
  if (k.is_huge_zero_pmd(orig)) return huge_pmd_wp_copy(k, vma, slot, orig, kNoPage);
  checker::Spinlock& ptl = *k.mms.at(mm).pmd_lock;
  ptl.lock("do_huge_pmd_wp_page");
  if (!(slot.pmd == orig)) {  // out_unlock
    checker::note([&] { return "!pmd_same: " + k.pmd_str(slot.pmd); });
    ptl.unlock("do_huge_pmd_wp_page");
    return 0;
  }
  const PageId page = orig.page;  // pmd_page(orig_pmd)
  Page& p = k.pages.at(page);
  if (!p.PageTransHuge())
    checker::fail(FailureKind::BugOn, "VM_BUG_ON_PAGE(!PageCompound(page) || !PageHead(page)) in do_huge_pmd_wp_page");
  // "We can only reuse the page if nobody else maps the huge page or it's part."
  if (!p.lock->try_lock("do_huge_pmd_wp_page")) {
    k.get_page(page, "do_huge_pmd_wp_page");
    ptl.unlock("do_huge_pmd_wp_page");
    p.lock->lock("do_huge_pmd_wp_page");
    ptl.lock("do_huge_pmd_wp_page");
    if (!(slot.pmd == orig)) {
      checker::note([&] { return "!pmd_same: " + k.pmd_str(slot.pmd); });
      p.lock->unlock("do_huge_pmd_wp_page");
      k.put_page(page, "do_huge_pmd_wp_page");
      ptl.unlock("do_huge_pmd_wp_page");
      return 0;
    }
    k.put_page(page, "do_huge_pmd_wp_page");
  }
  if (reuse_swap_page(k, page)) {
    // entry = maybe_pmd_mkwrite(pmd_mkdirty(pmd_mkyoung(orig_pmd)), vma); pmdp_set_access_flags
    k.set_pmd(mm, slot, Pmd::huge(page, (v.flags & VM_WRITE) != 0, true), "pmdp_set_access_flags");
    p.lock->unlock("do_huge_pmd_wp_page");
    ptl.unlock("do_huge_pmd_wp_page");  // out_unlock
    return VM_FAULT_WRITE;
  }
  p.lock->unlock("do_huge_pmd_wp_page");
  k.page_ref_get_mapped(page, "do_huge_pmd_wp_page");  // get_page(page) under the pmd lock
  k.own_page_ref(page);
  ptl.unlock("do_huge_pmd_wp_page");
  return huge_pmd_wp_copy(k, vma, slot, orig, page);
}

namespace {

// mm/huge_memory.c v4.19: do_huge_pmd_wp_page from its alloc label: a new THP for the
// write, cleared for the huge zero page (page = kNoPage) or copied from page (whose reference
// the caller took), mapped under the pmd lock if the pmd is still orig
unsigned huge_pmd_wp_copy(Kernel& k, std::uint32_t vma, PmdSlot& slot, const Pmd& orig, PageId page) {
  const Vma& v = k.vmas.at(vma);
  const std::uint32_t mm = v.mm;
  const std::uint64_t haddr = slot.address;
  checker::Spinlock& ptl = *k.mms.at(mm).pmd_lock;
  // alloc: __transparent_hugepage_enabled(vma) (sysfs "madvise": VM_HUGEPAGE) ->
  // alloc_hugepage_vma from the faulting CPU's node (node 0), prep_transhuge_page
  if (page == kNoPage && !(v.flags & VM_HUGEPAGE))
    model_limit("split_huge_pmd (do_huge_pmd_wp_page of the huge zero page in a vma without VM_HUGEPAGE)");
  if (!(v.flags & VM_HUGEPAGE))
    model_limit("do_huge_pmd_wp_page_fallback (a COW of THP " + k.page_name(page) +
                " in a vma without VM_HUGEPAGE: with THP \"enabled\" = \"madvise\", the model's setting, the kernel "
                "copies it into 512 small pages)");
  const std::uint32_t nr = page == kNoPage ? 0 : k.pages[page].nr_pages;
  const PageId np = k.alloc_pages(0, nr, "alloc_hugepage_vma");
  if (np == kNoPage && page == kNoPage)
    thp_pool_limit("split_huge_pmd (do_huge_pmd_wp_page of the huge zero page with no free THP on node 0)", 0);
  if (np == kNoPage)
    thp_pool_limit("do_huge_pmd_wp_page_fallback (no free THP of " + std::to_string(nr) +
                       " subpages on node 0 for the COW: its 512 small pages, or split_huge_pmd)",
                   nr);
  if (page == kNoPage) {
    k.pages[np].content = 0;  // clear_huge_page
  } else {
    read_page_data(k, page, "copy_user_huge_page");
    k.pages[np].content = k.pages[page].content;  // copy_user_huge_page: the THP's data token
  }
  k.pages[np].flags |= PG_uptodate;  // __SetPageUptodate
  mmu_notifier_invalidate_range_start(k, mm, haddr, haddr + kPmdSize);
  ptl.lock("do_huge_pmd_wp_page");
  if (page != kNoPage) k.page_ref_put_own(page, "do_huge_pmd_wp_page");  // if (page) put_page(page)
  bool copied = false;
  if (!(slot.pmd == orig)) {
    checker::note([&] { return "!pmd_same: " + k.pmd_str(slot.pmd); });
    ptl.unlock("do_huge_pmd_wp_page");
    k.free_new_page(np, "do_huge_pmd_wp_page");  // put_page(new_page)
  } else {
    // entry = maybe_pmd_mkwrite(pmd_mkdirty(mk_huge_pmd(new_page)), vma)
    const Pmd entry = Pmd::huge(np, (v.flags & VM_WRITE) != 0, true);
    k.set_pmd(mm, slot, Pmd::none(), "pmdp_huge_clear_flush_notify");
    // its flush of the read-only pmd: no store caches it; the IPI waits for a fast walk
    flush_tlb_others_wait(k, mm, "pmdp_huge_clear_flush_notify");
    page_add_new_anon_rmap(k, np, vma, haddr);  // compound; lru_cache_add_active_or_unevictable
    k.set_pmd(mm, slot, entry, "do_huge_pmd_wp_page");  // set_pmd_at
    if (page != kNoPage) {  // else add_mm_counter(MM_ANONPAGES): not modelled
      // page_remove_rmap(page, true); put_page(page): the pmd's reference, under the pmd lock
      k.page_mapcount_add(page, -1, "page_remove_rmap");
      k.page_ref_put(page, "do_huge_pmd_wp_page");
    }
    ptl.unlock("do_huge_pmd_wp_page");
    copied = true;
  }
  mmu_notifier_invalidate_range_end(k, mm, haddr, haddr + kPmdSize);  // mmu_notifier_invalidate_range_only_end
  return copied ? unsigned{VM_FAULT_WRITE} : 0u;
}

}  // namespace

// mm/huge_memory.c v4.19: __pmd_trans_huge_lock (pmd_lock, kept when the pmd is still a swap
// pmd, trans huge or devmap; nullptr, unlocked, otherwise)
checker::Spinlock* pmd_trans_huge_lock(Kernel& k, std::uint32_t mm, PmdSlot& slot) {
  checker::Spinlock& ptl = *k.mms.at(mm).pmd_lock;
  ptl.lock("__pmd_trans_huge_lock");
  const Pmd now = slot.pmd;
  checker::note([&] { return "pmd " + k.where(mm, slot.address) + " = " + k.pmd_str(now); });
  if (is_swap_pmd(now) || pmd_trans_huge(now) || pmd_devmap(now, k.migration_pmd_layout)) return &ptl;
  ptl.unlock("__pmd_trans_huge_lock");
  return nullptr;
}

// mm/huge_memory.c v4.19: zap_huge_pmd (an anonymous THP, the huge zero page or a pmd migration
// entry; no dax; zap_deposited_table and the rss counters are not modelled)
bool zap_huge_pmd(Kernel& k, MmuGather& tlb, std::uint32_t vma, PmdSlot& slot) {
  checker::Frame frame("zap_huge_pmd");
  const std::uint32_t mm = k.vmas.at(vma).mm;
  checker::Spinlock* ptl = pmd_trans_huge_lock(k, mm, slot);
  if (!ptl) return false;
  const Pmd orig = slot.pmd;
  k.set_pmd(mm, slot, Pmd::none(), "pmdp_huge_get_and_clear_full");
  if (k.is_huge_zero_pmd(orig)) {
    // zap_deposited_table; tlb_remove_page_size of the huge zero page, which release_pages
    // skips (is_huge_zero_page): no rmap, no reference to drop
    ptl->unlock("zap_huge_pmd");
    if (k.mms[mm].gup_fast) tlb.flushes.push_back({mm, slot.address, slot.address + kPmdSize, orig.page});
    return true;
  }
  const bool flush_needed = pmd_present(orig);
  if (flush_needed) {
    // page_remove_rmap(page, true): the compound mapcount; VM_BUG_ON_PAGE(page_mapcount(page) < 0)
    k.touch_page(orig.page, "zap_huge_pmd");
    page_remove_rmap(k, orig.page);
  } else if (!is_pmd_migration_entry(orig)) {
    checker::fail(FailureKind::BugOn, "VM_BUG_ON(!is_pmd_migration_entry(orig_pmd)) in zap_huge_pmd");
  }
  // A migration entry (thp_migration_supported): pfn_to_page only, no rmap and no reference.
  ptl->unlock("zap_huge_pmd");
  if (flush_needed) tlb.pages.push_back(orig.page);  // tlb_remove_page_size: put at tlb_finish_mmu
  // tlb_remove_pmd_tlb_entry: a store's writable translation in the 2 MiB goes at tlb_flush_mmu
  // (a get_user_pages_fast mm: every present pmd, for the IPI the flush sends)
  if (flush_needed && (orig.write || k.mms[mm].gup_fast))
    tlb.flushes.push_back({mm, slot.address, slot.address + kPmdSize, orig.page});
  return true;
}

}  // namespace model::v4_19
