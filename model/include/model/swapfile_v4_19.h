// swapfile_v4_19.h: kernel 4.19's swap-out and swapoff entry points and their
// load-time limits (mm/vmscan.c, mm/swapfile.c v4.19): the `reclaim` and
// `swapoff` actors of era 4.19. The paths themselves are the shared ones
// (swap_state.cpp's shrink_page_list, swapoff.cpp's try_to_unuse) with 4.19's
// try_to_unmap (rmap_v4_19.cpp) and the table's own ptl.
//
// Invariant: a 4.19 scenario that reaches these paths has no THP (compound
// page) reclaim would need split_huge_page_to_list for, so no THP is ever in
// the swap cache; swapoff skips a huge pmd as unuse_pmd_range does. A reclaim
// beside a swapoff allocates no slot once swapoff cleared SWP_WRITEOK.
#pragma once

#include <cstdint>
#include <string>

#include "model/kernel.h"

namespace model::v4_19 {

/// Actor swapoff (4.19): sys_swapoff's del_from_avail_list and SWP_WRITEOK clear (a
/// step when a reclaim is in the scenario), disable_swap_slots_cache_lock, then
/// try_to_unuse; SWP_WRITEOK (reinsert_swap_info) and the slot cache
/// (reenable_swap_slots_cache_unlock) come back only when try_to_unuse fails.
/// Returns try_to_unuse's result.
int swapoff(Kernel& k);

/// mm/swap_state.c v4.19: swap_address_space(entry) as lookup_swap_cache and free_swap_and_cache
/// read it (a step only in a 4.19 scenario with a swapoff); after a successful swapoff freed it,
/// the oops (a BUG_ON failure): the swapoff races eb085574a752 (v5.1, the fault's) and
/// 82b1c07a0af6 (v6.9, the zap's) fixed.
/// `holder`: how the caller came to hold the entry, for the oops message ("this fault held ...").
void swap_address_space(Kernel& k, std::uint32_t entry, const char* label, const char* holder);

/// Why a 4.19 reclaim of `page` is not modelled ("" when it is): a THP, which
/// shrink_page_list splits (split_huge_page_to_list) before add_to_swap.
std::string reclaim_model_error(const Kernel& k, PageId page);

/// mm/swapfile.c v4.19: unuse_pmd_range's pmd_none_or_trans_huge_or_clear_bad, a lockless
/// read of the pmd covering (mm, addr) (a step only when a THP is in the scenario:
/// SwapState::unuse_reads_pmds; without one every populated pmd is a table). True when
/// swapoff skips it: none, a huge pmd (a THP or the huge zero page) or a pmd migration entry.
bool unuse_pmd_range_skips(Kernel& k, std::uint32_t mm, std::uint64_t addr);

}  // namespace model::v4_19
