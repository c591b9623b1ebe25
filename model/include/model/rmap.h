// rmap.h: reverse mapping (mm/rmap.c): unmapping a page for migration and
// walking its mappings.
//
// Preconditions: the page is locked by the caller (try_to_unmap, rmap_walk
// BUG/VM_BUG on it otherwise).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "model/kernel.h"

namespace model {

/// try_to_unmap() results.
enum SwapResult : int { SWAP_SUCCESS = 0, SWAP_AGAIN = 1, SWAP_FAIL = 2, SWAP_MLOCK = 3 };

/// try_to_unmap() flags: the actions TTU_UNMAP (reclaim's swap-out: a swap-cache
/// page's ptes become swap ptes) and TTU_MIGRATION.
enum TtuFlags : unsigned { TTU_UNMAP = 0, TTU_MIGRATION = 2, TTU_IGNORE_MLOCK = 0x100, TTU_IGNORE_ACCESS = 0x200 };

/// The per-mapping callback of rmap_walk(): (page, vma, address) -> SWAP_*.
using RmapOne = std::function<int(PageId, std::uint32_t, std::uint64_t)>;

/// try_to_unmap(): replace every pte mapping page (migration entries for TTU_MIGRATION).
int try_to_unmap(Kernel& k, PageId page, unsigned flags);
/// try_to_unmap_one(): unmap page at one (vma, address), under that mm's ptl.
int try_to_unmap_one(Kernel& k, PageId page, std::uint32_t vma, std::uint64_t addr, unsigned flags);
/// page_referenced_one under mm's ptl: when the pte maps `page`, --mapcount and, when the pte is
/// young, ptep_clear_flush_young; returns whether it was young (a reference).
bool page_referenced_one(Kernel& k, PageId page, std::uint32_t mm, std::uint64_t addr, int& mapcount);
/// rmap_walk(): call rmap_one for every place page may be mapped.
int rmap_walk(Kernel& k, PageId page, const RmapOne& rmap_one);
/// put_anon_vma() (v3.9): drop one counted reference (AnonVma::refcount); the
/// anon_vma is freed (poisoned) when none is left and no vma is chained to it.
void put_anon_vma(Kernel& k, std::uint32_t av, const char* where);
/// vma->anon_vma_chain, newest first: the vma's own anon_vma, then those anon_vma_fork
/// or anon_vma_clone chained it to, in index order (derived from the anon_vmas' lists).
std::vector<std::uint32_t> anon_vma_chain(const Kernel& k, std::uint32_t vma);
/// unlink_anon_vmas() (v3.9, exit and munmap): the vma leaves every anon_vma it is
/// chained to under the root's rwsem; one left with no vma and no reference is freed.
void unlink_anon_vmas(Kernel& k, std::uint32_t vma);

/// No anon_vma (page_get_anon_vma's NULL).
inline constexpr std::uint32_t kNoAnonVma = 0xffffffffu;
/// page_get_anon_vma() (v3.9): the anon_vma of a mapped anon page with a reference
/// taken (AnonVma::refcount), or kNoAnonVma; the caller drops it with put_anon_vma_step.
std::uint32_t page_get_anon_vma(Kernel& k, PageId page);
/// put_anon_vma() as a step on the anon_vma (the reference page_get_anon_vma took).
void put_anon_vma_step(Kernel& k, std::uint32_t av, const char* where);
/// try_to_unmap_anon() (v3.9): try_to_unmap_one on every vma of the page's anon_vma.
int try_to_unmap_anon(Kernel& k, PageId page, unsigned flags);
/// rmap_walk_anon() (v3.9): rmap_one on every vma of the page's anon_vma, its root read-locked.
int rmap_walk_anon(Kernel& k, PageId page, const RmapOne& rmap_one);
/// page_lock_anon_vma_read() (v3.9, v4.19): the page's anon_vma with its root read-locked,
/// or kNoAnonVma when the page is not (or no longer, rechecked under the lock) mapped.
std::uint32_t page_lock_anon_vma_read(Kernel& k, PageId page);
/// page_unlock_anon_vma_read(): the root's rwsem released.
void page_unlock_anon_vma_read(Kernel& k, std::uint32_t av);

}  // namespace model
