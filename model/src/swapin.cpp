// swapin.cpp: do_swap_page's swap-in path (mm/memory.c v3.9) and
// ksm_might_need_to_copy (mm/ksm.c v3.9; include/linux/ksm.h + mm/ksm.c v3.8
// ksm_does_need_to_copy when parts 3/4 of cbf86cfe04a6 are reverted), and their v2.6.33
// forms: no recheck of the swap-cache page after lock_page, and ksm_does_need_to_copy
// unlocking and releasing the swap-cache page before do_swap_page maps the copy.
//
// Yield points: the swap-cache lookup, lock_page, the unlocked ksm_run read in
// ksm_might_need_to_copy, allocation, the ptl, the pte write, the page-count
// steps, swap_free, the unlocks.
// Invariant: every path releases the locks and references it took.
#include "model/swapin.h"

#include "model/ksm.h"
#include "model/memory.h"
#include "model/swap_state.h"
#include "model/user_access.h"
#include "model/v2_6_33.h"

namespace model {

using checker::AccessKind;
using checker::FailureKind;

bool swapin_fix_in(const KernelConfig& config, Fix fix) {
  // cbf86cfe04a6 (v3.9) is in every later kernel: 4.19's ksm_might_need_to_copy is v3.9's.
  return config.era == Era::V4_19 || config.applied(fix);
}

// mm/ksm.c v3.9, v4.19: ksm_might_need_to_copy's test (revert variant and v2.6.33:
// include/linux/ksm.h v3.8 / v2.6.33 ksm_might_need_to_copy's predicate)
bool ksm_swapin_needs_copy(Kernel& k, PageId page, std::uint32_t vma, std::uint64_t addr) {
  Page& p = k.pages.at(page);
  const Vma& v = k.vmas.at(vma);
  // page_anon_vma(): NULL for every PageKsm page (its mapping has ANON|KSM bits).
  const bool has_anon_vma = p.mapping.kind == Mapping::Kind::Anon;
  auto same_anon = [&] {
    return k.anon_vmas.at(p.mapping.id).root == k.anon_vmas.at(v.anon_vma).root &&
           p.index == v.linear_page_index(addr);
  };
  bool copy;
  if (p.PageKsm() && swapin_fix_in(k.config, Fix::SwapinCopyKsm)) {
    // if (page_stable_node(page) && !(ksm_run & KSM_RUN_UNMERGE)) return page;
    checker::announce(k.ksm.run_obj, AccessKind::Read, "ksm_might_need_to_copy");
    const bool unmerge = (k.ksm.ksm_run & KSM_RUN_UNMERGE) != 0;
    checker::note([&] { return std::string("ksm_run = " + std::to_string(k.ksm.ksm_run) + ", " + p.name + " stable node " +
                  (k.page_stable_node(page) != kNoNode ? k.stable_nodes[k.page_stable_node(page)].name
                                                       : std::string("none"))); });
    copy = k.page_stable_node(page) == kNoNode || unmerge;
  } else {
    // v3.8 predicate (also v3.9's non-KSM branches): anon_vma && (other root || other index).
    copy = has_anon_vma && !same_anon();
  }
  if (!copy) {
    checker::note([&] { return std::string("ksm_might_need_to_copy: no copy of " + p.name); });
    return false;
  }
  if (swapin_fix_in(k.config, Fix::SwapinUptodateCheck) && !p.test(PG_uptodate)) {
    checker::note([&] { return std::string(p.name + " !PageUptodate: no copy, let do_swap_page report the error"); });
    return false;
  }
  return true;
}

// mm/ksm.c v3.8 ksm_does_need_to_copy / the copy tail of v3.9's ksm_might_need_to_copy
// (v2.6.33's ksm_does_need_to_copy between its unlock_page and page_cache_release)
PageId ksm_copy_swapin_page(Kernel& k, PageId page) {
  Page& p = k.pages.at(page);
  PageId np = k.alloc_page(0, "alloc_page_vma");
  if (np == kNoPage) return kNoPage;
  Page& n = k.pages[np];
  read_page_data(k, page, "copy_user_highpage");
  n.content = p.content;                     // copy_user_highpage
  n.garbage = p.garbage || !p.test(PG_uptodate);
  n.flags |= PG_dirty | PG_uptodate;         // SetPageDirty, __SetPageUptodate
  n.lock->lock("__set_page_locked");         // a private page: never contended
  checker::note([&] { return std::string("copy " + p.name + " -> " + n.name + (n.garbage ? " (from a !PageUptodate page)" : "")); });
  return np;
}

// mm/ksm.c v3.9, v4.19: ksm_might_need_to_copy (revert variant: include/linux/ksm.h v3.8
// ksm_might_need_to_copy predicate + mm/ksm.c v3.8 ksm_does_need_to_copy)
PageId ksm_might_need_to_copy(Kernel& k, PageId page, std::uint32_t vma, std::uint64_t addr) {
  checker::Frame frame("ksm_might_need_to_copy");
  return ksm_swapin_needs_copy(k, page, vma, addr) ? ksm_copy_swapin_page(k, page) : page;
}

// mm/memory.c v3.9: do_swap_page (swap entry; a write fault reuses the page when reuse_swap_page
// says it is ours alone, else do_wp_page COWs it under the same ptl; v3.8: same steps,
// pre-003 rmap choice by `swapcache`, identical in effect; v2.6.33: no PageSwapCache recheck,
// ksm_does_need_to_copy's copy is the one page from there on, page_add_anon_rmap maps it)
unsigned do_swap_page_swapin(Kernel& k, std::uint32_t vma, std::uint64_t addr, const Pte& orig_pte,
                             unsigned fault_flags) {
  const std::uint32_t mm = k.vmas.at(vma).mm;
  MmStruct& m = k.mms.at(mm);
  PteSlot& slot = *k.pte_slot(mm, addr);
  const std::uint32_t entry = orig_pte.entry;
  PageId page = lookup_swap_cache(k, entry);
  // swapin_readahead -> read_swap_cache_async (the faulting slot only): the page
  // read from the device, or NULL when no page is free or swapcache_prepare fails
  // with -ENOENT on a slot whose count went to 0 (swapoff's unuse_pte or another
  // fault took the pte).
  if (page == kNoPage) page = read_swap_cache_async(k, entry);
  if (page == kNoPage) {
    // "Back out if somebody else faulted in this pte while we released the pte lock."
    m.ptl->lock("do_swap_page");
    k.kasan_page_table(m, "do_swap_page");
    const unsigned ret = slot.pte == orig_pte ? unsigned{VM_FAULT_OOM} : access_faults_again(slot.pte, fault_flags);
    m.ptl->unlock("do_swap_page");
    return ret;
  }
  const PageId original = page;
  const bool era2633 = k.config.era == Era::V2_6_33;
  k.pages[page].lock->lock(era2633 ? "lock_page" : "lock_page_or_retry");  // v2.6.33: plain lock_page
  // mm/memory.c v2.6.33: no PageSwapCache / page_private recheck after lock_page (4969c1192d15, v2.6.36,
  // revertable in 3.9)
  if (!era2633 && k.config.applied(Fix::SwapinRecheck)) {
    const Page& sp = k.pages[page];
    if (!sp.test(PG_swapcache) || sp.swap_entry != entry) {
      // the page was reclaimed or reused meanwhile: the fault is retried
      checker::note([&] { return std::string(sp.name + " left the swap cache of slot " + std::to_string(entry) + ": retry the fault"); });
      k.pages[page].lock->unlock("do_swap_page");
      k.put_page(page, "do_swap_page");
      return VM_FAULT_AGAIN_GHOST;  // out_page: 0, the access is re-executed
    }
  }
  page = era2633 ? v2_6_33::ksm_might_need_to_copy(k, page, vma, addr) : ksm_might_need_to_copy(k, page, vma, addr);
  if (page == kNoPage) {  // VM_FAULT_OOM, out_page (2.6.33: goto out, the page already released)
    if (!era2633) {
      k.pages[original].lock->unlock("do_swap_page");
      k.put_page(original, "do_swap_page");
    }
    return VM_FAULT_OOM;
  }
  // mm/memory.c v2.6.33: ksm_does_need_to_copy unlocked and released the swap-cache page, so
  // do_swap_page goes on with one page (the copy, mapped by page_add_anon_rmap).
  const PageId swapcache = era2633 ? page : original;
  unsigned ret = 0;
  m.ptl->lock("do_swap_page");
  k.kasan_page_table(m, "do_swap_page");
  if (!(slot.pte == orig_pte)) {
    checker::note([&] { return std::string("!pte_same: " + k.pte_str(slot.pte)); });
    ret = access_faults_again(slot.pte, fault_flags);
  } else if (!k.pages[page].test(PG_uptodate)) {
    checker::note([&] { return std::string(k.pages[page].name + " !PageUptodate: VM_FAULT_SIGBUS"); });
    ret = VM_FAULT_SIGBUS;
  } else {
    Page& pg = k.pages[page];
    // I-003e: never map a page whose data came from a failed swap read.
    if (k.check_uptodate_at_map && pg.garbage)
      checker::fail_check("never_map_not_uptodate", FailureKind::Assertion,
                    "never map a !Uptodate page: do_swap_page maps " + pg.name + " at " + k.where(mm, addr) +
                        ", marked Uptodate but copied from !PageUptodate " + k.page_name(original));
    // The recheck under the page lock keeps the slot on the locked swap-cache
    // page (the slot changes only under that lock): a swap-in maps the page
    // (or KSM's copy of the page) the swap cache holds for its entry.
    if (const PageId cached = swap_cache_page(k, entry); cached != original && page == original)
      checker::fail(FailureKind::Assertion,
                    "do_swap_page maps a stale swap-cache page: " + k.page_name(original) + " at " +
                        k.where(mm, addr) + ", but slot " + std::to_string(entry) + " holds " +
                        (cached == kNoPage ? std::string("nothing") : k.page_name(cached)) +
                        " (the slot was freed and reused while the fault slept on the page lock, and pte_same "
                        "passed on the reused entry: the race 4969c1192d15 closed with a PageSwapCache recheck)");
    // reuse_swap_page() runs while the page is counted on swap and not yet in mapcount.
    Pte mapped = Pte::mk_pte(page);  // mk_pte(page, vma->vm_page_prot)
    if ((fault_flags & FAULT_FLAG_WRITE) && reuse_swap_page(k, page)) {
      mapped = maybe_mkwrite(pte_mkdirty(mapped), (k.vmas.at(vma).flags & VM_WRITE) != 0);
      fault_flags &= ~unsigned{FAULT_FLAG_WRITE};
      ret |= VM_FAULT_WRITE;
    }
    k.set_pte(mm, slot, mapped, "do_swap_page");
    k.touch_page(page, "do_swap_page");
    if (page == swapcache)
      page_add_anon_rmap(k, page, vma, addr);      // do_page_add_anon_rmap
    else
      page_add_new_anon_rmap(k, page, vma, addr);  // "ksm created a completely new copy"
    checker::note([&] { return std::string(pg.name + " mapcount -> " + std::to_string(pg.mapcount)); });
    swap_free(k, entry);
    // vm_swap_full() is false and the vma is not VM_LOCKED: no try_to_free_swap.
    pg.lock->unlock("do_swap_page");
    if (page != swapcache) {
      k.pages[swapcache].lock->unlock("do_swap_page");
      k.put_page(swapcache, "do_swap_page");
    }
    if (fault_flags & FAULT_FLAG_WRITE) {  // not reused: COW under the ptl we hold
      ret |= do_wp_page(k, vma, addr, mapped);
      if (ret & (VM_FAULT_OOM | VM_FAULT_SIGBUS)) ret &= VM_FAULT_OOM | VM_FAULT_SIGBUS;  // VM_FAULT_ERROR
      return ret;
    }
    m.ptl->unlock("do_swap_page");
    return ret;
  }
  // out_nomap: unlock the ptl; out_page: unlock the page; out_release: put it.
  m.ptl->unlock("do_swap_page");
  k.pages[page].lock->unlock("do_swap_page");
  k.put_page(page, "do_swap_page");
  if (page != swapcache) {
    k.pages[swapcache].lock->unlock("do_swap_page");
    k.put_page(swapcache, "do_swap_page");
  }
  return ret;
}

// The swap-in fault actor (arch fault handler -> handle_mm_fault, read access).
unsigned swapin_fault(Kernel& k, std::uint32_t mm, std::uint64_t addr, bool after_unmerge_store, bool choose_read) {
  if (after_unmerge_store) {
    // Scenario precondition: the fault starts after run_store wrote KSM_RUN_UNMERGE (once
    // written, even if another store changed ksm_run since: the fault never waits forever).
    checker::announce_blocking(k.ksm.run_obj, AccessKind::Wait, "fault after run=2",
                               [&k] { return k.ksm.unmerge_stored || (k.ksm.ksm_run & KSM_RUN_UNMERGE) != 0; });
  }
  MmStruct& m = k.mms.at(mm);
  if (choose_read) {
    // mm/page_io.c v3.9: end_swap_bio_read of the slot's swap-cache page: the
    // read I/O succeeds (SetPageUptodate) or fails (the page stays !Uptodate).
    const Pte pte = k.pte_slot(mm, addr)->pte;
    const PageId cached = pte.is_swap() ? swap_cache_page(k, pte.entry) : kNoPage;
    if (cached != kNoPage && !k.pages[cached].test(PG_uptodate)) {
      Page& p = k.pages[cached];
      checker::announce(p.obj, AccessKind::Write, "end_swap_bio_read");
      if (checker::choose(2, "swap read I/O error") == 0) {
        p.flags |= PG_uptodate;
        checker::note([&] { return std::string("swap read of " + p.name + " ok: SetPageUptodate"); });
      } else {
        checker::note([&] { return std::string("swap read of " + p.name + " failed: " + p.name + " stays !PageUptodate"); });
      }
    }
  }
  m.mmap_sem->down_read("do_page_fault");
  int v = k.find_vma(mm, addr);
  if (v < 0) {  // __do_page_fault's bad_area: a munmap or exit of the mm came first
    checker::note("no vma: SIGSEGV");
    m.mmap_sem->up_read("do_page_fault");
    return VM_FAULT_BAD_AREA_GHOST;
  }
  // One attempt (the seed-003 actor): a backed-out fault is not re-run.
  unsigned ret = handle_mm_fault(k, static_cast<std::uint32_t>(v), addr, 0) & ~unsigned{VM_FAULT_AGAIN_GHOST};
  m.mmap_sem->up_read("do_page_fault");
  checker::note([&] { return std::string("fault at " + k.where(mm, addr) + " returns " + std::to_string(ret)); });
  return ret;
}

// ===========================================================================
// v2.6.33: the copy a swap-in of a page of another anon_vma takes.
// ===========================================================================
namespace v2_6_33 {

// include/linux/ksm.h v2.6.33: ksm_might_need_to_copy (the v3.8 predicate: a KSM page has no
// page_anon_vma and is mapped as it is) -> mm/ksm.c v2.6.33: ksm_does_need_to_copy (unlock_page,
// the copy, lru_cache_add_lru, page_cache_release of the swap-cache page)
PageId ksm_might_need_to_copy(Kernel& k, PageId page, std::uint32_t vma, std::uint64_t addr) {
  checker::Frame frame("ksm_might_need_to_copy");
  if (!ksm_swapin_needs_copy(k, page, vma, addr)) return page;
  k.pages[page].lock->unlock("ksm_does_need_to_copy");  // "any racers will COW it, not modify it"
  const PageId np = ksm_copy_swapin_page(k, page);
  if (np != kNoPage) k.lru_cache_add(np, "lru_cache_add_lru");  // lru_cache_add_lru(new_page, LRU_ACTIVE_ANON)
  k.put_page(page, "ksm_does_need_to_copy");             // page_cache_release(page)
  return np;
}

}  // namespace v2_6_33

}  // namespace model
