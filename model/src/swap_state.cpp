// swap_state.cpp: swap counts, swap-cache lookup and reclaim of a swap-cache
// page (mm/swapfile.c, mm/swap_state.c, mm/vmscan.c v3.9).
// Invariant: the swap cache of a slot changes only under its page's lock.
#include "model/swap_state.h"

#include "model/kernel.h"

namespace model {

using checker::AccessKind;

void init_swap_map(Kernel& k) {
  k.swap.swap_map.clear();
  for (const MmStruct& m : k.mms)
    for (const auto& [addr, slot] : m.ptes)
      if (slot.pte.is_swap()) ++k.swap.swap_map[slot.pte.entry];
}

// mm/swap_state.c v3.9: lookup_swap_cache (find_get_page on swapper_space)
PageId lookup_swap_cache(Kernel& k, std::uint32_t entry) {
  checker::announce(k.swap.obj, AccessKind::Read, "lookup_swap_cache");
  for (std::size_t i = 0; i < k.pages.size(); ++i) {
    const Page& p = k.pages[i];
    if (p.freed || p.in_free_pool || !p.test(PG_swapcache) || p.swap_entry != entry) continue;
    // page_cache_get_speculative(): the count is not zero while the page is cached.
    k.get_page(static_cast<PageId>(i), "lookup_swap_cache");
    return static_cast<PageId>(i);
  }
  checker::note("swap cache has no page for slot " + std::to_string(entry));
  return kNoPage;
}

// mm/swapfile.c v3.9: swap_free
void swap_free(Kernel& k, std::uint32_t entry) {
  checker::announce(k.swap.obj, AccessKind::ReadModifyWrite, "swap_free");
  int& count = k.swap.swap_map[entry];
  if (count <= 0)
    checker::fail(checker::FailureKind::BugOn, "swap_free: slot " + std::to_string(entry) + " has no swap count");
  --count;
  checker::note("swap_map[" + std::to_string(entry) + "] -> " + std::to_string(count));
}

// mm/swapfile.c v3.9: swap_duplicate
void swap_duplicate(Kernel& k, std::uint32_t entry) {
  checker::announce(k.swap.obj, AccessKind::ReadModifyWrite, "swap_duplicate");
  int& count = ++k.swap.swap_map[entry];
  checker::note("swap_map[" + std::to_string(entry) + "] -> " + std::to_string(count));
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
    checker::note("reclaim keeps " + p.name + " (mapcount " + std::to_string(p.mapcount) + ", refcount " +
                  std::to_string(p.refcount) + ")");
    p.lock->unlock("shrink_page_list");
    return false;
  }
  p.refcount = 0;  // frozen: get_page_unless_zero fails from here on
  checker::note(p.name + " refcount frozen at 0");
  // __delete_from_swap_cache: ClearPageSwapCache, set_page_private(0), radix delete.
  checker::announce(k.swap.obj, AccessKind::ReadModifyWrite, "__delete_from_swap_cache");
  k.touch_page(page, "__delete_from_swap_cache");
  p.flags &= ~static_cast<std::uint32_t>(PG_swapcache);
  std::uint32_t entry = p.swap_entry;
  p.swap_entry = 0;
  checker::note(p.name + " deleted from the swap cache (slot " + std::to_string(entry) + ")");
  p.lock->unlock("shrink_page_list");  // __clear_page_locked
  // free_hot_cold_page_list -> free_pages_prepare: an anon page's mapping is reset at the free.
  k.touch_page(page, "free_pages_prepare");
  p.mapping = Mapping{};
  p.flags = 0;
  p.freed = true;
  checker::note(p.name + " freed");
  return true;
}

}  // namespace model
