// swap_state.h: the swap side of the machine: swap counts of the swap slots
// (mm/swapfile.c swap_map) and the swap cache (mm/swap_state.c), plus the
// two operations on them the scenarios use: a swap-cache lookup and reclaim
// freeing a swap-cache page (mm/vmscan.c).
//
// The swap cache's radix tree is not kept separately: a page is in the swap
// cache for slot E iff it has PG_swapcache and page_private (swap_entry) == E,
// as __delete_from_swap_cache clears both together under the page lock.
// Invariants: swap_map[E] counts the ptes holding swap(E) (the swap cache's
// SWAP_HAS_CACHE is the page flag, not counted); a slot has at most one
// swap-cache page; `obj` is announced on every swap_map change and lookup.
#pragma once

#include <cstdint>
#include <map>

#include <checker/checker.h>

#include "model/pte.h"

namespace model {

class Kernel;

struct SwapState {
  std::map<std::uint32_t, int> swap_map;          ///< slot -> swap count (ptes holding it)
  checker::ObjectId obj = checker::kNoObject;     ///< "swapper_space": swap_map and the cache index
};

/// Count the swap ptes of the initial state into swap_map (from Kernel::create_objects()).
void init_swap_map(Kernel& k);
/// lookup_swap_cache(): the swap-cache page of slot `entry` with a reference, or kNoPage.
PageId lookup_swap_cache(Kernel& k, std::uint32_t entry);
/// swap_free(): drop one pte's swap count of slot `entry`.
void swap_free(Kernel& k, std::uint32_t entry);
/// swap_duplicate(): one more pte holds slot `entry` (fork).
void swap_duplicate(Kernel& k, std::uint32_t entry);
/// shrink_page_list() on one unmapped swap-cache page: trylock, __remove_mapping
/// (freeze the count at the swap cache's reference, __delete_from_swap_cache),
/// unlock, free. Returns true when the page was freed, false when it was busy
/// (locked, mapped, or referenced beyond the swap cache) and reclaim skipped it.
bool reclaim_swapcache_page(Kernel& k, PageId page);

}  // namespace model
