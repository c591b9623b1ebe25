// memory_v4_19.cpp: kernel 4.19's fault path at the pmd and pte level
// (mm/memory.c v4.19: handle_mm_fault, __handle_mm_fault, handle_pte_fault,
// do_anonymous_page, do_wp_page with wp_page_reuse and wp_page_copy, and
// do_swap_page: its migration-entry branch and the swap-in) and the user
// access that faults until the hardware walk succeeds (the actor
// handle_mm_fault). The v3.9 base is memory.cpp and swapin.cpp; their building
// blocks (alloc_zeroed_anon_page, page_add_new_anon_rmap, page_add_anon_rmap,
// the swap cache of swap_state.cpp, ksm_might_need_to_copy) serve 4.19 too,
// where the kernel does the same. What differs in 4.19 and is written here:
// the table's own ptl (pte_lockptr) instead of the mm's, do_anonymous_page's
// pmd_trans_unstable re-read and its put_page under the ptl, wp_page_copy's
// mmu notifier bracket (an HMM mirror's range is invalidated) and its
// ptep_clear_flush_notify before the new pte, do_wp_page's page_move_anon_rmap
// of a reused page, and do_swap_page's `swapcache` / `page` split.
// Yield points: the lockless reads of the pmd (__handle_mm_fault's orig_pmd,
// do_anonymous_page's pmd_trans_unstable) and of the pte (handle_pte_fault's
// orig_pte), each ptl acquire/release, each pte write, the page-count and
// mapcount steps, page locks, allocation, the swap-cache and swap-map steps;
// the hardware walk's reads of the pmd and pte.
// Invariant: a fault takes and releases mmap_sem for read around the call;
// every path releases the ptl, page locks and references it took.
#include "model/gup_fast.h"
#include "model/huge_memory.h"
#include "model/memory.h"
#include "model/migrate_v4_19.h"
#include "model/swap_state.h"
#include "model/swapfile_v4_19.h"
#include "model/swapin.h"
#include "model/user_access.h"

namespace model::v4_19 {

using checker::AccessKind;

namespace {

// mm/memory.c v4.19: do_anonymous_page (an anonymous private vma; no userfaultfd, no memcg)
unsigned do_anonymous_page(Kernel& k, std::uint32_t vma, std::uint64_t addr, unsigned flags) {
  checker::Frame frame("do_anonymous_page");
  const Vma& v = k.vmas.at(vma);
  const std::uint32_t mm = v.mm;
  // pte_alloc(): the pmd is a table already (a fault under a none pmd is refused at load).
  // pmd_trans_unstable(vmf->pmd): a lockless re-read of the pmd.
  const Pmd pmd = k.read_pmd(mm, *k.pmd_slot(mm, addr), "pmd_trans_unstable");
  if (!pmd.is_table()) return 0;  // a huge or migrating pmd meanwhile: the access faults again
  PteSlot& slot = *k.pte_slot(mm, addr);
  checker::Spinlock& ptl = k.pte_lockptr(mm, addr);
  if (!(flags & FAULT_FLAG_WRITE)) {
    // "Use the zero-page for reads": entry = pte_mkspecial(pfn_pte(my_zero_pfn(address)))
    ptl.lock("do_anonymous_page");  // pte_offset_map_lock
    if (!slot.pte.is_none()) {
      checker::note([&] { return "!pte_none: " + k.pte_str(slot.pte); });
      ptl.unlock("do_anonymous_page");
      return 0;
    }
    // Scenario loading adds the zero page for every read fault on a none pte (scenario.cpp).
    if (k.zero_page == kNoPage) model_limit("do_anonymous_page's zero page in a scenario that declared no read fault on a none pte");
    k.set_pte(mm, slot, Pte::mk_pte(k.zero_page), "do_anonymous_page");  // setpte: young, clean, read-only
    ptl.unlock("do_anonymous_page");
    return 0;
  }
  const PageId np = alloc_zeroed_anon_page(k, v);  // anon_vma_prepare, alloc_zeroed_user_highpage_movable
  if (np == kNoPage) return VM_FAULT_OOM;
  // entry = mk_pte(page, vma->vm_page_prot); if VM_WRITE: pte_mkwrite(pte_mkdirty(entry))
  Pte entry = Pte::mk_pte(np);
  if (v.flags & VM_WRITE) entry = pte_mkwrite(pte_mkdirty(entry));
  ptl.lock("do_anonymous_page");  // pte_offset_map_lock
  if (!slot.pte.is_none()) {
    // release: put_page(page) under the ptl, then unlock
    checker::note([&] { return "!pte_none: " + k.pte_str(slot.pte); });
    k.free_new_page(np, "do_anonymous_page");
    ptl.unlock("do_anonymous_page");
    return 0;
  }
  // page_add_new_anon_rmap + lru_cache_add_active_or_unevictable on a page no other
  // thread can reach yet, then setpte.
  page_add_new_anon_rmap(k, np, vma, addr);
  k.set_pte(mm, slot, entry, "do_anonymous_page");
  ptl.unlock("do_anonymous_page");
  return 0;
}

// mm/memory.c v4.19: wp_page_reuse (the ptl held on entry, released)
void wp_page_reuse(Kernel& k, std::uint32_t vma, std::uint64_t addr, const Pte& orig_pte, checker::Spinlock& ptl) {
  checker::Frame frame("wp_page_reuse");
  const std::uint32_t mm = k.vmas.at(vma).mm;
  // entry = maybe_mkwrite(pte_mkdirty(pte_mkyoung(orig_pte)), vma); ptep_set_access_flags(.., 1)
  const Pte entry = maybe_mkwrite(pte_mkdirty(pte_mkyoung(orig_pte)), (k.vmas.at(vma).flags & VM_WRITE) != 0);
  k.set_pte(mm, *k.pte_slot(mm, addr), entry, "wp_page_reuse");
  ptl.unlock("wp_page_reuse");  // pte_unmap_unlock
}

// mm/memory.c v4.19: wp_page_copy (the ptl not held; `old` referenced by the caller, or
// kNoPage for the zero page; no memcg, no VM_LOCKED munlock)
unsigned wp_page_copy(Kernel& k, std::uint32_t vma, std::uint64_t addr, const Pte& orig_pte, PageId old) {
  checker::Frame frame("wp_page_copy");
  const Vma& v = k.vmas.at(vma);
  const std::uint32_t mm = v.mm;
  PageId np;
  if (k.is_zero_pte(orig_pte)) {
    np = alloc_zeroed_anon_page(k, v);  // anon_vma_prepare, alloc_zeroed_user_highpage_movable
  } else {
    if (!v.has_anon_vma()) model_limit("anon_vma_prepare (a write fault in a vma without an anon_vma)");
    np = k.alloc_page(0, "alloc_page_vma");
    if (np != kNoPage) {
      read_page_data(k, old, "cow_user_page");
      k.pages[np].content = k.pages.at(old).content;  // cow_user_page -> copy_user_highpage
    }
  }
  if (np == kNoPage) {  // oom:
    if (old != kNoPage) k.page_ref_put_own(old, "wp_page_copy");
    return VM_FAULT_OOM;
  }
  k.pages[np].flags |= PG_uptodate;  // __SetPageUptodate
  const std::uint64_t start = addr, end = addr + kPageSize;
  mmu_notifier_invalidate_range_start(k, mm, start, end);
  PteSlot& slot = *k.pte_slot(mm, addr);
  checker::Spinlock& ptl = k.pte_lockptr(mm, addr);
  ptl.lock("wp_page_copy");  // pte_offset_map_lock: "Re-check the pte - we dropped the lock"
  bool copied = false;
  if (slot.pte == orig_pte) {
    // entry = maybe_mkwrite(pte_mkdirty(mk_pte(new_page, vma->vm_page_prot)), vma)
    const Pte entry = maybe_mkwrite(pte_mkdirty(Pte::mk_pte(np)), (v.flags & VM_WRITE) != 0);
    k.ptep_modify(mm, slot, [](const Pte&) { return Pte::none(); }, "ptep_clear_flush_notify");
    flush_tlb_others_wait(k, mm, "wp_page_copy: ptep_clear_flush_notify");  // get_user_pages_fast scenarios only
    page_add_new_anon_rmap(k, np, vma, addr);  // and lru_cache_add_active_or_unevictable
    k.set_pte(mm, slot, entry, "set_pte_at_notify");
    if (old != kNoPage) {
      // "Only after switching the pte to the new page may we remove the mapcount here."
      k.page_mapcount_add(old, -1, "page_remove_rmap");
      // "Free the old page..": the pte's reference; the caller's get_page is still held.
      k.page_ref_put_held(old, "wp_page_copy");
    }
    copied = true;
  } else {
    checker::note([&] { return "!pte_same: " + k.pte_str(slot.pte); });
    k.free_new_page(np, "wp_page_copy");  // put_page(new_page) under the ptl
  }
  ptl.unlock("wp_page_copy");
  mmu_notifier_invalidate_range_end(k, mm, start, end);  // mmu_notifier_invalidate_range_only_end
  if (old != kNoPage) k.page_ref_put_own(old, "wp_page_copy");  // put_page(old_page)
  return copied ? unsigned{VM_FAULT_WRITE} : 0u;
}

// mm/rmap.c v4.19: page_move_anon_rmap (under the page lock: the page is ours alone)
void page_move_anon_rmap(Kernel& k, PageId page, std::uint32_t vma) {
  checker::Frame frame("page_move_anon_rmap");
  Page& p = k.pages.at(page);
  const std::uint32_t av = k.vmas.at(vma).anon_vma;
  if (p.mapping.kind == Mapping::Kind::Anon && p.mapping.id == av) return;  // already the vma's anon_vma
  k.page_flags_write(page, "page_move_anon_rmap");  // WRITE_ONCE(page->mapping, anon_vma | PAGE_MAPPING_ANON)
  p.mapping = Mapping{Mapping::Kind::Anon, av};
  checker::note([&] { return p.name + ".mapping = " + k.anon_vmas.at(av).name; });
}

// mm/memory.c v4.19: do_wp_page (an anon private vma: reuse or copy; the ptl held on entry, released)
unsigned do_wp_page(Kernel& k, std::uint32_t vma, std::uint64_t addr, const Pte& orig_pte, checker::Spinlock& ptl) {
  checker::Frame frame("do_wp_page");
  const std::uint32_t mm = k.vmas.at(vma).mm;
  PteSlot& slot = *k.pte_slot(mm, addr);
  const PageId page = k.vm_normal_page(orig_pte);  // vmf->page
  if (page == kNoPage) {  // the zero page: not VM_SHARED, so copy
    ptl.unlock("do_wp_page");
    return wp_page_copy(k, vma, addr, orig_pte, kNoPage);
  }
  Page& p = k.pages.at(page);
  if (p.PageAnon() && !p.PageKsm()) {
    if (!p.lock->try_lock("do_wp_page")) {
      k.get_page(page, "do_wp_page");
      ptl.unlock("do_wp_page");
      p.lock->lock("do_wp_page");
      ptl.lock("do_wp_page");
      if (!(slot.pte == orig_pte)) {
        checker::note([&] { return "!pte_same: " + k.pte_str(slot.pte); });
        p.lock->unlock("do_wp_page");
        ptl.unlock("do_wp_page");
        k.put_page(page, "do_wp_page");
        return 0;
      }
      k.put_page(page, "do_wp_page");
    }
    // reuse_swap_page(page, &total_map_swapcount): for a page that is not compound the
    // total is the count reuse_swap_page tested, so a reused page (mapped here) has 1.
    if (reuse_swap_page(k, page)) {
      page_move_anon_rmap(k, page, vma);  // total_map_swapcount == 1
      p.lock->unlock("do_wp_page");
      wp_page_reuse(k, vma, addr, orig_pte, ptl);
      return VM_FAULT_WRITE;
    }
    p.lock->unlock("do_wp_page");
  }
  // "Ok, we need to copy. Oh, well.." (a KSM page, or an anon page not ours alone)
  k.page_ref_get_mapped(page, "do_wp_page");  // get_page(vmf->page)
  k.own_page_ref(page);
  ptl.unlock("do_wp_page");
  return wp_page_copy(k, vma, addr, orig_pte, page);
}

// mm/memory.c v4.19: do_swap_page for a swap entry (not a migration entry): the swap
// cache's page, or swapin_readahead's read of the faulting slot, locked, rechecked,
// ksm_might_need_to_copy'd and mapped under the ptl; a write reuses it
// (reuse_swap_page) or goes on to do_wp_page under the same ptl.
unsigned do_swap_page(Kernel& k, std::uint32_t vma, std::uint64_t addr, const Pte& orig_pte, unsigned flags) {
  checker::Frame frame("do_swap_page");
  const std::uint32_t mm = k.vmas.at(vma).mm;
  PteSlot& slot = *k.pte_slot(mm, addr);
  checker::Spinlock& ptl = k.pte_lockptr(mm, addr);
  // pte_unmap_same(): no lock where a pte fits in a long (x86_64).
  const std::uint32_t entry = orig_pte.entry;
  unsigned ret = 0;
  v4_19::swap_address_space(k, entry, "lookup_swap_cache",
                            "this fault held the entry it read from the pte before swapoff (v4.19 has no "
                            "get_swap_device: eb085574a752, v5.1)");
  PageId page = lookup_swap_cache(k, entry);
  PageId swapcache = page;
  if (page == kNoPage) {
    // Not SWP_SYNCHRONOUS_IO (the model's swap area is no pmem/zram device):
    // swapin_readahead -> read_swap_cache_async of the faulting slot only.
    page = read_swap_cache_async(k, entry);
    swapcache = page;
    if (page == kNoPage) {
      // "Back out if somebody else faulted in this pte while we released the pte lock."
      ptl.lock("do_swap_page");
      if (slot.pte == orig_pte) ret = VM_FAULT_OOM;
      else checker::note([&] { return "!pte_same: " + k.pte_str(slot.pte); });
      ptl.unlock("do_swap_page");
      return ret;
    }
    ret = VM_FAULT_MAJOR;
  }
  k.pages[page].lock->lock("lock_page_or_retry");
  auto out_release = [&](PageId pg) {
    k.put_page(pg, "do_swap_page");
    if (pg != swapcache && swapcache != kNoPage) {
      k.pages[swapcache].lock->unlock("do_swap_page");
      k.put_page(swapcache, "do_swap_page");
    }
    return ret;
  };
  // "Make sure try_to_free_swap or reuse_swap_page or swapoff did not release the swapcache from under us."
  {
    const Page& sp = k.pages[page];
    if (!sp.test(PG_swapcache) || sp.swap_entry != entry) {
      checker::note([&] { return sp.name + " left the swap cache of slot " + std::to_string(entry) + ": out_page"; });
      k.pages[page].lock->unlock("do_swap_page");  // out_page
      return out_release(page);
    }
  }
  page = ksm_might_need_to_copy(k, page, vma, addr);
  if (page == kNoPage) {
    ret = VM_FAULT_OOM;
    page = swapcache;
    k.pages[page].lock->unlock("do_swap_page");  // out_page
    return out_release(page);
  }
  ptl.lock("do_swap_page");  // pte_offset_map_lock: "Back out if somebody else already faulted in this pte."
  const bool same = slot.pte == orig_pte;
  if (!same || !k.pages[page].test(PG_uptodate)) {
    if (!same) checker::note([&] { return "!pte_same: " + k.pte_str(slot.pte); });
    else {
      checker::note([&] { return k.pages[page].name + " !PageUptodate: VM_FAULT_SIGBUS"; });
      ret = VM_FAULT_SIGBUS;
    }
    ptl.unlock("do_swap_page");  // out_nomap
    k.pages[page].lock->unlock("do_swap_page");  // out_page
    return out_release(page);
  }
  // The recheck under the page lock keeps the slot on the locked swap-cache page: a
  // swap-in maps the page (or KSM's copy of the page) the swap cache holds for its entry.
  if (const PageId cached = swap_cache_page(k, entry); cached != swapcache)
    checker::fail(checker::FailureKind::Assertion,
                  "do_swap_page maps a stale swap-cache page: " + k.page_name(swapcache) + " at " + k.where(mm, addr) +
                      ", but slot " + std::to_string(entry) + " holds " +
                      (cached == kNoPage ? std::string("nothing") : k.page_name(cached)));
  // reuse_swap_page() "must be called while the page is counted on swap but not yet in
  // mapcount i.e. before page_add_anon_rmap() and swap_free()".
  Pte pte = Pte::mk_pte(page);  // mk_pte(page, vma->vm_page_prot)
  if ((flags & FAULT_FLAG_WRITE) && reuse_swap_page(k, page)) {
    pte = maybe_mkwrite(pte_mkdirty(pte), (k.vmas.at(vma).flags & VM_WRITE) != 0);
    flags &= ~unsigned{FAULT_FLAG_WRITE};
    ret |= VM_FAULT_WRITE;  // exclusive = RMAP_EXCLUSIVE
  }
  k.set_pte(mm, slot, pte, "do_swap_page");  // set_pte_at; vmf->orig_pte = pte
  Page& pg = k.pages[page];
  k.touch_page(page, "do_swap_page");
  if (page != swapcache)
    page_add_new_anon_rmap(k, page, vma, addr);  // "ksm created a completely new copy"
  else
    page_add_anon_rmap(k, page, vma, addr);      // do_page_add_anon_rmap
  checker::note([&] { return pg.name + " mapcount -> " + std::to_string(pg.mapcount); });
  swap_free(k, entry);
  // mem_cgroup_swap_full() (vm_swap_full()) is false and the vma is not VM_LOCKED: no try_to_free_swap.
  pg.lock->unlock("do_swap_page");
  if (page != swapcache) {
    // "Hold the lock to avoid the swap entry to be reused until we take the PT lock for the pte_same() check"
    k.pages[swapcache].lock->unlock("do_swap_page");
    k.put_page(swapcache, "do_swap_page");
  }
  if (flags & FAULT_FLAG_WRITE) {  // not reused: COW under the ptl we hold
    ret |= do_wp_page(k, vma, addr, pte, ptl);
    if (ret & (VM_FAULT_OOM | VM_FAULT_SIGBUS)) ret &= VM_FAULT_OOM | VM_FAULT_SIGBUS;  // VM_FAULT_ERROR
    return ret;
  }
  ptl.unlock("do_swap_page");
  return ret;
}

// mm/memory.c v4.19: handle_pte_fault (the pmd a table)
unsigned handle_pte_fault(Kernel& k, std::uint32_t vma, std::uint64_t addr, unsigned flags) {
  checker::Frame frame("handle_pte_fault");
  const std::uint32_t mm = k.vmas.at(vma).mm;
  PteSlot* slot = k.pte_slot(mm, addr);
  // Scenario loading refuses a fault at an address of a table without a pte slot.
  if (!slot) model_limit("a fault on a pte the scenario did not declare in kernel 4.19");
  checker::announce(slot->obj, AccessKind::Read, "handle_pte_fault");  // vmf->orig_pte = *vmf->pte
  const Pte entry = slot->pte;
  checker::note([&] { return "pte " + k.where(mm, addr) + " = " + k.pte_str(entry); });
  if (entry.is_none()) return v4_19::do_anonymous_page(k, vma, addr, flags);  // vma_is_anonymous
  if (!entry.is_present()) {
    if (entry.is_migration()) {
      v4_19::migration_entry_wait(k, mm, addr);  // do_swap_page: is_migration_entry(entry)
      return 0;
    }
    return v4_19::do_swap_page(k, vma, addr, entry, flags);
  }
  checker::Spinlock& ptl = k.pte_lockptr(mm, addr);
  ptl.lock("handle_pte_fault");
  if (!(slot->pte == entry)) {
    checker::note([&] { return "!pte_same: " + k.pte_str(slot->pte); });
    ptl.unlock("handle_pte_fault");
    return 0;
  }
  if ((flags & FAULT_FLAG_WRITE) && !entry.write) return v4_19::do_wp_page(k, vma, addr, entry, ptl);
  // entry = pte_mkyoung(pte_mkdirty(entry)) on a write; x86's ptep_set_access_flags stores it only
  // for a write access that changes the pte (a read leaves the young bit to the MMU's retry).
  const Pte accessed = pte_mkyoung(pte_mkdirty(entry));
  if ((flags & FAULT_FLAG_WRITE) && !(accessed == entry)) k.set_pte(mm, *slot, accessed, "ptep_set_access_flags");
  ptl.unlock("handle_pte_fault");
  return 0;
}

}  // namespace

// include/linux/huge_mm.h v4.19: transparent_hugepage_enabled (sysfs "madvise": VM_HUGEPAGE) and
// transhuge_vma_suitable (the vma covers the aligned 2 MiB around addr; anon: no pgoff check)
bool thp_fault_suitable(const Kernel& k, std::uint32_t vma, std::uint64_t addr) {
  const Vma& v = k.vmas.at(vma);
  const std::uint64_t haddr = pmd_base(addr);
  return (v.flags & VM_HUGEPAGE) && v.start <= haddr && haddr + kPmdSize <= v.end;
}

// mm/memory.c v4.19: handle_mm_fault -> __handle_mm_fault (anon vma, THP enabled)
unsigned handle_mm_fault(Kernel& k, std::uint32_t vma, std::uint64_t addr, unsigned flags) {
  checker::Frame frame("handle_mm_fault");
  const std::uint32_t mm = k.vmas.at(vma).mm;
  PmdSlot* slot = k.pmd_slot(mm, addr);
  if (!slot) model_limit("__pte_alloc / create_huge_pmd (fault under a pmd never populated)");
  const Pmd orig_pmd = k.read_pmd(mm, *slot, "__handle_mm_fault");  // orig_pmd = *vmf.pmd
  if (pmd_none(orig_pmd)) {
    // pmd_none(*vmf.pmd) && transparent_hugepage_enabled(vma) (sysfs "madvise": VM_HUGEPAGE) ->
    // create_huge_pmd -> do_huge_pmd_anonymous_page (transhuge_vma_suitable: the vma covers the 2 MiB)
    if (thp_fault_suitable(k, vma, addr)) {
      const unsigned ret = do_huge_pmd_anonymous_page(k, vma, *slot, flags);
      if (!(ret & VM_FAULT_FALLBACK)) return ret;
      thp_pool_limit("__pte_alloc (create_huge_pmd's fallback when no THP is free)", 0);
    }
    model_limit("__pte_alloc / do_anonymous_page (a fault under a none pmd of a vma without VM_HUGEPAGE)");
  }
  if (is_swap_pmd(orig_pmd)) {
    if (is_pmd_migration_entry(orig_pmd)) pmd_migration_entry_wait(k, mm, *slot);
    return 0;
  }
  if (pmd_trans_huge(orig_pmd) || pmd_devmap(orig_pmd, k.migration_pmd_layout)) {
    // wp_huge_pmd -> do_huge_pmd_wp_page (vma_is_anonymous: every vma of the model)
    if ((flags & FAULT_FLAG_WRITE) && !pmd_write(orig_pmd)) return do_huge_pmd_wp_page(k, vma, *slot, orig_pmd);
    huge_pmd_set_accessed(k, mm, *slot, orig_pmd, flags);
    return 0;
  }
  return handle_pte_fault(k, vma, addr, flags);
}

// arch/x86/mm/fault.c v4.19: __do_page_fault's retry, as a user access: the
// hardware walks the pmd (and pte), and faults (mmap_sem for read,
// handle_mm_fault) until the access is allowed. Returns the last fault's
// VM_FAULT_* bits (0 when the first walk found the access allowed).
unsigned user_access(Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write) {
  unsigned ret = 0;
  for (;;) {
    PmdSlot* slot = k.pmd_slot(mm, addr);
    if (slot) {
      const Pmd pmd = k.read_pmd(mm, *slot, "hardware walk");
      // _PAGE_PRESENT: a huge pmd (not an invalidated one), or a table whose pte is present.
      if (pmd.kind == Pmd::Kind::Huge && (!write || pmd.write)) return ret;
      if (pmd.is_table()) {
        if (PteSlot* pte = k.pte_slot(mm, addr)) {
          checker::announce(pte->obj, AccessKind::Read, "hardware walk");
          const Pte v = pte->pte;
          checker::note([&] { return "pte " + k.where(mm, addr) + " = " + k.pte_str(v); });
          if (v.is_present() && (!write || v.write)) return ret;
        }
      }
    }
    MmStruct& m = k.mms.at(mm);
    m.mmap_sem->down_read("__do_page_fault");
    const int vma = k.find_vma(mm, addr);
    if (vma < 0) {  // bad_area: a munmap removed the vma first (SIGSEGV)
      checker::note("no vma: SIGSEGV");
      m.mmap_sem->up_read("__do_page_fault");
      return VM_FAULT_BAD_AREA_GHOST;
    }
    ret = v4_19::handle_mm_fault(k, static_cast<std::uint32_t>(vma), addr, write ? unsigned{FAULT_FLAG_WRITE} : 0u);
    m.mmap_sem->up_read("__do_page_fault");
    if (ret & (VM_FAULT_OOM | VM_FAULT_SIGBUS)) return ret;
  }
}

}  // namespace model::v4_19

namespace model::v4_19 {

std::string fault_model_error(const Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write) {
  const PmdSlot* s = k.pmd_slot(mm, addr);
  const std::string at = k.where(mm, addr);
  const int v = k.find_vma(mm, addr);
  if (v >= 0 && write && !(k.vmas[static_cast<std::size_t>(v)].flags & VM_WRITE))
    return "a write fault at " + at + " in a vma without VM_WRITE: access_error's SIGSEGV is not modelled";
  if (s && s->pmd.is_none() && v >= 0 && thp_fault_suitable(k, static_cast<std::uint32_t>(v), addr)) {
    // create_huge_pmd: a write maps a THP (none free on node 0: its fallback is a model limit
    // at run time, noted by mmcheck check), a read the huge zero page; anon_vma_prepare first
    if (!k.vmas[static_cast<std::size_t>(v)].has_anon_vma())
      return std::string("a ") + (write ? "write" : "read") + " fault at " + at +
             " needs the vma's anon_vma declared (do_huge_pmd_anonymous_page's anon_vma_prepare is not modelled)";
    return "";
  }
  if (!s || s->pmd.is_none())
    return "a fault at " + at + " finds pmd none: create_huge_pmd (declare the vma VM_HUGEPAGE, covering the 2 MiB) and "
           "__pte_alloc are not modelled in kernel 4.19";
  if (s->pmd.kind == Pmd::Kind::Huge) return "";  // a write on a read-only one: do_huge_pmd_wp_page
  auto it = k.mms[mm].ptes.find(addr);
  if (it == k.mms[mm].ptes.end())
    return "a fault at " + at + " finds no pte declared in its page table (declare it, \"pte\": \"none\")";
  // do_anonymous_page's and wp_page_copy's anon_vma_prepare: the vma's anon_vma must be declared.
  if (write && v >= 0 && !k.vmas[static_cast<std::size_t>(v)].has_anon_vma())
    return "a write fault at " + at + " needs the vma's anon_vma declared (anon_vma_prepare is not modelled)";
  return "";
}

std::string hmm_fault_model_error(const Kernel& k, const HmmRange& r) {
  for (std::uint64_t a = r.start; a < r.end; a += kPageSize) {
    const std::uint64_t want = r.pfns[(a - r.start) / kPageSize];
    if (!(want & HMM_PFN_VALID)) continue;
    if (std::string err = fault_model_error(k, r.mm, a, want & HMM_PFN_WRITE); !err.empty())
      return "hmm_vma_fault of range " + r.name + ": " + err;
  }
  return "";
}

}  // namespace model::v4_19
