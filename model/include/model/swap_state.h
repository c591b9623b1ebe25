// swap_state.h: the swap side of the machine: swap counts of the swap slots
// (mm/swapfile.c swap_map) and the swap cache (mm/swap_state.c), plus the
// operations on them: the swap-cache lookup (find_get_page), page_swapcount,
// reuse_swap_page, delete_from_swap_cache, PG_writeback's readers, and
// reclaim of one page (mm/vmscan.c): an unmapped swap-cache page freed, or an
// anon page swapped out (add_to_swap, try_to_unmap, pageout) and then freed.
//
// The swap cache's radix tree is kept as its own map, `cache` (slot -> page),
// apart from the page flags: migrate_page_move_mapping points the slot at the
// new page while the old page still has PG_swapcache (until
// migrate_page_copy), and lookups follow the slot, as in the kernel.
// Invariants: swap_map[E] counts the ptes holding swap(E) (the swap cache's
// SWAP_HAS_CACHE is the page flag, not counted); cache[E] == P implies P has
// PG_swapcache and page_private (swap_entry) == E; outside a migration's
// handover window the converse holds too; `obj` ("swapper_space": the
// tree_lock, the radix tree and the swap map) is announced on every swap_map
// and cache change and every lookup.
#pragma once

#include <cstdint>
#include <map>

#include <checker/checker.h>

#include "model/pte.h"

namespace model {

class Kernel;

struct SwapState {
  std::map<std::uint32_t, int> swap_map;          ///< slot -> swap count (ptes holding it)
  std::map<std::uint32_t, PageId> cache;          ///< the radix tree: slot -> swap-cache page
  /// Ghost: the data token each slot holds on the swap device (what swap_readpage
  /// reads): the swap-cache page's at the start (the model's swap-cache pages start
  /// written back), then what pageout (or swapoff's swap_writepage) wrote; a slot not here
  /// holds 0x10000 + slot (swap_device_data).
  std::map<std::uint32_t, std::uint32_t> device;
  checker::ObjectId obj = checker::kNoObject;     ///< "swapper_space": swap_map and the cache index
  /// Its children: "swapper_space.page_tree" (the cache index: lookups, insertions,
  /// deletions, the migration handover) and "swap_map" (the counts: swap_free,
  /// swap_duplicate, page_swapcount, swapoff's scans). A step that reads or writes both
  /// (get_swap_page, swapcache_prepare with __add_to_swap_cache) is on `obj`.
  checker::ObjectId tree_obj = checker::kNoObject;
  checker::ObjectId map_obj = checker::kNoObject;
  /// v2.6.33's swap_lock (v3.9: the area's p->lock), as free_swap_and_cache holds it from
  /// swap_entry_free across find_get_page and trylock_page when the slot is left to the swap
  /// cache (SWAP_HAS_CACHE): the thread in that section, else kNoThread. Set by its swap_free
  /// step on map_obj, cleared by its spin_unlock (a Write of map_obj); while another thread
  /// holds it, every other swap_map step (swap_free, swap_duplicate, page_swapcount,
  /// get_swap_page, swapcache_prepare) waits, as they take the same lock (swap_map_step).
  /// v4.19 has no such section: try_to_free_swap rechecks page_swapped under the page lock.
  checker::ThreadId swap_lock_holder = checker::kNoThread;
  /// mm/swap_slots.c v4.19: swap_slot_cache_enabled, cleared by swapoff's
  /// disable_swap_slots_cache_lock (a write on map_obj) before try_to_unuse; read with
  /// __read_swap_cache_async's unused-slot check.
  bool slot_cache_enabled = true;
  /// The asynchronous swap writes in flight, by the reclaimer that submitted them:
  /// set with set_page_writeback (a write of the page's flags), erased by
  /// end_swap_bio_write's end_page_writeback. Its reclaimer's bio thread
  /// (swap_bio_completion) waits for its entry.
  std::map<checker::ThreadId, PageId> bios;
  /// SWP_WRITEOK of the one swap area (v2.6.33, v3.9): sys_swapoff clears it before
  /// try_to_unuse (reinsert_swap_info sets it again when try_to_unuse fails), and
  /// get_swap_page then finds no area to allocate from. A step of its own only when a
  /// scenario has both a swapoff and a reclaim (`writeok_tracked`).
  bool writeok = true;
  bool writeok_tracked = false;
  /// Ghost: a swapoff returned 0 (the swapoff_complete invariant then wants the area empty).
  bool swapoff_succeeded = false;
  /// v4.19: a successful sys_swapoff freed the area's swap_map and its swap address space
  /// (vfree(swap_map), exit_swap_address_space: swapper_spaces[type] = NULL), a Write of
  /// `obj`; do_swap_page's lookup_swap_cache reads swapper_spaces[type] (a Read of `obj`) and
  /// oopses after it. Steps only in a 4.19 scenario with a swapoff (`teardown_tracked`).
  bool address_space_freed = false;
  bool teardown_tracked = false;
  /// v4.19: unuse_pmd_range reads each pmd before its ptes (a step), which only a scenario
  /// with a THP beside a swapoff needs: without one every populated pmd is a table. Set for
  /// 4.19 scenarios only, so the shared walk (swapoff.cpp) needs no era test of its own.
  bool unuse_reads_pmds = false;
};

/// Count the swap ptes of the initial state into swap_map and enter the
/// PG_swapcache pages into `cache` (from Kernel::create_objects()).
void init_swap_map(Kernel& k);
/// The page in the swap cache's slot `entry`, or kNoPage (no announcement: a
/// helper for callers inside a step on `obj`, checks and tests).
PageId swap_cache_page(const Kernel& k, std::uint32_t entry);
/// lookup_swap_cache(): find_get_page on the swap cache: the slot's page with a
/// reference (get_page_unless_zero, recheck of the slot, retry), or kNoPage.
PageId lookup_swap_cache(Kernel& k, std::uint32_t entry);
/// read_swap_cache_async() (swapin_readahead of the one faulting slot): the slot's
/// swap-cache page with a reference; or a fresh page from node 0 added to the swap
/// cache locked and !Uptodate, read from the device (end_swap_bio_read: Uptodate,
/// the slot's data, unlocked) and returned with a reference; or kNoPage when no page
/// is free or the slot is no longer in use (swapcache_prepare's -ENOENT).
PageId read_swap_cache_async(Kernel& k, std::uint32_t entry);
/// The data token slot `entry` holds on the swap device (SwapState::device; 0x10000 + slot
/// for a slot never written).
std::uint32_t swap_device_data(const Kernel& k, std::uint32_t entry);
/// page_swapcount(): the swap count of a swap-cache page's slot.
int page_swapcount(Kernel& k, PageId page);
/// PageWriteback() for a path racing end_page_writeback: a read of the page's
/// flags, as a step only when Kernel::track_writeback (else false, no step).
bool page_writeback(Kernel& k, PageId page, const char* label);
/// wait_on_page_writeback(): sleep until PG_writeback is clear (no step unless
/// Kernel::track_writeback).
void wait_on_page_writeback(Kernel& k, PageId page, const char* label);
/// delete_from_swap_cache(): under the tree_lock take the page out of the swap
/// cache, then drop the swap cache's reference. Precondition: page locked.
void delete_from_swap_cache(Kernel& k, PageId page);
/// reuse_swap_page(): true when the page is ours alone (mapcount + swap count
/// <= 1); a swap-cache page that is ours alone leaves the swap cache and is
/// dirtied. Precondition: page locked.
bool reuse_swap_page(Kernel& k, PageId page);
/// swap_free(): drop one pte's swap count of slot `entry`.
void swap_free(Kernel& k, std::uint32_t entry);
/// free_swap_and_cache(): a zapped swap pte's slot freed (swap_free); when that was its
/// last swap count and the slot has a swap-cache page, the page is looked up (a
/// reference), trylocked, and deleted from the swap cache (SetPageDirty) when it is still
/// there, not under writeback and not mapped; then unlocked and released. May free the
/// page. Called under the zapping pte's ptl.
void free_swap_and_cache(Kernel& k, std::uint32_t entry);
/// swap_duplicate(): one more pte holds slot `entry` (fork, try_to_unmap_one).
void swap_duplicate(Kernel& k, std::uint32_t entry);
/// shrink_inactive_list() on one page: isolate_lru_page (the isolation reference;
/// not on the LRU: kept), then shrink_page_list: trylock; an unmapped clean swap-cache page
/// goes to __remove_mapping (freeze the isolation's and the swap cache's references,
/// __delete_from_swap_cache), unlock, free; a non-KSM anon page that is mapped,
/// dirty or not in the swap cache is swapped out first (add_to_swap,
/// try_to_unmap to swap ptes, pageout: PG_writeback, the device write as the
/// next step, end_page_writeback, trylock again). Returns true when the page
/// was freed, false when reclaim kept it (not on the LRU, locked, under writeback, a
/// mapped KSM page, referenced beyond the swap cache, remapped meanwhile): put back.
/// SwapWrite::Async: pageout submits the write and goes on; the write completes on
/// another CPU (swap_bio_completion, the reclaimer's bio thread) at any point after
/// that: before shrink_page_list looks at PageWriteback again (the page is then
/// reclaimed as after a synchronous write) or after (PageWriteback: keep; the page is
/// put back on the LRU under writeback).
enum class SwapWrite { Sync, Async };
bool reclaim_swapcache_page(Kernel& k, PageId page, SwapWrite write = SwapWrite::Sync);
/// end_swap_bio_write(): the swap write of `page` (under writeback) completes.
void end_swap_bio_write(Kernel& k, PageId page);
/// The body of an asynchronous reclaimer's bio thread: waits (an idle wait: an
/// execution may end with it waiting, when the reclaimer submitted nothing) until
/// `reclaimer`'s write of `page` is in flight, then completes it (end_swap_bio_write).
void swap_bio_completion(Kernel& k, checker::ThreadId reclaimer, PageId page);

}  // namespace model
