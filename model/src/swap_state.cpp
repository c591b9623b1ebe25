// swap_state.cpp: swap counts, the swap cache's radix tree and its lookup,
// reuse_swap_page, delete_from_swap_cache and reclaim of one page: an unmapped
// swap-cache page freed, or an anon page swapped out (add_to_swap, try_to_unmap,
// pageout with PG_writeback, __remove_mapping)
// (mm/swapfile.c, mm/swap_state.c, mm/filemap.c find_get_page, mm/vmscan.c,
// mm/page_io.c v3.9; read_swap_cache_async's unused-slot check of v4.19).
// Invariant: a slot's page in the swap cache changes only under that page's
// lock (reclaim, delete_from_swap_cache, migration's handover), and only in
// a step announced on `swapper_space`; PG_writeback is set under the page lock
// and cleared without it, and a page under writeback never leaves the swap cache.
#include "model/swap_state.h"

#include <optional>

#include "model/kernel.h"
#include "model/migrate_v4_19.h"
#include "model/rmap.h"
#include "model/swapfile_v4_19.h"
#include "model/user_access.h"
#include "model/v2_6_33.h"

namespace model {

using checker::AccessKind;

void init_swap_map(Kernel& k) {
  k.swap.swap_map.clear();
  k.swap.cache.clear();
  for (const MmStruct& m : k.mms)
    for (const auto& [addr, slot] : m.ptes)
      if (slot.pte.is_swap()) ++k.swap.swap_map[slot.pte.entry];
  for (std::size_t i = 0; i < k.pages.size(); ++i)
    if (k.pages[i].test(PG_swapcache)) k.swap.cache[k.pages[i].swap_entry] = static_cast<PageId>(i);
  k.swap.device.clear();
  for (const auto& [entry, page] : k.swap.cache) k.swap.device[entry] = k.pages[page].content;
}

PageId swap_cache_page(const Kernel& k, std::uint32_t entry) {
  auto it = k.swap.cache.find(entry);
  return it == k.swap.cache.end() ? kNoPage : it->second;
}

namespace {

// mm/filemap.c v3.9: find_get_page (on the swap cache's radix tree)
PageId find_get_page(Kernel& k, std::uint32_t entry) {
  for (;;) {  // repeat:
    // rcu_read_lock(); radix_tree_lookup_slot() + radix_tree_deref_slot()
    checker::announce(k.swap.tree_obj, AccessKind::Read, "find_get_page");
    const PageId page = swap_cache_page(k, entry);
    if (page == kNoPage) {
      checker::note([&] { return std::string("swap cache has no page for slot " + std::to_string(entry)); });
      return kNoPage;
    }
    Page& p = k.pages[page];
    checker::note([&] { return std::string("slot " + std::to_string(entry) + " holds " + p.name); });
    // page_cache_get_speculative() = get_page_unless_zero() on SMP: a step on
    // the page's count (a read when it fails).
    if (!k.get_page_unless_zero(page, "find_get_page")) {
      // Frozen by page_freeze_refs (reclaim's __remove_mapping, or
      // migrate_page_move_mapping) or already freed: goto repeat. The
      // kernel spins; the slot changes (to the new page, or empty) before
      // the count can come back, so the spin is a wait on swapper_space, and a
      // wait for a change of it: the freezers (__remove_mapping's delete,
      // migrate_page_move_mapping's handover) write the slot before the count is
      // non-zero again, and no modelled path unfreezes without that write.
      checker::note([&] { return std::string("get_page_unless_zero(" + p.name + ") failed: repeat"); });
      checker::announce_wait_for_change(k.swap.tree_obj, "find_get_page", [&k, &p, page, entry] {
        return swap_cache_page(k, entry) != page || p.refcount != 0;
      });
      continue;
    }
    // if (unlikely(page != *pagep)) { page_cache_release(page); goto repeat; }
    checker::announce(k.swap.tree_obj, AccessKind::Read, "find_get_page");
    if (swap_cache_page(k, entry) != page) {
      checker::note([&] { return std::string("slot " + std::to_string(entry) + " no longer holds " + p.name + ": repeat"); });
      k.page_ref_put(page, "find_get_page");
      continue;
    }
    checker::note([&] { return std::string("slot " + std::to_string(entry) + " still holds " + p.name); });
    return page;
  }
}

}  // namespace

// mm/swap_state.c v3.9: lookup_swap_cache
PageId lookup_swap_cache(Kernel& k, std::uint32_t entry) {
  checker::Frame frame("lookup_swap_cache");
  return find_get_page(k, entry);
}

std::uint32_t swap_device_data(const Kernel& k, std::uint32_t entry) {
  const auto it = k.swap.device.find(entry);
  return it == k.swap.device.end() ? 0x10000u + entry : it->second;
}

// mm/swapfile.c v2.6.33, v3.9: a step on swap_map (or on the whole swapper_space) by a path
// that takes swap_lock (v3.9: p->lock) around it: it waits while another thread is inside
// free_swap_and_cache's locked section (SwapState::swap_lock_holder). v4.19: a plain step.
void swap_map_step(Kernel& k, checker::ObjectId obj, AccessKind kind, const char* label) {
  if (k.config.era == Era::V4_19) return checker::announce(obj, kind, label);
  const checker::ThreadId me = checker::current_thread();
  const SwapState& swap = k.swap;
  checker::announce_blocking(obj, kind, label, [&swap, me] {
    return swap.swap_lock_holder == checker::kNoThread || swap.swap_lock_holder == me;
  });
}

// mm/swap_state.c v3.9: read_swap_cache_async (mm/page_io.c swap_readpage, end_swap_bio_read);
// v4.19's __read_swap_cache_async adds the unused-slot check before the allocation
PageId read_swap_cache_async(Kernel& k, std::uint32_t entry) {
  checker::Frame frame("read_swap_cache_async");
  PageId new_page = kNoPage;
  for (;;) {
    const PageId found = find_get_page(k, entry);
    if (found != kNoPage) {
      if (new_page != kNoPage) k.free_new_page(new_page, "read_swap_cache_async");  // page_cache_release
      return found;
    }
    // mm/swap_state.c v4.19 __read_swap_cache_async: "Just skip read ahead for unused swap
    // slot": __swp_swapcount(entry) (the slot's count under its cluster lock) of 0 returns
    // NULL before any allocation (&& swap_slot_cache_enabled: a 4.19 swapoff clears it first, swapfile_v4_19.cpp).
    // v3.9 has no such check: its swapcache_prepare's -ENOENT comes after the allocation.
    if (k.config.era == Era::V4_19) {
      checker::announce(k.swap.map_obj, AccessKind::Read, "__swp_swapcount");
      const auto it = k.swap.swap_map.find(entry);
      if ((it == k.swap.swap_map.end() || it->second <= 0) && k.swap.slot_cache_enabled) {  // v4.19 swapoff clears it
        checker::note([&] { return std::string("slot " + std::to_string(entry) + " unused: skip"); });
        if (new_page != kNoPage) k.free_new_page(new_page, "read_swap_cache_async");
        return kNoPage;
      }
    }
    if (new_page == kNoPage) {
      new_page = k.alloc_page(0, "alloc_page_vma");
      if (new_page == kNoPage) return kNoPage;
    }
    Page& np = k.pages[new_page];
    // __set_page_locked: a page no other thread can reach yet (taken before the
    // step that publishes it, which the kernel takes between its two halves).
    np.lock->lock("__set_page_locked");
    // swapcache_prepare (SWAP_HAS_CACHE) and __add_to_swap_cache in one step on
    // swapper_space: between them the kernel only lets a second reader spin on -EEXIST.
    swap_map_step(k, k.swap.obj, AccessKind::ReadModifyWrite, "swapcache_prepare");
    const auto it = k.swap.swap_map.find(entry);
    const bool enoent = it == k.swap.swap_map.end() || it->second <= 0;
    if (enoent || k.swap.cache.count(entry)) {
      checker::note([&] { return std::string("slot " + std::to_string(entry) + (enoent ? " is free: -ENOENT" : " has a page: -EEXIST")); });
      np.lock->unlock("read_swap_cache_async");
      if (!enoent) continue;  // another reader added its page: look again
      k.free_new_page(new_page, "read_swap_cache_async");
      return kNoPage;
    }
    // SetPageSwapBacked, __add_to_swap_cache (page_cache_get, SetPageSwapCache,
    // set_page_private, radix_tree_insert), lru_cache_add_anon.
    ++np.refcount;
    np.flags |= PG_swapcache;
    np.swap_entry = entry;
    k.swap.cache[entry] = new_page;
    checker::note([&] { return std::string(np.name + " added to the swap cache (slot " + std::to_string(entry) + "), locked: swap_readpage"); });
    k.lru_cache_add(new_page, "lru_cache_add_anon");
    // end_swap_bio_read: the read completes (the I/O is the reader's next step).
    checker::announce(np.flags_obj, AccessKind::Write, "end_swap_bio_read");
    np.content = swap_device_data(k, entry);
    np.flags |= PG_uptodate;
    checker::note([&] { return std::string("swap read of slot " + std::to_string(entry) + " into " + np.name + " done: SetPageUptodate"); });
    np.lock->unlock("end_swap_bio_read");
    return new_page;
  }
}

// mm/swapfile.c v3.9: page_swapcount (swap_info_get's lock around the read)
int page_swapcount(Kernel& k, PageId page) {
  const std::uint32_t entry = k.pages.at(page).swap_entry;
  swap_map_step(k, k.swap.map_obj, AccessKind::Read, "page_swapcount");
  auto it = k.swap.swap_map.find(entry);
  const int count = it == k.swap.swap_map.end() ? 0 : it->second;
  checker::note([&] { return std::string("swap_map[" + std::to_string(entry) + "] = " + std::to_string(count)); });
  return count;
}

namespace {

// mm/swap_state.c v3.9: __delete_from_swap_cache (the caller holds the page lock;
// the radix-tree delete is a step on swapper_space, the page fields one on the page)
void delete_from_swap_cache_locked(Kernel& k, PageId page) {
  Page& p = k.pages.at(page);
  const std::uint32_t entry = p.swap_entry;
  checker::announce(k.swap.tree_obj, AccessKind::ReadModifyWrite, "__delete_from_swap_cache");
  k.swap.cache.erase(entry);  // radix_tree_delete
  checker::note([&] { return std::string("slot " + std::to_string(entry) + " emptied"); });
  k.touch_page(page, "__delete_from_swap_cache");
  p.swap_entry = 0;  // set_page_private(page, 0)
  p.flags &= ~static_cast<std::uint32_t>(PG_swapcache);
  checker::note([&] { return std::string(p.name + " deleted from the swap cache (slot " + std::to_string(entry) + ")"); });
}

}  // namespace

// mm/swap_state.c v3.9: delete_from_swap_cache
void delete_from_swap_cache(Kernel& k, PageId page) {
  checker::Frame frame("delete_from_swap_cache");
  delete_from_swap_cache_locked(k, page);
  // swapcache_free(): SWAP_HAS_CACHE is the page flag in the model, already clear.
  k.put_page(page, "delete_from_swap_cache");  // page_cache_release: the swap cache's reference
}

// mm/swapfile.c v3.9: reuse_swap_page
bool reuse_swap_page(Kernel& k, PageId page) {
  checker::Frame frame("reuse_swap_page");
  Page& p = k.pages.at(page);
  if (!p.PageLocked()) checker::fail(checker::FailureKind::BugOn, "VM_BUG_ON(!PageLocked(page)) in reuse_swap_page");
  if (p.PageKsm()) return false;
  // page_mapcount(): an atomic_read of _mapcount, its own step (a zap of another mm's pte
  // decrements it without the page lock, and the reuse decision turns on it)
  int count = k.page_mapcount(page, "reuse_swap_page");
  if (count <= 1 && p.test(PG_swapcache)) {
    count += page_swapcount(k, page);
    if (count == 1 && !page_writeback(k, page, "reuse_swap_page")) {  // && !PageWriteback(page)
      delete_from_swap_cache(k, page);
      p.flags |= PG_dirty;  // SetPageDirty
      checker::note([&] { return std::string(p.name + " reused: out of the swap cache, dirty"); });
    }
  }
  return count <= 1;
}

namespace {

// mm/swapfile.c v3.9: swap_entry_free's count decrement (the caller announced the step)
void swap_entry_free(Kernel& k, std::uint32_t entry) {
  checker::Frame frame("swap_entry_free");
  int& count = k.swap.swap_map[entry];
  if (count <= 0)
    checker::fail(checker::FailureKind::BugOn, "swap_free: slot " + std::to_string(entry) + " has no swap count");
  --count;
  checker::note([&] {
    std::string s = "swap_map[" + std::to_string(entry) + "] -> " + std::to_string(count);
    // The model keeps SWAP_HAS_CACHE as the swap cache itself (Kernel::swap.cache), the
    // kernel as a bit of this byte: say it stays when the count is gone.
    if (count == 0)
      if (auto c = k.swap.cache.find(entry); c != k.swap.cache.end())
        s += " (SWAP_HAS_CACHE kept: " + k.pages.at(c->second).name + " in the swap cache)";
    return s;
  });
}

}  // namespace

// mm/swapfile.c v3.9: swap_free
void swap_free(Kernel& k, std::uint32_t entry) {
  checker::Frame frame("swap_free");
  swap_map_step(k, k.swap.map_obj, AccessKind::ReadModifyWrite, "swap_free");
  swap_entry_free(k, entry);
}

// mm/swapfile.c v3.9, v2.6.33: free_swap_and_cache; v4.19: free_swap_and_cache ->
// __try_to_reclaim_swap(TTRS_UNMAPPED | TTRS_FULL) -> try_to_free_swap, the same steps
void free_swap_and_cache(Kernel& k, std::uint32_t entry) {
  checker::Frame frame("free_swap_and_cache");
  // swap_entry_free under swap_lock: the count, and whether SWAP_HAS_CACHE is set, which
  // swapcache_free clears (__remove_mapping, delete_from_swap_cache): a step on the whole
  // swapper_space (its count and its cache index), ordered against both.
  swap_map_step(k, k.swap.obj, AccessKind::ReadModifyWrite, "free_swap_and_cache");  // swap_info_get, swap_entry_free
  swap_entry_free(k, entry);
  const auto left = k.swap.swap_map.find(entry);
  if (left != k.swap.swap_map.end() && left->second > 0) return;  // other swap ptes hold the slot
  if (!k.swap.cache.count(entry)) return;  // swap_entry_free returned 0, not SWAP_HAS_CACHE
  // v2.6.33, v3.9: swap_lock (p->lock) stays held, taken in swap_info_get before
  // swap_entry_free, until after trylock_page: no swap_duplicate (try_to_unmap, fork) nor
  // swap_free of the slot can come between the count reaching 0 and the trylock.
  const bool locked_section = k.config.era != Era::V4_19;
  if (locked_section) k.swap.swap_lock_holder = checker::current_thread();  // in swap_free's step
  // == SWAP_HAS_CACHE: find_get_page (a reference), trylock_page ("we hold a lock on a page
  // here": the caller holds the ptl, so no sleeping lock_page). v4.19: swap_page_trans_huge_swapped
  // and find_get_page(swap_address_space(entry)) with no reference on the swap device, so a
  // swapoff that finished meanwhile has freed both (82b1c07a0af6, v6.9, takes get_swap_device)
  if (k.config.era == Era::V4_19)
    v4_19::swap_address_space(k, entry, "free_swap_and_cache",
                              "this zap, which had just dropped the slot's last pte reference, looked the slot up "
                              "(swap_page_trans_huge_swapped reads the freed swap_map too; v4.19 takes no reference "
                              "on the swap device here: 82b1c07a0af6, v6.9)");
  const PageId page = lookup_swap_cache(k, entry);
  const bool page_locked = page != kNoPage && k.pages.at(page).lock->try_lock("free_swap_and_cache");
  if (locked_section) {
    checker::announce(k.swap.map_obj, AccessKind::Write, "free_swap_and_cache");  // spin_unlock(&swap_lock)
    k.swap.swap_lock_holder = checker::kNoThread;
  }
  if (page == kNoPage) return;
  Page& p = k.pages.at(page);
  if (page_locked) {
    // PageSwapCache rechecked under the lock, !PageWriteback, and !page_mapped(page) ||
    // vm_swap_full(): the model's swap area is never more than half full. v4.19's
    // try_to_free_swap also rechecks page_swapped(page): no swap pte took the slot again.
    if (p.test(PG_swapcache) && !page_writeback(k, page, "free_swap_and_cache") &&
        k.page_mapcount(page, "free_swap_and_cache") == 0 &&
        (k.config.era != Era::V4_19 || page_swapcount(k, page) == 0)) {
      delete_from_swap_cache(k, page);
      p.flags |= PG_dirty;  // SetPageDirty
      checker::note([&] { return std::string(p.name + " unmapped: out of the swap cache, dirty"); });
    }
    p.lock->unlock("free_swap_and_cache");
  }
  k.put_page(page, "free_swap_and_cache");  // page_cache_release
}

// mm/swapfile.c v3.9: swap_duplicate
void swap_duplicate(Kernel& k, std::uint32_t entry) {
  checker::Frame frame("swap_duplicate");
  swap_map_step(k, k.swap.map_obj, AccessKind::ReadModifyWrite, "swap_duplicate");
  int& count = ++k.swap.swap_map[entry];
  checker::note([&] { return std::string("swap_map[" + std::to_string(entry) + "] -> " + std::to_string(count)); });
}

// PageWriteback(page) as read by a path that may race with end_page_writeback
// (which runs without the page lock): a read of the page's flags, a step only in
// a scenario where swap-out can set PG_writeback (Kernel::track_writeback).
bool page_writeback(Kernel& k, PageId page, const char* label) {
  if (!k.track_writeback) return false;
  Page& p = k.pages.at(page);
  checker::announce(p.flags_obj, AccessKind::Read, label);
  return p.test(PG_writeback);
}

// include/linux/pagemap.h v3.9: wait_on_page_writeback (sleeps on PG_writeback
// until end_page_writeback wakes it; no step when writeback cannot happen)
void wait_on_page_writeback(Kernel& k, PageId page, const char* label) {
  checker::Frame frame("wait_on_page_writeback");
  if (!k.track_writeback) return;
  Page& p = k.pages.at(page);
  checker::announce_blocking(p.flags_obj, AccessKind::Read, label, [&p] { return !p.test(PG_writeback); });
}

// mm/page_io.c v3.9 (v2.6.33 and v4.19 alike): end_swap_bio_write, a successful write:
// the device slot holds the page's data, end_page_writeback clears PG_writeback
// (without the page lock) and wakes its waiters. The write I/O reads the data here.
void end_swap_bio_write(Kernel& k, PageId page) {
  checker::Frame frame("end_swap_bio_write");
  Page& p = k.pages.at(page);
  read_page_data(k, page, "swap_writepage");
  k.page_flags_write(page, "end_page_writeback");
  k.swap.device[p.swap_entry] = p.content;
  p.flags &= ~static_cast<std::uint32_t>(PG_writeback);
  std::erase_if(k.swap.bios, [page](const auto& bio) { return bio.second == page; });
  checker::note([&] { return std::string("slot " + std::to_string(p.swap_entry) + " written from " + p.name + ": end_page_writeback"); });
}

// block/bio.c bio_endio -> mm/page_io.c v3.9 end_swap_bio_write (v2.6.33, v4.19 alike), in
// the interrupt of the CPU the device completes on: an asynchronous reclaimer's write,
// whenever the device is done with it after submit_bio.
void swap_bio_completion(Kernel& k, checker::ThreadId reclaimer, PageId page) {
  checker::announce_idle(k.pages.at(page).flags_obj, AccessKind::Read, "bio_endio",
                         [&k, reclaimer] { return k.swap.bios.count(reclaimer) != 0; });
  end_swap_bio_write(k, k.swap.bios.at(reclaimer));
}

namespace {

// mm/swapfile.c v3.9: get_swap_page (scan_swap_map on the model's one swap
// device: slots 1, 2, ...; the free slot taken is the smallest one no swap pte
// and no swap-cache page holds; the device never fills). SWAP_HAS_CACHE is
// the page's PG_swapcache in the model, so the slot is reserved by entering it
// in the radix tree in the same step (add_to_swap_cache's radix_tree_insert
// under the tree_lock, which the kernel takes right after).
std::uint32_t get_swap_page_and_insert(Kernel& k, PageId page) {
  swap_map_step(k, k.swap.obj, AccessKind::ReadModifyWrite, "get_swap_page");
  if (!k.swap.writeok) {  // the area lost SWP_WRITEOK to swapoff: "noswap"
    checker::note("get_swap_page: no swap area with SWP_WRITEOK (swapoff)");
    return 0;
  }
  std::uint32_t entry = 1;
  for (;; ++entry) {
    const auto it = k.swap.swap_map.find(entry);
    if ((it == k.swap.swap_map.end() || it->second == 0) && !k.swap.cache.count(entry)) break;
  }
  k.swap.cache[entry] = page;  // __add_to_swap_cache: radix_tree_insert
  checker::note([&] { return std::string("get_swap_page: slot " + std::to_string(entry) + " for " + k.pages[page].name); });
  return entry;
}

// mm/swap_state.c v3.9: add_to_swap (get_swap_page, add_to_swap_cache: page_cache_get,
// SetPageSwapCache, set_page_private; then SetPageDirty). Fails only when swapoff has
// cleared the area's SWP_WRITEOK (no radix-tree preload or memcg failures in the model).
bool add_to_swap(Kernel& k, PageId page) {
  checker::Frame frame("add_to_swap");
  Page& p = k.pages.at(page);
  const std::uint32_t entry = get_swap_page_and_insert(k, page);
  if (entry == 0) return false;
  k.touch_page(page, "add_to_swap_cache");
  ++p.refcount;  // page_cache_get: the swap cache's reference
  p.flags |= PG_swapcache | PG_dirty;  // SetPageSwapCache; add_to_swap's SetPageDirty
  p.swap_entry = entry;
  checker::note([&] { return std::string(p.name + " added to the swap cache (slot " + std::to_string(entry) + "), dirty"); });
  return true;
}

// mm/vmscan.c v3.9 (v4.19 alike: page_ref_freeze(page, 2)): __remove_mapping (swap cache) and the free in shrink_page_list,
// after the step that read the page whole (labelled page_freeze_refs). Unlocks the page.
bool remove_mapping_locked(Kernel& k, PageId page) {
  Page& p = k.pages.at(page);
  // page_freeze_refs(page, 2) succeeds only when the isolation and swap-cache
  // references are all that is left; a dirty or written-back page is kept.
  const bool freeable = !p.page_mapped() && p.test(PG_swapcache) && p.refcount == 2 && !p.test(PG_dirty) &&
                        !p.test(PG_writeback);
  if (!freeable) {
    checker::note([&] { return std::string("reclaim keeps " + p.name + " (mapcount " + std::to_string(p.mapcount) + ", refcount " +
                  std::to_string(p.refcount) + ")"); });
    p.lock->unlock("shrink_page_list");
    return false;
  }
  p.refcount = 0;  // frozen: get_page_unless_zero fails from here on
  // The isolation reference goes with the freeze (the page is freed, not put back).
  if (auto own = k.own_refs.find({checker::current_thread(), page}); own != k.own_refs.end() && own->second > 0)
    --own->second;
  checker::note([&] { return std::string(p.name + " refcount frozen at 0"); });
  // A clean page: the device already holds its data (nothing is written here; a page
  // whose dirty bit was lost leaves the device stale, which no_lost_write reads back).
  // __delete_from_swap_cache: radix delete, set_page_private(0), ClearPageSwapCache.
  delete_from_swap_cache_locked(k, page);
  p.lock->unlock("shrink_page_list");  // __clear_page_locked
  // free_hot_cold_page_list -> free_pages_prepare: an anon page's mapping is reset at the free.
  k.touch_page(page, "free_pages_prepare");
  p.mapping = Mapping{};
  p.flags = 0;
  p.freed = true;
  checker::note([&] { return std::string(p.name + " freed"); });
  return true;
}

// mm/vmscan.c v3.9: shrink_page_list, the anonymous swap-out branch for a locked,
// !PageKsm, !PageWriteback anon page: add_to_swap, try_to_unmap, pageout
// (mm/page_io.c swap_writepage and end_swap_bio_write), then the synchronous-write
// path (trylock_page again) into __remove_mapping.
bool swap_out_locked(Kernel& k, PageId page, SwapWrite write) {
  Page& p = k.pages.at(page);
  // PageAnon(page) && !PageSwapCache(page): add_to_swap, or activate_locked (SetPageActive
  // is not modelled), keep_locked: unlock, put back.
  if (!p.test(PG_swapcache) && !add_to_swap(k, page)) {
    p.lock->unlock("shrink_page_list");
    return false;
  }
  // page_mapped(page) (read in the step before, which covers the whole page).
  if (p.page_mapped()) {
    // TTU_UNMAP as with TTU_IGNORE_ACCESS (page_check_references is not modelled: the page is
    // taken as unreferenced, a young pte does not keep it),
    // no VM_LOCKED vma: every pte becomes a swap pte, or SWAP_AGAIN keeps the page.
    // mm/rmap.c v2.6.33: try_to_unmap (try_to_unmap_ksm over rmap_item->anon_vma) in that era;
    // mm/vmscan.c v4.19: try_to_unmap returns !page_mapped (rmap_v4_19.cpp); a failure goes to
    // activate_locked (try_to_free_swap only when vm_swap_full: never on the model's one area).
    bool unmapped;
    if (k.config.era == Era::V4_19) unmapped = v4_19::try_to_unmap(k, page, TTU_UNMAP);
    else if (k.config.era == Era::V2_6_33) unmapped = v2_6_33::try_to_unmap(k, page, TTU_UNMAP) == SWAP_SUCCESS;
    else unmapped = try_to_unmap(k, page, TTU_UNMAP) == SWAP_SUCCESS;
    if (!unmapped) {
      checker::note([&] { return std::string("try_to_unmap(" + p.name + ") failed (still mapped): keep"); });
      p.lock->unlock("shrink_page_list");  // keep_locked
      return false;
    }
  }
  if (p.test(PG_dirty)) {  // changed under the page lock only (and by try_to_unmap_one above)
    // mm/vmscan.c v2.6.33, v3.9, v4.19: pageout: is_page_cache_freeable (page_count -
    // page_has_private == 2: the isolation's reference and the swap cache's; a pin or any
    // other holder makes it PAGE_KEEP: keep_locked), then clear_page_dirty_for_io and
    // ->writepage = swap_writepage. One step: it reads the count and writes the flags.
    k.touch_page(page, "pageout");
    if (p.refcount != 2) {
      checker::note([&] { return std::string("is_page_cache_freeable: page_count(" + p.name + ") = " +
                                             std::to_string(p.refcount) + ", not 2 (another reference): PAGE_KEEP"); });
      p.lock->unlock("shrink_page_list");  // keep_locked
      return false;
    }
    p.flags &= ~static_cast<std::uint32_t>(PG_dirty);
    checker::note([&] { return std::string(p.name + " clean for I/O"); });
    // swap_writepage: try_to_free_swap (no swap pte holds the slot any more: the
    // page leaves the swap cache dirty instead of being written).
    if (page_swapcount(k, page) == 0) {
      delete_from_swap_cache(k, page);
      k.page_flags_write(page, "try_to_free_swap");
      p.flags |= PG_dirty;  // SetPageDirty
      p.lock->unlock("swap_writepage");
      return false;  // PAGE_SUCCESS, PageDirty: keep
    }
    // __swap_writepage: set_page_writeback, unlock_page, submit_bio(WRITE).
    k.page_flags_write(page, "set_page_writeback");
    p.flags |= PG_writeback;
    if (write == SwapWrite::Async) k.swap.bios[checker::current_thread()] = page;  // submit_bio
    checker::note([&] { return std::string(p.name + " under writeback to slot " + std::to_string(p.swap_entry)); });
    p.lock->unlock("__swap_writepage");
    if (write == SwapWrite::Async) {
      // PAGE_SUCCESS: PageWriteback(page) (cleared by the bio thread's
      // end_swap_bio_write, whenever the device is done): goto keep; the page is put back.
      if (page_writeback(k, page, "shrink_page_list")) {
        checker::note([&] { return std::string(p.name + ": write in flight, keep"); });
        return false;
      }
    } else {
      // The write completes as the reclaimer's next step (the slot cannot change
      // meanwhile: nothing takes a page under writeback out of the swap cache).
      end_swap_bio_write(k, page);
    }
    // PAGE_SUCCESS: "A synchronous write": PageWriteback/PageDirty (read with the
    // freeze step below), trylock_page, then __remove_mapping.
    if (!p.lock->try_lock("shrink_page_list")) return false;  // keep
  }
  checker::Frame remove("__remove_mapping");
  k.touch_page(page, k.config.era == Era::V4_19 ? "page_ref_freeze" : "page_freeze_refs");  // 4.19's name
  return remove_mapping_locked(k, page);
}

}  // namespace

namespace {

// mm/vmscan.c v3.9 and v4.19 (the same order): shrink_page_list on one page (trylock_page, PageWriteback: keep
// as global reclaim does, the anon swap-out branch, __remove_mapping)
bool shrink_page_list(Kernel& k, PageId page, SwapWrite write) {
  checker::Frame frame("shrink_page_list");
  Page& p = k.pages.at(page);
  if (!p.lock->try_lock("shrink_page_list")) return false;  // someone holds it: keep
  // One step reads the page whole: PageWriteback, PageAnon, PageSwapCache,
  // page_mapped, PageDirty, and (for an unmapped clean swap-cache page) it is
  // __remove_mapping's page_freeze_refs. Named for the path the page's state, as the
  // step is announced, leads to: the swap-out's checks, or the freeze.
  const bool swap_out_ahead = p.PageAnon() && !p.test(PG_writeback) &&
                              (p.page_mapped() || !p.test(PG_swapcache) || p.test(PG_dirty));
  std::optional<checker::Frame> remove;  // the step is __remove_mapping's freeze
  if (!swap_out_ahead) remove.emplace("__remove_mapping");
  k.touch_page(page, swap_out_ahead             ? "shrink_page_list"
                     : k.config.era == Era::V4_19 ? "page_ref_freeze"  // 4.19's name
                                                  : "page_freeze_refs");
  // An anon page (PageAnon: KSM pages too, unmapped through try_to_unmap_ksm) that is
  // mapped, dirty or not in the swap cache is swapped out; a page under writeback is kept.
  if (p.PageAnon() && !p.test(PG_writeback) &&
      (p.page_mapped() || !p.test(PG_swapcache) || p.test(PG_dirty)))
    return swap_out_locked(k, page, write);
  return remove_mapping_locked(k, page);
}

}  // namespace

// mm/vmscan.c v2.6.33, v3.9, v4.19: shrink_inactive_list on one page: isolate_lru_pages
// (isolate_lru_page's step: PG_lru, the isolation reference), shrink_page_list, and
// putback_inactive_pages for a page it kept (SetPageLRU, the put of the isolation reference;
// under writeback still when an asynchronous write has not completed yet)
bool reclaim_swapcache_page(Kernel& k, PageId page, SwapWrite write) {
  const bool v4_19 = k.config.era == Era::V4_19;
  if ((v4_19 ? v4_19::isolate_lru_page(k, page) : v2_6_33::isolate_lru_page(k, page)) != 0) return false;
  if (shrink_page_list(k, page, write)) return true;
  if (v4_19) v4_19::putback_lru_page(k, page);
  else v2_6_33::putback_lru_page(k, page);
  return false;
}

}  // namespace model
