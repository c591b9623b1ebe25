// rmap.h: reverse mapping (mm/rmap.c): unmapping a page for migration and
// walking its mappings.
//
// Preconditions: the page is locked by the caller (try_to_unmap, rmap_walk
// BUG/VM_BUG on it otherwise).
#pragma once

#include <cstdint>
#include <functional>

#include "model/kernel.h"

namespace model {

/// try_to_unmap() results.
enum SwapResult : int { SWAP_SUCCESS = 0, SWAP_AGAIN = 1, SWAP_FAIL = 2, SWAP_MLOCK = 3 };

/// try_to_unmap() flags (TTU_MIGRATION is the only action modelled).
enum TtuFlags : unsigned { TTU_MIGRATION = 2, TTU_IGNORE_MLOCK = 0x100, TTU_IGNORE_ACCESS = 0x200 };

/// The per-mapping callback of rmap_walk(): (page, vma, address) -> SWAP_*.
using RmapOne = std::function<int(PageId, std::uint32_t, std::uint64_t)>;

/// try_to_unmap(): replace every pte mapping page (migration entries for TTU_MIGRATION).
int try_to_unmap(Kernel& k, PageId page, unsigned flags);
/// try_to_unmap_one(): unmap page at one (vma, address), under that mm's ptl.
int try_to_unmap_one(Kernel& k, PageId page, std::uint32_t vma, std::uint64_t addr, unsigned flags);
/// rmap_walk(): call rmap_one for every place page may be mapped.
int rmap_walk(Kernel& k, PageId page, const RmapOne& rmap_one);

}  // namespace model
