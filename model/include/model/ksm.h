// ksm.h: the paths of mm/ksm.c the scenarios run: the `run` sysfs store with
// its unmerge of everything, break_ksm, the stable-node helpers, and KSM's
// rmap walks used by migration.
//
// Lock order (as in mm/ksm.c): ksm_thread_mutex -> mmap_sem -> page lock ->
// anon_vma lock -> ptl; ksm_mmlist_lock is innermost and never held across a sleep.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/kernel.h"
#include "model/rmap.h"

namespace model {

/// run_store(): write `value` to /sys/kernel/mm/ksm/run. Returns 0 or -errno.
long run_store(Kernel& k, unsigned value);
/// unmerge_and_remove_all_rmap_items(): break every KSM page of every mm on
/// the mm_slot list, drop all rmap_items and (with cbf86cfe04a6) all stable nodes.
/// Precondition: ksm_thread_mutex held.
int unmerge_and_remove_all_rmap_items(Kernel& k);
/// madvise(MADV_UNMERGEABLE) on [start, end) of mm: mmap_sem for write,
/// ksm_madvise on the vma containing start. Returns 0 or -errno.
int madvise_unmergeable(Kernel& k, std::uint32_t mm, std::uint64_t start, std::uint64_t end);
/// unmerge_ksm_pages(): break_ksm on every page of [start, end) in vma.
int unmerge_ksm_pages(Kernel& k, std::uint32_t vma, std::uint64_t start, std::uint64_t end);
/// break_ksm(): COW-break the KSM page at addr, if any. Returns 0 or -ENOMEM.
int break_ksm(Kernel& k, std::uint32_t vma, std::uint64_t addr);
/// remove_trailing_rmap_items(): free every rmap_item on the mm_slot's rmap_list.
void remove_trailing_rmap_items(Kernel& k, std::size_t slot);
/// remove_rmap_item_from_tree(): unlink a stable rmap_item from its node, or an unstable one from its tree.
void remove_rmap_item_from_tree(Kernel& k, std::uint32_t rmap_item);
/// remove_rmap_item_from_tree()'s UNSTABLE_FLAG branch (both eras): rb_erase when inserted by this
/// scan (BUG_ON(age > 1)), ksm_pages_unshared--.
void remove_rmap_item_from_unstable_tree(Kernel& k, std::uint32_t rmap_item);
/// get_ksm_page(): the node's page with a reference (and locked if lock_it),
/// or kNoPage after removing the node as stale.
PageId get_ksm_page(Kernel& k, std::uint32_t node, bool lock_it);
/// get_kpfn_nid(): the stable tree a page of pfn kpfn belongs in under the current merge_across_nodes.
int get_kpfn_nid(const Kernel& k, PageId kpfn);
/// remove_node_from_stable_tree(): drop the node, its rmap_items' counts and links.
void remove_node_from_stable_tree(Kernel& k, std::uint32_t node);
/// remove_stable_node(): 0, or -EBUSY (after the WARN) when its page is still mapped.
int remove_stable_node(Kernel& k, std::uint32_t node);
/// remove_all_stable_nodes(): remove_stable_node on every tree and migrate_nodes.
int remove_all_stable_nodes(Kernel& k);
/// try_to_unmap_ksm(): try_to_unmap_one at every rmap_item of the page's node.
int try_to_unmap_ksm(Kernel& k, PageId page, unsigned flags);
/// rmap_walk_ksm(): rmap_one at every rmap_item location of the page's node.
int rmap_walk_ksm(Kernel& k, PageId page, const RmapOne& rmap_one);
/// ksm_migrate_page(): point the stable node at newpage (kpfn) once copied.
void ksm_migrate_page(Kernel& k, PageId newpage, PageId oldpage);

/// ksm_test_exit(): mm_users == 0 (the mm is exiting); a Read step on
/// "A.mm_users" in v3.9 exit scenarios (Kernel::track_mm_users).
bool ksm_test_exit(const Kernel& k, std::uint32_t mm);
/// 7496fea9a6bf (v4.13) is in this kernel: ksmd's and the run=2 unmerge's walks drop an mm's
/// mmap_sem before ksm_mmlist_lock (4.19; 3.9 unless reverted; never 2.6.33).
bool ksm_up_read_first(const Kernel& k);
/// Without it: the KASAN check of `function`'s up_read(&mm->mmap_sem) after the spin_unlock,
/// where an exit may have freed the mm meanwhile.
void kasan_mm_up_read_after_unlock(const Kernel& k, std::uint32_t mm, const char* function);
/// ksm_exit() -> __ksm_exit() (v3.9): free the mm_slot at once when easy, or
/// take and drop mmap_sem for write to wait out a KSM walker of the mm.
void ksm_exit(Kernel& k, std::uint32_t mm);

inline constexpr int kEINVAL = 22, kENOMEM = 12, kEBUSY = 16, kEAGAIN = 11;
/// mm/ksm.c v4.19: ksm_max_page_sharing's default (the sysfs knob is not modelled).
inline constexpr std::size_t kKsmMaxPageSharing = 256;

struct ActorCall;

namespace v4_19 {
/// A thread of KSM's in kernel 4.19 (ksmd, ksm_run_store, madvise_unmergeable).
bool is_ksm_actor(const std::string& actor);
/// Why a kernel 4.19 scenario with KSM (a ksmd, ksm_run_store or madvise_unmergeable thread)
/// would reach a KSM path the model does not have (stable_node chains, max_page_sharing, THP
/// split, swap, migrate_nodes), or "" when it is modelled.
/// culprit: the thread at fault, or calls.size() for the initial state.
/// Scenario validation refuses the former as unsupported.
std::string ksm_model_error(const Kernel& k, const std::vector<ActorCall>& calls, std::size_t& culprit);
}  // namespace v4_19

}  // namespace model
