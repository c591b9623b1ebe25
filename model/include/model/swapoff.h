// swapoff.h: swapoff's walk of the swap area (mm/swapfile.c v3.9 try_to_unuse
// -> unuse_mm -> unuse_vma -> unuse_pte_range -> unuse_pte), the `swapoff` actor.
//
// The model has one swap area; its slots are the keys of SwapState::swap_map.
// Invariant: every swap pte unuse_pte replaces is rechecked under the ptl
// against swp_entry_to_pte(entry) (pte_same), and the swap-cache page stays
// locked from try_to_unuse's lock_page to its unlock_page, except while
// unuse_mm waits for an mmap_sem its down_read_trylock did not get.
// Lock order: swap-cache page lock -> mmap_sem (trylock; else page unlocked
// first) -> ptl; ksm_might_need_to_copy's copy is locked inside the ptl-free part.
#pragma once

#include <cstdint>

#include "model/kernel.h"

namespace model {

/// unuse_pte(): map `page` (or KSM's copy of it) at addr of vma in place of
/// the swap pte of `entry`. Precondition: page locked and referenced, mmap_sem
/// held for read. Returns 1 when the pte was replaced, 0 when it had changed,
/// -ENOMEM when the copy could not be allocated.
int unuse_pte(Kernel& k, std::uint32_t vma, std::uint64_t addr, std::uint32_t entry, PageId page);

/// try_to_unuse(): for every slot in use, take its swap-cache page (a slot
/// without one needs the swap read: a model limit), lock it, replace every
/// swap pte of the slot in every live mm, delete it from the swap cache.
/// Returns 0 or a negative errno (-ENOMEM).
int try_to_unuse(Kernel& k);

/// sys_swapoff() of the one area (v2.6.33, v3.9): SWP_WRITEOK cleared under the
/// swap_lock (a step when SwapState::writeok_tracked), try_to_unuse, and on its failure
/// reinsert_swap_info (SWP_WRITEOK again). Returns try_to_unuse's result.
int sys_swapoff(Kernel& k);

/// sys_swapoff's `p->flags &= ~SWP_WRITEOK` under the swap_lock (4.19: with
/// del_from_avail_list), a Write of `swapper_space` noted `note`; nothing unless
/// SwapState::writeok_tracked. Shared by the eras' sys_swapoff.
void clear_swp_writeok(Kernel& k, const char* note);
/// reinsert_swap_info(): SWP_WRITEOK again after try_to_unuse failed (when tracked).
void reinsert_swap_info(Kernel& k);

}  // namespace model
