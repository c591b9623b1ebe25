// swapoff.cpp: try_to_unuse and the unuse_* walk (mm/swapfile.c v3.9), the
// model of swapoff(2)'s page-table work for the one swap area of the model;
// v2.6.33 the same walk, its unuse_pte without ksm_might_need_to_copy.
//
// Yield points: the swap-cache lookup, wait_on_page_locked/lock_page, the
// swap_map reads, the mm_users read (v3.9 exit scenarios), mmap_sem, each
// unlocked pte read of unuse_pte_range's scan, ksm_might_need_to_copy, the
// ptl, the pte write, the page-count steps, swap_free, delete_from_swap_cache.
// Invariant: every path releases the locks and references it took; a swap pte
// is replaced only under the ptl after pte_same against the slot's swap pte.
#include "model/swapoff.h"

#include <algorithm>
#include <optional>

#include "model/ksm.h"
#include "model/memory.h"
#include "model/mmap.h"
#include "model/swap_state.h"
#include "model/swapfile_v4_19.h"
#include "model/swapin.h"
#include "model/user_access.h"

namespace model {

using checker::AccessKind;

// mm/swapfile.c v3.9 (v4.19 alike: pte_same_as_swp, the table's ptl): unuse_pte (no memcg:
// mem_cgroup_try_charge_swapin and friends are no-ops; MM_SWAPENTS/MM_ANONPAGES counters and
// activate_page's LRU move are not modelled); mm/swapfile.c v2.6.33: unuse_pte maps the
// swap-cache page itself (no ksm_might_need_to_copy)
int unuse_pte(Kernel& k, std::uint32_t vma, std::uint64_t addr, std::uint32_t entry, PageId page) {
  checker::Frame frame("unuse_pte");
  const std::uint32_t mm = k.vmas.at(vma).mm;
  MmStruct& m = k.mms.at(mm);
  const PageId swapcache = page;
  if (k.config.era != Era::V2_6_33) page = ksm_might_need_to_copy(k, page, vma, addr);
  if (page == kNoPage) return -kENOMEM;
  int ret = 1;
  PteSlot& slot = *k.pte_slot(mm, addr);
  checker::Spinlock& ptl = k.pte_lockptr(mm, addr);  // the mm's ptl; v4.19: the table's own
  ptl.lock("unuse_pte");  // pte_offset_map_lock
  k.kasan_page_table(m, "unuse_pte");
  if (!(slot.pte == Pte::swap(entry))) {  // !pte_same(*pte, swp_entry_to_pte(entry))
    checker::note([&] { return std::string("unuse_pte: !pte_same: " + k.pte_str(slot.pte)); });
    ret = 0;
  } else {
    k.get_page(page, "unuse_pte");
    // pte_mkold(mk_pte(page, vma->vm_page_prot)): a private vma's prot has no write bit.
    k.set_pte(mm, slot, pte_mkold(Pte::mk_pte(page)), "unuse_pte");
    k.touch_page(page, "unuse_pte");
    if (page == swapcache)
      page_add_anon_rmap(k, page, vma, addr);
    else  // "ksm created a completely new copy"
      page_add_new_anon_rmap(k, page, vma, addr);
    checker::note([&] { return std::string(k.page_name(page) + " mapcount -> " + std::to_string(k.pages[page].mapcount)); });
    swap_free(k, entry);
  }
  ptl.unlock("unuse_pte");  // out: pte_unmap_unlock
  if (page != swapcache) {     // out_nolock
    k.pages[page].lock->unlock("unuse_pte");
    k.put_page(page, "unuse_pte");
  }
  return ret;
}

namespace {

// mm/swapfile.c v3.9: unuse_pte_range (the scan reads each pte without the ptl: "we hold page
// lock and mmap_sem, swp_pte cannot be inserted"; unuse_pte rechecks under the ptl).
// unuse_pud_range / the pgd loop: not modelled; unuse_pmd_range's pmd read is 4.19's,
// a step only beside a THP (v4_19::unuse_pmd_range_skips).
int unuse_pte_range(Kernel& k, std::uint32_t vma, std::uint64_t start, std::uint64_t end, std::uint32_t entry,
                    PageId page) {
  checker::Frame frame("unuse_pte_range");
  const std::uint32_t mm = k.vmas.at(vma).mm;
  std::vector<std::uint64_t> addrs;
  for (const auto& [addr, slot] : k.mms.at(mm).ptes)
    if (addr >= start && addr < end) addrs.push_back(addr);
  std::uint64_t pmd = ~std::uint64_t{0};
  bool skip = false;
  for (std::uint64_t addr : addrs) {
    if (pmd_base(addr) != pmd) {  // v4.19: unuse_pmd_range, one pmd at a time
      pmd = pmd_base(addr);
      skip = v4_19::unuse_pmd_range_skips(k, mm, addr);  // no step unless SwapState::unuse_reads_pmds
    }
    if (skip) continue;
    PteSlot& slot = *k.pte_slot(mm, addr);
    checker::announce(slot.obj, AccessKind::Read, "unuse_pte_range");
    if (!(slot.pte == Pte::swap(entry))) continue;  // pte_same(*pte, swp_pte), unlocked
    checker::note([&] { return std::string("unuse_pte_range: swap(" + std::to_string(entry) + ") at " + k.where(mm, addr)); });
    if (const int ret = unuse_pte(k, vma, addr, entry, page)) return ret;
  }
  return 0;
}

// mm/swapfile.c v3.9: unuse_vma (an anon page: the one address page_address_in_vma gives;
// a KSM page, whose page_anon_vma is NULL: the whole vma)
int unuse_vma(Kernel& k, std::uint32_t vma, std::uint32_t entry, PageId page) {
  checker::Frame frame("unuse_vma");
  const Vma& v = k.vmas.at(vma);
  const Page& p = k.pages.at(page);
  std::uint64_t start = v.start, end = v.end;
  if (p.mapping.kind == Mapping::Kind::Anon) {  // page_anon_vma(page)
    // page_address_in_vma: -EFAULT unless the vma's anon_vma has the page's root and the index is inside.
    const std::uint64_t addr = v.address_of(p.index);
    if (k.anon_vmas.at(v.anon_vma).root != k.anon_vmas.at(p.mapping.id).root || !addr) return 0;
    start = addr;
    end = addr + kPageSize;
  }
  return unuse_pte_range(k, vma, start, end, entry, page);
}

// mm/swapfile.c v3.9: unuse_mm (down_read_trylock(mmap_sem), else drop the page lock around down_read)
int unuse_mm(Kernel& k, std::uint32_t mm, std::uint32_t entry, PageId page) {
  checker::Frame frame("unuse_mm");
  MmStruct& m = k.mms.at(mm);
  Page& p = k.pages.at(page);
  // down_read_trylock: a look at the semaphore; the down_read that follows a
  // success is its own step (a writer slipping in between makes it wait with
  // the page lock held, which the kernel's atomic trylock would not).
  checker::announce(m.mmap_sem->id(), AccessKind::Read, "down_read_trylock");
  if (m.mmap_sem->writer() != checker::kNoThread) {
    checker::note([&] { return std::string("down_read_trylock(" + m.name + ".mmap_sem) failed: unlock " + p.name); });
    p.lock->unlock("unuse_mm");
    m.mmap_sem->down_read("unuse_mm");
    p.lock->lock("unuse_mm");
  } else {
    m.mmap_sem->down_read("down_read_trylock");
  }
  int ret = 0;
  for (std::uint32_t vma : std::vector<std::uint32_t>(m.vmas))  // mm->mmap
    if (k.vmas.at(vma).has_anon_vma() && (ret = unuse_vma(k, vma, entry, page)) != 0) break;
  m.mmap_sem->up_read("unuse_mm");
  return ret < 0 ? ret : 0;
}

int swap_count(Kernel& k, std::uint32_t entry, const char* label) {
  checker::announce(k.swap.map_obj, AccessKind::Read, label);
  auto it = k.swap.swap_map.find(entry);
  return it == k.swap.swap_map.end() ? 0 : it->second;
}

/// find_next_to_unuse(): the next slot above `prev` in use (0 when none; slot 0 is
/// the swap header, never a swap entry), wrapping around once as the kernel does.
/// In use: a swap count, or SWAP_HAS_CACHE alone (a swap-cache page no pte's
/// swap entry holds any more: the model keeps that bit as the cache's slot), so
/// the step reads the swap map and the cache index together.
std::uint32_t find_next_to_unuse(Kernel& k, std::uint32_t prev) {
  checker::announce(k.swap.obj, AccessKind::Read, "find_next_to_unuse");
  // The smallest slot in use above `after` (0: none).
  auto first_above = [&k](std::uint32_t after) {
    std::uint32_t best = 0;
    for (auto it = k.swap.swap_map.upper_bound(after); it != k.swap.swap_map.end(); ++it)
      if (it->second > 0) {
        best = it->first;
        break;
      }
    if (auto c = k.swap.cache.upper_bound(after); c != k.swap.cache.end() && (best == 0 || c->first < best))
      best = c->first;
    return best;
  };
  if (const std::uint32_t next = first_above(prev)) return next;
  const std::uint32_t wrapped = first_above(0);
  return wrapped <= prev ? wrapped : 0;
}

}  // namespace

// mm/swapfile.c v3.9, v4.19: sys_swapoff's `p->flags &= ~SWP_WRITEOK` under the swap_lock
void clear_swp_writeok(Kernel& k, const char* note) {
  if (!k.swap.writeok_tracked) return;
  checker::announce(k.swap.obj, AccessKind::Write, "sys_swapoff");
  k.swap.writeok = false;  // p->flags &= ~SWP_WRITEOK, under swap_lock
  checker::note(note);
}

// mm/swapfile.c v3.9, v4.19: reinsert_swap_info (SWP_WRITEOK again after try_to_unuse failed)
void reinsert_swap_info(Kernel& k) {
  checker::Frame frame("reinsert_swap_info");
  if (!k.swap.writeok_tracked) return;
  checker::announce(k.swap.obj, AccessKind::Write, "reinsert_swap_info");
  k.swap.writeok = true;
  checker::note("try_to_unuse failed: reinsert_swap_info sets SWP_WRITEOK again");
}

// mm/swapfile.c v3.9 (v2.6.33 alike): sys_swapoff's SWP_WRITEOK around try_to_unuse (the
// security_vm_enough_memory_mm accounting, the swap_list unlink and the area's teardown after
// a success are not modelled: the area simply stays without SWP_WRITEOK)
int sys_swapoff(Kernel& k) {
  checker::Frame frame("sys_swapoff");
  clear_swp_writeok(k, "SWP_WRITEOK cleared: get_swap_page allocates no more slots");
  const int err = try_to_unuse(k);
  if (err) reinsert_swap_info(k);
  if (!err) k.swap.swapoff_succeeded = true;
  return err;
}

// mm/swapfile.c v3.9, v4.19: the mms on init_mm.mmlist in list order (try_to_unuse's walk from
// init_mm): the first walk of a run fixes the order of the mms that were there before the run,
// which the scenario may declare (initial.mmlist), else a value choice over all of them (the
// history that put them there is not in the state); a fork's child right after its parent
// (dup_mmap's copy_one_pte: list_add(&dst_mm->mmlist, &src_mm->mmlist)), the latest fork first.
static std::vector<std::uint32_t> mmlist_order(Kernel& k) {
  if (!k.mmlist_fixed) {
    k.mmlist_fixed = true;
    std::vector<std::uint32_t>& base = k.mmlist;
    if (k.mmlist_searched && base.size() > 1) {
      std::uint32_t orders = 1;
      for (std::uint32_t i = 2; i <= base.size(); ++i) orders *= i;
      std::uint32_t code = checker::choose(orders, "mmlist order");
      std::vector<std::uint32_t> left = base;  // declaration order
      base.clear();
      for (std::uint32_t n = static_cast<std::uint32_t>(left.size()); n > 0; --n) {  // factorial number system
        std::uint32_t f = 1;
        for (std::uint32_t i = 2; i < n; ++i) f *= i;
        const std::uint32_t at = code / f;
        code %= f;
        base.push_back(left[at]);
        left.erase(left.begin() + at);
      }
      checker::note([&] {
        std::string s = "init_mm.mmlist:";
        for (std::uint32_t mm : base) s += " " + k.mms[mm].name;
        return s + " (an order history may have left; each is searched)";
      });
    }
  }
  std::vector<std::uint32_t> order = k.mmlist;
  for (const auto& [child, parent] : k.mmlist_children) {
    const auto at = std::find(order.begin(), order.end(), parent);
    if (at != order.end()) order.insert(at + 1, child);
  }
  return order;
}

// mm/swapfile.c v3.9: try_to_unuse (one swap area, frontswap off; the mmlist's order is
// mmlist_order's, start_mm's heuristics aside; a shmem slot does not exist in the model)
int try_to_unuse(Kernel& k) {
  checker::Frame frame("try_to_unuse");
  int retval = 0;
  std::uint32_t i = 0;
  while ((i = find_next_to_unuse(k, i)) != 0) {
    const std::uint32_t entry = i;
    checker::note([&] { return std::string("try_to_unuse: slot " + std::to_string(entry)); });
    // read_swap_cache_async: the swap-cache page, or one read from the device, with a reference.
    const PageId page = read_swap_cache_async(k, entry);
    if (page == kNoPage) {
      if (swap_count(k, entry, "try_to_unuse") == 0) continue;  // freed meanwhile
      retval = -kENOMEM;  // no page to read the slot into
      break;
    }
    Page& p = k.pages[page];
    // wait_on_page_locked + lock_page: the wait only lets a do_swap_page holding
    // the page finish first, which lock_page's wait already allows; then
    // wait_on_page_writeback (a step only when swap-out is in the scenario).
    p.lock->lock("try_to_unuse");
    wait_on_page_writeback(k, page, "try_to_unuse");
    int swcount = swap_count(k, entry, "try_to_unuse");
    checker::note([&] { return std::string("swap_map[" + std::to_string(entry) + "] = " + std::to_string(swcount)); });
    // The mm whose mm_users reference swapoff holds (prev_mm), when mm_users is tracked.
    std::optional<std::uint32_t> prev_mm;
    const std::vector<std::uint32_t> order = mmlist_order(k);
    for (std::size_t at = 0; at < order.size() && swcount && !retval; ++at) {
      const std::uint32_t mm = order[at];
      MmStruct& m = k.mms[mm];
      if (m.users_obj != checker::kNoObject) {
        // atomic_inc_not_zero(&mm->mm_users): an exiting mm is skipped; a live one is held
        // by swapoff until its mmput, after the next mm's reference is taken or after the
        // walk. An `exit` of the mm meanwhile is then not the last user: swapoff's mmput is,
        // and tears the mm down (ksm_exit, exit_mmap) on swapoff's thread.
        checker::announce(m.users_obj, AccessKind::ReadModifyWrite, "try_to_unuse");
        if (m.mm_users == 0) {
          checker::note([&] { return std::string(m.name + ".mm_users = 0: exiting, skipped"); });
          continue;
        }
        ++m.mm_users;
        checker::note([&] { return std::string("atomic_inc_not_zero(" + m.name + ".mm_users) -> " + std::to_string(m.mm_users)); });
        if (prev_mm) mmput(k, *prev_mm);
        prev_mm = mm;
      }
      retval = unuse_mm(k, mm, entry, page);
      swcount = swap_count(k, entry, "try_to_unuse");
    }
    if (prev_mm) mmput(k, *prev_mm);
    if (retval) {
      p.lock->unlock("try_to_unuse");
      k.put_page(page, "try_to_unuse");  // page_cache_release
      break;
    }
    // "If a reference remains (rare)": a dirty swap-cache page is written out and
    // deleted anyway; the slot's next visit reads it back (read_swap_cache_async).
    // swap_writepage, lock_page, wait_on_page_writeback: the write completes within
    // this step (the page lock is held throughout in the model; PG_dirty is not
    // cleared: only pageout's clear_page_dirty_for_io does that).
    checker::announce(p.obj, AccessKind::Read, "try_to_unuse");
    if (swcount && p.test(PG_dirty) && p.test(PG_swapcache)) {
      read_page_data(k, page, "swap_writepage");
      k.swap.device[entry] = p.content;
      checker::note([&] { return std::string("swap_writepage(" + p.name + "): slot " + std::to_string(entry) +
                                             " still in use, written from " + p.name); });
    }
    if (p.test(PG_swapcache) && p.swap_entry == entry) delete_from_swap_cache(k, page);
    // SetPageDirty: "so shrink_page_list will preserve it"
    k.touch_page(page, "try_to_unuse");
    p.flags |= PG_dirty;
    p.lock->unlock("try_to_unuse");
    k.put_page(page, "try_to_unuse");  // page_cache_release
  }
  checker::note([&] { return std::string("try_to_unuse -> " + std::to_string(retval)); });
  return retval;
}

}  // namespace model
