// v2_6_33.h: the kernel functions whose v2.6.33 form differs from the v3.9
// base by more than a line (model/FIDELITY.md, "How the eras live in one
// model"). Each is defined in the file named after its kernel source, beside
// its v3.9 form, in namespace model::v2_6_33; this header gathers their
// declarations by kernel file.
//
// 2.6.33 differences that shape them: one stable tree; stable_node->page (a
// struct page pointer) before 62b61f611eb5, ->kpfn after it (the model keeps
// a PageId either way and names the field as the era does); get_ksm_page takes
// no page lock and has no kpfn re-read; anon_vma->lock is a spinlock of the
// anon_vma itself (no root; the model takes the RwSem's write side);
// migrate_pages has the `offlining` argument; memory hot-remove offlines
// memory sections. Lock order: ksm_thread_mutex -> mmap_sem -> page lock ->
// anon_vma lock -> ptl.
#pragma once

#include <cstdint>
#include <vector>

#include "model/kernel.h"
#include "model/rmap.h"

namespace model::v2_6_33 {

// ---- mm/ksm.c v2.6.33 (ksm.cpp, ksmd.cpp) ----
/// "page" before 62b61f611eb5 (stable_node->page), "kpfn" after it.
const char* stable_node_key(const Kernel& k);
/// get_ksm_page(): the node's page with a reference, or kNoPage after
/// removing the node as stale. No lock, no kpfn re-read. Precondition: ksm_thread_mutex.
PageId get_ksm_page(Kernel& k, std::uint32_t node);
/// remove_node_from_stable_tree(): counters, drop_anon_vma per rmap_item, rb_erase, free.
void remove_node_from_stable_tree(Kernel& k, std::uint32_t node);
/// remove_rmap_item_from_tree(): get_ksm_page, lock_page, hlist_del (G3 asserted), unlock.
void remove_rmap_item_from_tree(Kernel& k, std::uint32_t item);
/// drop_anon_vma(): the rmap_item's ksm_refcount on its anon_vma; frees an unused anon_vma.
void drop_anon_vma(Kernel& k, std::uint32_t av);
/// try_to_unmap_ksm(), rmap_walk_ksm(), page_referenced_ksm(): the stable node's
/// rmap_items, each under its own anon_vma's spinlock, two passes (search_new_forks).
int try_to_unmap_ksm(Kernel& k, PageId page, unsigned flags);
int rmap_walk_ksm(Kernel& k, PageId page, const RmapOne& rmap_one);
int page_referenced_ksm(Kernel& k, PageId page);
/// ksm_migrate_page(): stable_node->page (kpfn) = newpage (e9995ef978a7/2).
void ksm_migrate_page(Kernel& k, PageId newpage, PageId oldpage);
/// ksm_memory_callback(): MEM_GOING_OFFLINE / MEM_OFFLINE / MEM_CANCEL_OFFLINE (62b61f611eb5).
enum MemAction { MEM_GOING_OFFLINE, MEM_OFFLINE, MEM_CANCEL_OFFLINE };
void ksm_memory_callback(Kernel& k, MemAction action, const MemorySection& section);
/// The ksmd thread: `batches` times, wait for run=1 and ksm_do_scan(pages) under
/// ksm_thread_mutex (a batch ends at the end of a full scan; a later full scan resets
/// the unstable tree, the first keeps the initial state's).
void ksmd_scan(Kernel& k, int pages, int batches = 1);

/// (swapin.cpp) ksm_might_need_to_copy() (include/linux/ksm.h) -> ksm_does_need_to_copy(): `page` itself
/// (KSM, or of this vma's anon_vma and index), or a fresh locked copy after unlocking and
/// releasing `page`, or kNoPage (page released). Precondition: page locked and referenced.
PageId ksm_might_need_to_copy(Kernel& k, PageId page, std::uint32_t vma, std::uint64_t addr);

// ---- mm/rmap.c v2.6.33 (rmap.cpp) ----
/// try_to_unmap(): KSM -> try_to_unmap_ksm, anon -> try_to_unmap_anon.
int try_to_unmap(Kernel& k, PageId page, unsigned flags);
/// rmap_walk() (e9995ef978a7): KSM -> rmap_walk_ksm, anon -> rmap_walk_anon.
int rmap_walk(Kernel& k, PageId page, const RmapOne& rmap_one);
/// rmap_walk_anon() / pre-e9995ef978a7 remove_anon_migration_ptes(): the vmas of
/// page->mapping taken as an anon_vma (a KSM page's stable node is not one).
int rmap_walk_anon(Kernel& k, PageId page, const RmapOne& rmap_one);
/// page_referenced() of a KSM page (reclaim): trylock, page_referenced_ksm, unlock.
int page_referenced(Kernel& k, PageId page);
/// The reclaim walker: isolate page from the LRU, page_referenced, putback (mm/vmscan.c).
int reclaim_page_referenced(Kernel& k, PageId page);

// ---- mm/migrate.c v2.6.33 (migrate.cpp) ----
/// migrate_pages(list, get_new_page, private, offlining): up to `passes` passes.
/// Returns the number of pages not migrated. Pages are isolated by the caller.
int migrate_pages(Kernel& k, const std::vector<PageId>& list, int to_node, int offlining, int passes);
/// unmap_and_move() with the PageKsm refusal after lock_page (62b61f611eb5/2).
int unmap_and_move(Kernel& k, PageId page, int to_node, bool force, int offlining);
/// move_to_new_page() (migrate_page_copy calls ksm_migrate_page, clears page->mapping).
int move_to_new_page(Kernel& k, PageId newpage, PageId page);
/// remove_migration_ptes(): rmap_walk (e9995ef978a7/1) or the 2.6.32 anon/file dispatch.
void remove_migration_ptes(Kernel& k, PageId old, PageId newpage);
/// isolate_lru_page() (mm/vmscan.c v2.6.33): 0 or -EBUSY.
int isolate_lru_page(Kernel& k, PageId page);
void putback_lru_page(Kernel& k, PageId page);

// ---- mm/mempolicy.c v2.6.33 (mempolicy.cpp) ----
/// do_mbind(MPOL_MF_MOVE[_ALL]) of [start, end) of mm to node to_node.
long do_mbind(Kernel& k, std::uint32_t mm, std::uint64_t start, std::uint64_t end, int to_node, bool move_all,
              int passes);

// ---- mm/memory_hotplug.c v2.6.33 (memory_hotplug.cpp) ----
/// offline_pages() of one section; `rounds` bounds the repeat loop (the kernel's timeout).
long offline_pages(Kernel& k, std::size_t section, int to_node, int rounds, int passes);

// ---- kernel/fork.c v2.6.33 (fork.cpp) ----
/// dup_mmap(): ksm_fork, the child's vmas linked to the parent's anon_vmas, ptes copied
/// (a migration entry too). The child is declared empty, as for the v3.9 fork actor.
int dup_mmap(Kernel& k, std::uint32_t child, std::uint32_t parent);

// ---- mm/memory.c, mm/mmap.c v2.6.33 (memory.cpp): the tasks ----
/// munmap of the vma containing addr: zap its ptes, unlink it from its anon_vma.
void munmap(Kernel& k, std::uint32_t mm, std::uint64_t addr);
/// do_munmap of the vma containing addr, mmap_sem held for write (munmap, mremap's move_vma).
void do_munmap(Kernel& k, std::uint32_t mm, std::uint64_t addr);
/// zap_page_range() of [start, end) in one vma (madvise(MADV_DONTNEED); the caller
/// holds mmap_sem for read): the ptes cleared and their pages' rmap dropped under the ptl,
/// the pages batched in an mmu_gather and their references released at tlb_finish_mmu.
void zap_page_range(Kernel& k, std::uint32_t vma, std::uint64_t start, std::uint64_t end);
/// mmput of the last user: mm_users = 0, ksm_exit (__ksm_exit, the same code as v3.9's),
/// then exit_mmap without mmap_sem: every vma unmapped as by munmap.
void mmput(Kernel& k, std::uint32_t mm);

}  // namespace model::v2_6_33
