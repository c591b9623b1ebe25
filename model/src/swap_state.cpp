// swap_state.cpp: swap counts, the swap cache's radix tree and its lookup,
// reuse_swap_page, delete_from_swap_cache and reclaim of a swap-cache page
// (mm/swapfile.c, mm/swap_state.c, mm/filemap.c find_get_page, mm/vmscan.c v3.9).
// Invariant: a slot's page in the swap cache changes only under that page's
// lock (reclaim, delete_from_swap_cache, migration's handover), and only in
// a step announced on `swapper_space`.
#include "model/swap_state.h"

#include "model/kernel.h"

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
  for (const auto& [entry, count] : k.swap.swap_map) k.swap.device[entry] = 0x10000u + entry;
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
    checker::announce(k.swap.obj, AccessKind::Read, "find_get_page");
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
      // the count can come back, so the spin is a wait on swapper_space.
      checker::note([&] { return std::string("get_page_unless_zero(" + p.name + ") failed: repeat"); });
      checker::announce_blocking(k.swap.obj, AccessKind::Wait, "find_get_page", [&k, &p, page, entry] {
        return swap_cache_page(k, entry) != page || p.refcount != 0;
      });
      continue;
    }
    // if (unlikely(page != *pagep)) { page_cache_release(page); goto repeat; }
    checker::announce(k.swap.obj, AccessKind::Read, "find_get_page");
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
PageId lookup_swap_cache(Kernel& k, std::uint32_t entry) { return find_get_page(k, entry); }

// mm/swap_state.c v3.9: read_swap_cache_async (mm/page_io.c swap_readpage, end_swap_bio_read)
PageId read_swap_cache_async(Kernel& k, std::uint32_t entry) {
  PageId new_page = kNoPage;
  for (;;) {
    const PageId found = find_get_page(k, entry);
    if (found != kNoPage) {
      if (new_page != kNoPage) k.put_page(new_page, "read_swap_cache_async");  // page_cache_release
      return found;
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
    checker::announce(k.swap.obj, AccessKind::ReadModifyWrite, "swapcache_prepare");
    const auto it = k.swap.swap_map.find(entry);
    const bool enoent = it == k.swap.swap_map.end() || it->second <= 0;
    if (enoent || k.swap.cache.count(entry)) {
      checker::note([&] { return std::string("slot " + std::to_string(entry) + (enoent ? " is free: -ENOENT" : " has a page: -EEXIST")); });
      np.lock->unlock("read_swap_cache_async");
      if (!enoent) continue;  // another reader added its page: look again
      k.put_page(new_page, "read_swap_cache_async");
      return kNoPage;
    }
    // SetPageSwapBacked, __add_to_swap_cache (page_cache_get, SetPageSwapCache,
    // set_page_private, radix_tree_insert), lru_cache_add_anon.
    ++np.refcount;
    np.flags |= PG_swapcache | PG_lru;
    np.swap_entry = entry;
    k.swap.cache[entry] = new_page;
    checker::note([&] { return std::string(np.name + " added to the swap cache (slot " + std::to_string(entry) + "), locked: swap_readpage"); });
    // end_swap_bio_read: the read completes (the I/O is the reader's next step).
    checker::announce(np.flags_obj, AccessKind::Write, "end_swap_bio_read");
    np.content = k.swap.device.count(entry) ? k.swap.device.at(entry) : 0x10000u + entry;
    np.flags |= PG_uptodate;
    checker::note([&] { return std::string("swap read of slot " + std::to_string(entry) + " into " + np.name + " done: SetPageUptodate"); });
    np.lock->unlock("end_swap_bio_read");
    return new_page;
  }
}

// mm/swapfile.c v3.9: page_swapcount (swap_info_get's lock around the read)
int page_swapcount(Kernel& k, PageId page) {
  const std::uint32_t entry = k.pages.at(page).swap_entry;
  checker::announce(k.swap.obj, AccessKind::Read, "page_swapcount");
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
  checker::announce(k.swap.obj, AccessKind::ReadModifyWrite, "__delete_from_swap_cache");
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
  delete_from_swap_cache_locked(k, page);
  // swapcache_free(): SWAP_HAS_CACHE is the page flag in the model, already clear.
  k.put_page(page, "delete_from_swap_cache");  // page_cache_release: the swap cache's reference
}

// mm/swapfile.c v3.9: reuse_swap_page
bool reuse_swap_page(Kernel& k, PageId page) {
  Page& p = k.pages.at(page);
  if (!p.PageLocked()) checker::fail(checker::FailureKind::BugOn, "VM_BUG_ON(!PageLocked(page)) in reuse_swap_page");
  if (p.PageKsm()) return false;
  int count = p.mapcount;  // page_mapcount()
  if (count <= 1 && p.test(PG_swapcache)) {
    count += page_swapcount(k, page);
    if (count == 1) {  // !PageWriteback: no writeback in the model
      delete_from_swap_cache(k, page);
      p.flags |= PG_dirty;  // SetPageDirty
      checker::note([&] { return std::string(p.name + " reused: out of the swap cache, dirty"); });
    }
  }
  return count <= 1;
}

// mm/swapfile.c v3.9: swap_free
void swap_free(Kernel& k, std::uint32_t entry) {
  checker::announce(k.swap.obj, AccessKind::ReadModifyWrite, "swap_free");
  int& count = k.swap.swap_map[entry];
  if (count <= 0)
    checker::fail(checker::FailureKind::BugOn, "swap_free: slot " + std::to_string(entry) + " has no swap count");
  --count;
  checker::note([&] { return std::string("swap_map[" + std::to_string(entry) + "] -> " + std::to_string(count)); });
}

// mm/swapfile.c v3.9: swap_duplicate
void swap_duplicate(Kernel& k, std::uint32_t entry) {
  checker::announce(k.swap.obj, AccessKind::ReadModifyWrite, "swap_duplicate");
  int& count = ++k.swap.swap_map[entry];
  checker::note([&] { return std::string("swap_map[" + std::to_string(entry) + "] -> " + std::to_string(count)); });
}

// mm/vmscan.c v3.9: shrink_page_list -> __remove_mapping (one unmapped, clean swap-cache page)
bool reclaim_swapcache_page(Kernel& k, PageId page) {
  Page& p = k.pages.at(page);
  if (!p.lock->try_lock("shrink_page_list")) return false;  // someone holds it: keep
  // page_mapped(): try_to_unmap is not modelled; a mapped page is kept.
  // __remove_mapping: page_freeze_refs(page, 2) succeeds only when the
  // isolation and swap-cache references are all that is left (the model
  // keeps no isolation reference: the count must be the swap cache's 1).
  k.touch_page(page, "page_freeze_refs");
  const bool freeable = !p.page_mapped() && p.test(PG_swapcache) && p.refcount == 1 && !p.test(PG_dirty);
  if (!freeable) {
    checker::note([&] { return std::string("reclaim keeps " + p.name + " (mapcount " + std::to_string(p.mapcount) + ", refcount " +
                  std::to_string(p.refcount) + ")"); });
    p.lock->unlock("shrink_page_list");
    return false;
  }
  p.refcount = 0;  // frozen: get_page_unless_zero fails from here on
  checker::note([&] { return std::string(p.name + " refcount frozen at 0"); });
  k.swap.device[p.swap_entry] = p.content;  // a clean page: the device holds its data
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

}  // namespace model
