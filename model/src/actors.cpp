// actors.cpp: the scenario actors (ksm_run_store, madvise_unmergeable, migrate_pages; fork,
// swapin_fault, reclaim, ksmd, admin for seed 003; offline_pages, mbind, fault, munmap,
// exit, page_referenced and the 2.6.33 ksmd for seeds 001/002; swapoff; mremap; store; get_user_pages, get_user_pages_fast;
// munmap, madvise_dontneed, exit, reclaim, swapoff, ksmd, ksm_run_store and madvise_unmergeable
// of kernel 4.19 too), with their
// argument checks.
// Invariant: argument errors name the JSON pointer of the argument.
#include "model/actors.h"

#include <algorithm>

#include "json_input.h"
#include "model/ksm.h"
#include "model/madvise.h"
#include "model/fork.h"
#include "model/gup.h"
#include "model/gup_fast.h"
#include "model/ksmd.h"
#include "model/memory.h"
#include "model/migrate.h"
#include "model/migrate_v4_19.h"
#include "model/mmap.h"
#include "model/mmap_v4_19.h"
#include "model/mremap.h"
#include "model/path_stats.h"
#include "model/swapin.h"
#include "model/swapoff.h"
#include "model/swapfile_v4_19.h"
#include "model/user_access.h"
#include "model/v2_6_33.h"

namespace model {

const std::vector<ActorInfo>& actor_catalogue() {
  static const std::vector<ActorInfo> all = {
      {"ksm_run_store",
       "write /sys/kernel/mm/ksm/run (run_store); args {\"value\": 0|1|2}; 2 unmerges every KSM page (4.19: "
       "break_ksm faults through 4.19's handle_mm_fault; remove_stable_node of a still-mapped page is -EBUSY; "
       "2.6.33: break_ksm without FOLL_MIGRATION, 2.6.33's remove_rmap_item_from_tree, no stable-node sweep)",
       kEra2_6_33 | kEra3_9 | kEra4_19},
      {"madvise_unmergeable",
       "madvise(MADV_UNMERGEABLE) on one vma's range (ksm_madvise -> unmerge_ksm_pages, mmap_sem for write); "
       "args {\"mm\": NAME, \"start\": ADDR, \"end\": ADDR}",
       kEra2_6_33 | kEra3_9 | kEra4_19},
      {"madvise_dontneed",
       "madvise(MADV_DONTNEED) of a range of one vma (sys_madvise under mmap_sem for read -> madvise_dontneed "
       "-> zap_page_range: zap_pte_range under the ptl clears each pte, page_remove_rmap, the page references "
       "released (3.9: batched, tlb_finish_mmu), swap entries freed; the vma and its anon_vma stay); args "
       "{\"mm\": NAME, \"start\": ADDR, \"end\": ADDR}; no_lost_write reads a none pte or the zero page in the "
       "range as the zero fill it leaves; 4.19: madvise_dontneed_free -> zap_page_range with the mmu notifier "
       "around zap_pmd_range (a huge pmd wholly in the range: zap_huge_pmd under the pmd lock, a THP's compound "
       "mapcount dropped, a pmd migration entry cleared; a table: zap_pte_range under its own ptl), the range "
       "must cover huge pmds whole (no __split_huge_pmd)",
       kEra2_6_33 | kEra3_9 | kEra4_19},
      {"migrate_pages",
       "migrate one page (isolate_lru_page, migrate_pages) to a free page of a node, compaction-style "
       "(no mmap_sem); in 3.9 a KSM page (rmap_walk_ksm) or a plain anon page (page_get_anon_vma, "
       "try_to_unmap_anon, rmap_walk_anon); args {\"page\": NAME, \"to_node\": N, \"passes\": 1..10 (default 1): "
       "migrate_pages' retry loop, the fourth and later passes forced (pass > 2: lock_page, wait_on_page_writeback); "
       "each pass allocates its own target (a failed pass frees it, and the model never reuses a freed page: declare "
       "one free page per pass that may run)}; in 4.19 an anon "
       "page or a pmd-mapped THP (to a free THP of the same size), with pte/pmd migration entries and the mmu "
       "notifier around the unmap, or a KSM page (rmap_walk_ksm, ksm_migrate_page)",
       kEra3_9 | kEra4_19},
      {"fork",
       "fork(): dup_mmap of mm into an empty child declared with the same vmas and none ptes (ksm_fork -> "
       "__ksm_enter, copy_page_range; 2.6.33: anon_vma_link puts the child's vma on the parent's anon_vma, a "
       "migration entry is copied); args {\"mm\": PARENT, \"child\": CHILD}; in 4.19 no KSM, "
       "mmu_notifier_invalidate_range_start/end around a COW vma's copy_page_range, copy_huge_pmd under both "
       "pmd locks for a huge pmd or pmd migration entry (declare the child's pmd there none, a table where the "
       "parent has one)",
       kEra2_6_33 | kEra3_9 | kEra4_19},
      {"swapin_fault",
       "a read fault on a swap pte (handle_mm_fault -> do_swap_page -> ksm_might_need_to_copy); args {\"mm\": "
       "NAME, \"address\": ADDR, \"after_unmerge_store\": bool (default false: start at once; true: start once "
       "ksm_run has KSM_RUN_UNMERGE), \"swap_read\": \"choose\" (optional: the pending read of the slot's "
       "!Uptodate swap-cache page completes first, ok or I/O error as a value choice)}",
       kEra3_9},
      {"reclaim",
       "shrink_page_list on one page: trylock_page; an unmapped clean swap-cache page is frozen, deleted from "
       "the swap cache and freed; an anon page (KSM too) is swapped out first (add_to_swap to the smallest free "
       "slot, try_to_unmap (try_to_unmap_ksm for a KSM page): every pte a swap pte, pageout: PG_writeback, the device write as the next step, "
       "end_page_writeback, trylock_page again, __remove_mapping); kept when busy (locked, under writeback, "
       "referenced or remapped); args {\"page\": NAME (a swap-cache page or an anon page), \"writeback\": "
       "\"sync\" (the default: the write completes before shrink_page_list looks again, and the page is freed) "
       "| \"async\" (submit_bio and go on: the write completes on a thread of its own, named R.bio for reclaimer R, "
       "whenever the device is done: end_swap_bio_write before shrink_page_list looks at PageWriteback again lets "
       "the page be freed as after a synchronous write, after it PageWriteback keeps the page and it is put back "
       "on the LRU under writeback)}; 2.6.33: the same "
       "shrink_page_list with 2.6.33's try_to_unmap (try_to_unmap_ksm over each rmap_item's anon_vma, "
       "try_to_unmap_anon), page_referenced not modelled (taken as unreferenced); 4.19: the same order, "
       "try_to_unmap_one's swap branch under the table's ptl inside the mmu notifier's invalidate_range_start/end, "
       "ptep_clear_flush, swap_duplicate; a THP is refused (split_huge_page_to_list is not modelled), and so is a "
       "migrate_pages of the same page",
       kEra2_6_33 | kEra3_9 | kEra4_19},
      {"ksmd",
       "ksmd: sleep until ksmd_should_run (run=1; a run that ends with ksmd asleep is a normal end), then one ksm_do_scan of up to `pages` pages under ksm_thread_mutex, "
       "`batches` times "
       "(2.6.33: its own get_ksm_page, remove_rmap_item_from_tree); a page not in the stable tree passes the "
       "checksum gate on its second visit, then unstable_tree_search_insert, try_to_merge_two_pages, "
       "stable_tree_insert (from an \"unused\" stable node); args {\"pages\": 1..16, \"batches\": 1..8 (default 1; "
       "rounds of ksm_scan_thread's loop, each ending at the end of a full scan, so merging two new pages takes 2; "
       "2.6.33: the first round keeps the initial state's unstable tree, a later full scan resets it)}; 4.19: write_protect_page and replace_page inside the mmu notifier bracket, "
       "stable nodes plain (no stable_node chains: refused at load), break_cow through 4.19's fault path",
       kEra2_6_33 | kEra3_9 | kEra4_19},
      {"admin",
       "one administrator writing sysfs files and forcing reclaim, in order; args {\"steps\": [{\"run\": 0|1|2} | "
       "{\"merge_across_nodes\": 0|1} | {\"reclaim\": PAGE}]}",
       kEra3_9},
      {"offline_pages",
       "memory hot-remove of one memory section (offline_pages: isolate, MEM_GOING_OFFLINE, scan_lru_pages + "
       "do_migrate_range -> migrate_pages(offlining=1), check_pages_isolated, offline, MEM_OFFLINE; "
       "MEM_CANCEL_OFFLINE on failure); args {\"section\": NAME, \"to_node\": N, \"rounds\": 1..5 (default 1: "
       "the repeat loop's rounds before the timeout), \"passes\": 1..10 (default 1)}",
       kEra2_6_33},
      {"mbind",
       "the NUMA migrator: mbind(MPOL_BIND to_node, MPOL_MF_MOVE[_ALL]) of a range of one vma (do_mbind: mmap_sem "
       "for write, check_pte_range under the ptl, isolate_lru_page, migrate_pages(offlining=0)); args {\"mm\": NAME, "
       "\"start\": ADDR, \"end\": ADDR, \"to_node\": N, \"move_all\": bool (default false: only pages mapped "
       "once), \"passes\": 1..10 (default 1)}",
       kEra2_6_33},
      {"fault",
       "a task touching an address (do_page_fault -> handle_mm_fault under mmap_sem; re-run, as the hardware "
       "re-executes the access, while the fault backed out and the pte still forbids the access); args {\"mm\": NAME, \"address\": ADDR, \"write\": bool (default false; true: "
       "a COW write, or on a none pte do_anonymous_page's fresh page, on the zero page a zeroed copy; false: on "
       "a none pte the zero page is mapped read-only); in 3.9 a fault on a swap entry swaps in from the swap "
       "cache or reads the slot from the device into a page of node 0 (a write: reuse_swap_page, else "
       "do_wp_page's COW under the same ptl); in 2.6.33 the same do_swap_page without the swap-cache recheck "
       "after lock_page, a KSM page mapped as it is, another anon_vma's page copied by ksm_does_need_to_copy}",
       kEra2_6_33 | kEra3_9},
      {"munmap",
       "munmap of the vma containing an address (2.6.33: zap_pte_range, anon_vma_unlink; 3.9: vm_munmap -> "
       "do_munmap under mmap_sem for write, unmap_region: zap_pte_range, unlink_anon_vmas, tlb_finish_mmu); "
       "4.19: the same under mmap_sem for write, unmap_vmas with the mmu notifier around zap_pmd_range "
       "(zap_huge_pmd for a huge pmd or a pmd migration entry, zap_pte_range under the table's ptl), "
       "free_pgtables' unlink_anon_vmas, tlb_finish_mmu; args {\"mm\": NAME, \"address\": ADDR}",
       kEra2_6_33 | kEra3_9 | kEra4_19},
      {"exit",
       "a process exit: the last mmput (2.6.33: mm_users = 0, ksm_exit -> __ksm_exit as 3.9's, every vma unmapped without mmap_sem; 3.9: "
       "mm_users = 0, ksm_exit -> __ksm_exit (mm_slot freed at once, or mmap_sem taken and dropped for write), "
       "exit_mmap without mmap_sem: unmap_vmas, free_pgtables (unlink_anon_vmas, the page table freed), "
       "tlb_finish_mmu; 4.19: mmput -> exit_mmap: mmu_notifier_release (an HMM mirror is released), unmap_vmas "
       "with the mmu notifier around zap_pmd_range, free_pgtables' unlink_anon_vmas, tlb_finish_mmu); no other "
       "thread may act as a task of the mm unless the exit starts after it is done (start_after), and a fork's child "
       "exits after the fork's dup_mmap; args {\"mm\": NAME}",
       kEra2_6_33 | kEra3_9 | kEra4_19},
      {"page_referenced",
       "the reclaim rmap walker: isolate the page from the LRU (nothing when it is not there), page_referenced "
       "(a KSM page: trylock_page, page_referenced_ksm over the stable node's rmap_items; an anon page: "
       "page_referenced_anon), putback; args {\"page\": NAME}",
       kEra2_6_33},
      {"hmm_vma_fault",
       "an HMM mirror's fault (mm/hmm.c): down_read(mmap_sem), hmm_vma_fault on a declared range (register, "
       "walk_page_range with hmm_vma_walk_pmd, fault what pfns[] requests, loop on -EAGAIN from "
       "hmm_vma_walk.last); args {\"range\": NAME, \"block\": bool (default true)}",
       kEra4_19},
      {"hmm_vma_get_pfns",
       "an HMM mirror's snapshot (mm/hmm.c): down_read(mmap_sem), hmm_vma_get_pfns on a declared range (register, "
       "walk_page_range, never faults); args {\"range\": NAME}",
       kEra4_19},
      {"handle_mm_fault",
       "a CPU access to an address, faulting (mmap_sem for read, handle_mm_fault -> __handle_mm_fault: "
       "pmd_migration_entry_wait, huge_pmd_set_accessed, handle_pte_fault: migration_entry_wait, "
       "do_anonymous_page (a zeroed page for a write, the zero page for a read), do_wp_page (reuse of an anon "
       "page ours alone, else wp_page_copy under the mmu notifier), do_swap_page's swap-in (the swap cache's "
       "page or a read of the slot, ksm_might_need_to_copy, reuse_swap_page)) until the hardware walk finds it "
       "mapped; args {\"mm\": NAME, \"address\": ADDR, \"write\": bool (default false)}",
       kEra4_19},
      {"mremap",
       "mremap(MREMAP_MAYMOVE|MREMAP_FIXED) of one whole anonymous vma to a free place of the same mm (sys_mremap "
       "under mmap_sem for write -> move_vma: ksm_madvise(MADV_UNMERGEABLE) of the old range, copy_vma with "
       "anon_vma_clone (a new vma: need_rmap_locks false) or vma_merge growing a neighbour (vma_adjust; "
       "need_rmap_locks: move_ptes takes the anon_vma lock), move_page_tables -> move_ptes under the ptl, one pte "
       "at a time, do_munmap of the old vma); args {\"mm\": NAME, \"old_address\": ADDR (the start of a vma "
       "with an anon_vma), \"new_address\": ADDR (the start of a free range of the same size; not between two "
       "vmas it would both merge with)}; 4.19: ksm_madvise's unmerge through 4.19's break_ksm, move_page_tables inside mmu_notifier_invalidate_range_start/end, a huge pmd or pmd migration "
       "entry moved whole by move_huge_pmd under the pmd lock (its new place 2 MiB aligned: no split_huge_pmd), "
       "move_ptes under the old table's ptl and the new table's, 4.19's do_munmap of the old vma; eb66ae030829 "
       "(the TLB flush under the ptls) may be reverted to 4.19.0's dirty-only flush; 2.6.33: the same move_vma "
       "(2.6.33's break_ksm, anon_vma_link) without an anon_vma lock in move_ptes, each present pte cleared by "
       "ptep_clear_flush under the ptl; a new place next to a vma it would merge with is not modelled",
       kEra2_6_33 | kEra3_9 | kEra4_19},
      {"store",
       "a task's store of a data token to its memory (the page walk; a pte not present and writable takes the "
       "write fault first, do_page_fault -> handle_mm_fault, and the store is re-run; on a clean or old pte the "
       "MMU sets its dirty and young bits; then the store through the cached translation, unless a TLB flush "
       "dropped it); switches on the data steps (\"K.data\"); args "
       "{\"mm\": NAME, \"address\": ADDR, \"value\": 1..1048576}; the vma must be VM_WRITE with an anon_vma; "
       "check the result with the invariant no_lost_write; 4.19: the walk reads the pmd first, a writable "
       "huge pmd maps the THP (one data token for the whole THP), a read-only one or a pmd migration entry "
       "faults (pmd_migration_entry_wait, do_huge_pmd_wp_page); 2.6.33: the same walk, 2.6.33's fault "
       "(do_wp_page, do_swap_page; a migration entry waited out), every flush of 2.6.33's paths dropping the "
       "translation (try_to_unmap_one, write_protect_page, fork's flush_tlb_mm, munmap's and exit's zap)",
       kEra2_6_33 | kEra3_9 | kEra4_19},
      {"get_user_pages",
       "a task pins one page of its memory the way O_DIRECT or a driver does (get_user_pages under mmap_sem for "
       "read: follow_page(FOLL_GET|FOLL_WRITE), while it finds nothing handle_mm_fault (a write COWs a read-only "
       "or KSM page) and follow_page again), the device writes `dma_value` into the pinned page by DMA (its own "
       "step; a read: the device reads the page), then the pin is dropped as bio completion does "
       "(set_page_dirty_lock, put_page); the pin is a page reference page_counts_consistent counts while held; "
       "args {\"mm\": NAME, \"address\": ADDR, \"write\": bool (default true), \"dma_value\": 1..1048576 "
       "(write only; default: 1 + the largest data token of the initial pages), \"force\": bool (default false; true: "
       "FOLL_FORCE as ptrace and /proc/PID/mem write (access_process_vm: get_user_pages(write, force), "
       "copy_to_user_page, set_page_dirty_lock, put_page): a private vma without VM_WRITE is written through its own "
       "COW copy: after the fault that broke COW (VM_FAULT_WRITE) follow_page takes the read-only pte while it is "
       "dirty (FOLL_COW, 19be0eaffa3a; reverted: FOLL_WRITE is dropped, the Dirty COW race))}; check the DMA with "
       "no_lost_write and pin_writes_private_page; "
       "4.19: mm/gup.c's __get_user_pages (follow_page_mask: a huge pmd under the pmd lock pins the THP's head, "
       "the zero page is pinned as it is; faultin_page -> 4.19's handle_mm_fault), and with 17839856fd58 (in the "
       "4.19.y tree) a read pin follows as a write, breaking COW first (should_force_cow_break); 2.6.33: the same "
       "__get_user_pages over 2.6.33's fault (no FOLL_COW: a forced write drops FOLL_WRITE after the COW, the Dirty "
       "COW race is there as the kernel had it)",
       kEra2_6_33 | kEra3_9 | kEra4_19},
      {"get_user_pages_fast",
       "a task pins one page of its memory without mmap_sem the way x86's get_user_pages_fast does "
       "(local_irq_disable, one lockless read of the pte (gup_get_pte), get_page when it is present, writable "
       "for a write and not special, local_irq_enable; otherwise the slow path: get_user_pages under mmap_sem, "
       "which may fault and COW), then the DMA and the release as get_user_pages; every TLB flush of the mm "
       "(ptep_clear_flush, tlb_flush_mmu, flush_tlb_mm/range) waits for CPUs with interrupts off (\"A.irqs_off\"); "
       "args as get_user_pages: {\"mm\": NAME, \"address\": ADDR, \"write\": bool (default true), "
       "\"dma_value\": 1..1048576 (write only)}; check the DMA with no_lost_write; 4.19: mm/gup.c's generic walk "
       "(the pmd read locklessly: gup_huge_pmd for a huge pmd, gup_pte_range for a table; try_get_compound_head's "
       "speculative reference, page_ref_add_unless(head, 1, 0), then the entry read again and the reference put "
       "back when it changed), writable entries only with 17839856fd58, the slow path get_user_pages_unlocked",
       kEra3_9 | kEra4_19},
      {"swapoff",
       "swapoff of the model's one swap area (sys_swapoff clears SWP_WRITEOK first, so a reclaim's get_swap_page "
       "allocates no slot behind the scan, and sets it again if try_to_unuse fails; try_to_unuse: for each slot in "
       "use (a swap count, or a swap-cache page alone) its swap-cache page, or one "
       "read from the device (read_swap_cache_async), locked; unuse_mm -> unuse_vma -> unuse_pte_range -> "
       "unuse_pte under the ptl with pte_same, ksm_might_need_to_copy, swap_free; delete_from_swap_cache); "
       "args {} (none); 2.6.33: the same walk, unuse_pte maps the swap-cache page itself (no "
       "ksm_might_need_to_copy: a KSM page keeps its stable node; unuse_vma skips another anon_vma's vma, "
       "whose pte is read back from the device on the slot's next visit); 4.19: del_from_avail_list with the "
       "SWP_WRITEOK clear, then disable_swap_slots_cache_lock, the table's own ptl, and after a success the area freed (a fault's lookup_swap_cache or a zap's "
       "free_swap_and_cache that read the entry before oopses); beside a THP, unuse_pmd_range skips its huge pmd",
       kEra2_6_33 | kEra3_9 | kEra4_19},
  };
  return all;
}

namespace {

std::uint32_t find_mm(const Kernel& initial, const JsonInput& in) {
  std::string name = in.as_string();
  for (std::size_t i = 0; i < initial.mms.size(); ++i)
    if (initial.mms[i].name == name) return static_cast<std::uint32_t>(i);
  in.error("no mm named \"" + name + "\"");
}

/// The vma of mm containing addr: a linked one (find_vma), else one an mremap thread
/// reserved (mremap_reserve: in Kernel::vmas, linked by copy_vma during the run); -1.
int vma_or_mremap_target(const Kernel& initial, std::uint32_t mm, std::uint64_t addr) {
  if (const int v = initial.find_vma(mm, addr); v >= 0) return v;
  for (std::size_t v = 0; v < initial.vmas.size(); ++v) {
    const Vma& vma = initial.vmas[v];
    if (vma.mm == mm && vma.start <= addr && addr < vma.end) return static_cast<int>(v);
  }
  return -1;
}

PageId find_page(const Kernel& initial, const JsonInput& in) {
  std::string name = in.as_string();
  for (std::size_t i = 0; i < initial.pages.size(); ++i)
    if (initial.pages[i].name == name && !initial.pages[i].reserved) return static_cast<PageId>(i);
  in.error("no page named \"" + name + "\"" + (name == "ZERO_PAGE" ? " (the zero page is no actor's page)" : ""));
}

/// The page a reclaim names: a swap-cache page, an anon page (KSM or not) reclaim can
/// swap out (add_to_swap, try_to_unmap: try_to_unmap_ksm for a KSM page), or a free page
/// a thread allocates during the run (Page::watched).
void check_reclaimable(const Kernel& initial, PageId page, const JsonInput& in) {
  const Page& p = initial.pages[page];
  if (p.test(PG_swapcache)) return;
  if (p.in_free_pool) return;  // a page a thread allocates during the run: reclaim finds it once it is on the LRU
  if (!p.PageAnon()) in.error("page " + p.name + " is neither in the swap cache nor an anonymous page");
}

}  // namespace

const std::vector<UnmodelledActor>& unmodelled_actors() {
  static const std::vector<UnmodelledActor> all = {
      {"mprotect", "mprotect_fixup -> change_protection (change_pte_range, change_huge_pmd)", kAllEras, "", ""},
      {"madvise_free", "madvise_free_single_vma -> madvise_free_pte_range (MADV_FREE; lazyfree pages in reclaim)",
       kEra4_19, "4.5", "madvise_dontneed"},
      {"mlock", "mlock_fixup -> populate_vma_page_range, mlock_vma_page (VM_LOCKED, the unevictable LRU)", kAllEras,
       "", ""},
      {"munlock", "munlock_vma_pages_range (VM_LOCKED cleared, pages back to the evictable LRU)", kAllEras, "", ""},
      {"mmap", "mmap_region (a new vma: declare it in the initial state instead)", kAllEras, "", ""},
      {"brk", "do_brk (a new or grown vma: declare it in the initial state instead)", kAllEras, "", ""},
      {"madvise_mergeable", "ksm_madvise(MADV_MERGEABLE) -> __ksm_enter (declare the mm's mm_slot and VM_MERGEABLE "
       "in the initial state instead)", kAllEras, "", ""},
      {"madvise_willneed", "madvise_willneed -> force_swapin_readahead (swapin_walk_pmd_entry, read_swap_cache_async)",
       kAllEras, "", ""},
      {"swapon", "sys_swapon (declare the swap device in the initial state instead)", kAllEras, "", ""},
      {"move_pages", "sys_move_pages -> do_move_pages (isolate_lru_page, migrate_pages under mmap_sem for read)",
       kAllEras, "", "migrate_pages"},
      {"compaction", "compact_zone -> isolate_migratepages_range, migrate_pages(compaction_alloc)", kAllEras, "2.6.35",
       "migrate_pages"},
      {"khugepaged", "khugepaged_scan_mm_slot -> collapse_huge_page (__collapse_huge_page_isolate, "
       "__collapse_huge_page_copy under mmap_sem for write)", kEra3_9 | kEra4_19, "2.6.38", ""},
      {"madvise_hugepage", "hugepage_madvise -> khugepaged_enter (MADV_HUGEPAGE)", kEra3_9 | kEra4_19, "2.6.38", ""},
      {"split_huge_page", "split_huge_page_to_list (__split_huge_page, remap_page)", kEra3_9 | kEra4_19, "2.6.38", ""},
      {"memory_failure", "memory_failure (hwpoison: try_to_unmap with TTU_IGNORE_HWPOISON, me_pages)", kAllEras,
       "2.6.32", ""},
      {"numa_hinting_fault", "task_numa_work -> change_prot_numa, do_numa_page -> migrate_misplaced_page",
       kEra3_9 | kEra4_19, "3.8", ""},
      {"userfaultfd", "handle_userfault, mcopy_atomic (UFFDIO_COPY)", kEra4_19, "4.3", ""},
      {"madvise_cold", "madvise_cold_or_pageout_pte_range (MADV_COLD)", 0, "5.4", ""},
      {"madvise_pageout", "madvise_cold_or_pageout_pte_range -> reclaim_pages (MADV_PAGEOUT)", 0, "5.4", "reclaim"},
      {"process_madvise", "process_madvise (pidfd)", 0, "5.10", ""},
      {"madvise_collapse", "madvise_collapse -> hpage_collapse_scan_pmd (MADV_COLLAPSE)", 0, "6.1", ""},
      {"truncate", "truncate_inode_pages_range (file pages: the model has anonymous memory only)", kAllEras, "", ""},
      {"page_cache_read", "filemap_fault (file pages: the model has anonymous memory only)", kAllEras, "", ""},
  };
  return all;
}

namespace {

/// `actor` is a kernel operation the model lacks: refuse it as a model limit (exit 4)
/// where the era's kernel has it, as bad input where it came later. Returns when the
/// name is not one of them.
void refuse_unmodelled(const std::string& actor, Era era, const std::string& file, const std::string& pointer) {
  for (const UnmodelledActor& u : unmodelled_actors()) {
    if (actor != u.name) continue;
    std::string instead = *u.instead ? std::string("; the model's \"") + u.instead + "\" covers part of it" : "";
    if (!(u.eras & era_bit(era)))
      throw InputError(file, pointer,
                       "\"" + actor + "\" does not exist in kernel " + era_name(era) + " (" + u.kernel_path +
                           " came in " + u.since + ")" + instead);
    throw UnsupportedInput(file, pointer,
                           "actor \"" + actor + "\" (" + u.kernel_path + ") is not modelled in kernel " +
                               era_name(era) + instead);
  }
}

}  // namespace

ActorCall parse_actor(const std::string& actor, const nlohmann::json& args, const Kernel& initial,
                      const std::string& file, const std::string& actor_pointer,
                      const std::string& args_pointer) {
  ActorCall call;
  call.actor = actor;
  const Era era = initial.config.era;
  for (const ActorInfo& a : actor_catalogue()) {
    if (actor != a.name || (a.eras & era_bit(era))) continue;
    std::string here;
    for (const ActorInfo& b : actor_catalogue())
      if (b.eras & era_bit(era)) here += std::string(here.empty() ? "" : ", ") + b.name;
    throw UnsupportedInput(file, actor_pointer,
                     "actor \"" + actor + "\" is not modelled in kernel " + era_name(era) + " (it exists in " +
                         era_names(a.eras) + "; actors of " + era_name(era) + ": " +
                         (here.empty() ? "none yet" : here) + ")");
  }
  JsonInput in(args, file, args_pointer);
  in.expect_object();
  if (actor == "ksm_run_store") {
    call.value = static_cast<unsigned>(in.at("value").as_int(0, 2));
  } else if (actor == "madvise_unmergeable" || actor == "madvise_dontneed") {
    call.mm = find_mm(initial, in.at("mm"));
    const std::string& name = initial.mms[call.mm].name;
    JsonInput start = in.at("start");
    call.start = start.as_address();
    JsonInput end = in.at("end");
    call.end = end.as_address();
    if (call.end <= call.start) end.error("end must be above start");
    int v = initial.find_vma(call.mm, call.start);
    if (v < 0) start.error("no vma of mm " + name + " contains this address");
    if (initial.vmas[static_cast<std::size_t>(v)].end < call.end)
      end.error("the range must lie in one vma (the vma containing start ends below end)");
    if (actor == "madvise_dontneed" && era == Era::V4_19)
      if (std::string err = v4_19::zap_model_error(initial, call.mm, call.start, call.end); !err.empty()) end.refuse(err);
  } else if (actor == "migrate_pages") {
    JsonInput page = in.at("page");
    call.page = find_page(initial, page);
    const std::string& name = initial.pages[call.page].name;
    // A page free at load is one a thread allocates during the run (a fault's, a swap-in's,
    // another migration's target): isolate_lru_page finds it once it is on the LRU.
    const bool later = initial.pages[call.page].in_free_pool;
    if (era == Era::V4_19 && !later && initial.pages[call.page].mapping.kind != Mapping::Kind::Anon &&
        initial.pages[call.page].mapping.kind != Mapping::Kind::Ksm)
      page.unsupported("kernel 4.19's model migrates anonymous and KSM pages only");
    if (era == Era::V4_19 && initial.pages[call.page].test(PG_swapcache) && initial.pages[call.page].nr_pages > 1)
      page.unsupported("THP " + name + " is in the swap cache: kernel 4.19's model does not migrate a THP in the "
                 "swap cache (THP swap)");
    call.to_node = static_cast<int>(in.at("to_node").as_int(0, initial.ksm.nr_node_ids - 1));
    if (in.has("passes")) call.passes = static_cast<int>(in.at("passes").as_int(1, 10));
  } else if (actor == "fork") {
    call.mm = find_mm(initial, in.at("mm"));
    JsonInput child = in.at("child");
    call.child = find_mm(initial, child);
    std::string err = fork_layout_error(initial, call.child, call.mm);
    if (!err.empty()) child.refuse(err);
  } else if (actor == "swapin_fault") {
    call.mm = find_mm(initial, in.at("mm"));
    JsonInput addr = in.at("address");
    call.address = addr.as_address();
    const Kernel& k = initial;
    auto it = k.mms[call.mm].ptes.find(call.address);
    if (k.find_vma(call.mm, call.address) < 0 || it == k.mms[call.mm].ptes.end())
      addr.error("no pte slot of mm " + k.mms[call.mm].name + " at this address");
    if (in.has("after_unmerge_store")) call.after_unmerge_store = in.at("after_unmerge_store").as_bool();
    if (in.has("swap_read")) {
      JsonInput rd = in.at("swap_read");
      if (rd.as_string() != "choose") rd.error("expected \"choose\" (the read's outcome is a value choice)");
      call.choose_read = true;
    }
  } else if (actor == "reclaim") {
    JsonInput page = in.at("page");
    call.page = find_page(initial, page);
    check_reclaimable(initial, call.page, page);
    if (era == Era::V4_19)
      if (std::string err = v4_19::reclaim_model_error(initial, call.page); !err.empty()) page.unsupported(err);
    if (in.has("writeback")) {
      JsonInput wb = in.at("writeback");
      const std::string how = wb.as_string();
      if (how == "async") call.async_write = true;
      else if (how != "sync") wb.error("expected \"sync\" or \"async\"");
    }
  } else if (actor == "hmm_vma_fault" || actor == "hmm_vma_get_pfns") {
    JsonInput range = in.at("range");
    const std::string name = range.as_string();
    bool found = false;
    for (std::size_t i = 0; i < initial.hmm_ranges.size(); ++i)
      if (initial.hmm_ranges[i].name == name) call.range = static_cast<std::uint32_t>(i), found = true;
    if (!found) range.error("no hmm range named \"" + name + "\" (initial.hmm_ranges)");
    if (actor == "hmm_vma_fault") {
      if (in.has("block")) call.block = in.at("block").as_bool();
      if (std::string err = v4_19::hmm_fault_model_error(initial, initial.hmm_ranges[call.range]); !err.empty())
        range.refuse(err);
    }
  } else if (actor == "handle_mm_fault") {
    call.mm = find_mm(initial, in.at("mm"));
    JsonInput addr = in.at("address");
    call.address = addr.as_address();
    if (in.has("write")) call.write = in.at("write").as_bool();
    if (initial.find_vma(call.mm, call.address) < 0)
      addr.error("no vma of mm " + initial.mms[call.mm].name + " contains this address");
    if (std::string err = v4_19::fault_model_error(initial, call.mm, call.address, call.write); !err.empty())
      addr.refuse(err);
  } else if (actor == "ksmd") {
    if (in.has("pages")) call.pages = static_cast<int>(in.at("pages").as_int(1, 16));
    if (in.has("batches")) {
      JsonInput b = in.at("batches");
      call.batches = static_cast<int>(b.as_int(1, 8));
    }
  } else if (actor == "store") {
    call.mm = find_mm(initial, in.at("mm"));
    JsonInput addr = in.at("address");
    call.address = addr.as_address();
    if (std::string err = store_model_error(initial, call.mm, call.address); !err.empty()) addr.refuse(err);
    call.value = static_cast<unsigned>(in.at("value").as_int(1, 1 << 20));
  } else if (actor == "get_user_pages" || actor == "get_user_pages_fast") {
    call.mm = find_mm(initial, in.at("mm"));
    JsonInput addr = in.at("address");
    call.address = addr.as_address();
    call.write = in.has("write") ? in.at("write").as_bool() : true;
    if (in.has("force")) {
      JsonInput force = in.at("force");
      if (actor == "get_user_pages_fast") force.error("get_user_pages_fast takes no FOLL_FORCE (use get_user_pages)");
      call.force = force.as_bool();
    }
    if (std::string err = gup_model_error(initial, call.mm, call.address, call.write, call.force); !err.empty())
      addr.refuse(err);
    if (in.has("dma_value")) {
      JsonInput dma = in.at("dma_value");
      if (!call.write) dma.error("a get_user_pages with \"write\": false only lets the device read the page: no DMA value");
      call.value = static_cast<unsigned>(dma.as_int(1, 1 << 20));
    } else if (call.write) {
      // A token no initial page holds, so a DMA write that lands in the wrong page shows.
      std::uint32_t top = 0;
      for (const Page& p : initial.pages) top = std::max(top, p.content);
      if (top >= (1u << 20)) in.error("no default dma_value: a page already holds the largest token; give \"dma_value\"");
      call.value = top + 1;
    }
  } else if (actor == "offline_pages") {
    JsonInput sec = in.at("section");
    std::string name = sec.as_string();
    std::size_t i = 0;
    while (i < initial.sections.size() && initial.sections[i].name != name) ++i;
    if (i == initial.sections.size()) sec.error("no memory section named \"" + name + "\" (initial.memory_sections)");
    if (initial.sections[i].state != MemorySection::State::Online) sec.error("memory section " + name + " is not online");
    call.section = i;
    call.to_node = static_cast<int>(in.at("to_node").as_int(0, initial.ksm.nr_node_ids - 1));
    if (in.has("rounds")) call.rounds = static_cast<int>(in.at("rounds").as_int(1, 5));
    if (in.has("passes")) call.passes = static_cast<int>(in.at("passes").as_int(1, 10));
  } else if (actor == "mbind") {
    call.mm = find_mm(initial, in.at("mm"));
    JsonInput start = in.at("start");
    call.start = start.as_address();
    JsonInput end = in.at("end");
    call.end = end.as_address();
    if (call.end <= call.start) end.error("end must be above start");
    int v = initial.find_vma(call.mm, call.start);
    if (v < 0) start.error("no vma of mm " + initial.mms[call.mm].name + " contains this address");
    if (initial.vmas[static_cast<std::size_t>(v)].end < call.end)
      end.error("the range must lie in one vma (the vma containing start ends below end)");
    call.to_node = static_cast<int>(in.at("to_node").as_int(0, initial.ksm.nr_node_ids - 1));
    if (in.has("move_all")) call.move_all = in.at("move_all").as_bool();
    if (in.has("passes")) call.passes = static_cast<int>(in.at("passes").as_int(1, 10));
  } else if (actor == "fault" || actor == "munmap") {
    call.mm = find_mm(initial, in.at("mm"));
    JsonInput addr = in.at("address");
    call.address = addr.as_address();
    // A fault may also name an address an mremap thread moves a vma to (its vma is
    // reserved, not yet linked: the fault before the move gets SIGSEGV).
    const int vma = actor == "fault" ? vma_or_mremap_target(initial, call.mm, call.address)
                                     : initial.find_vma(call.mm, call.address);
    if (era == Era::V4_19) {  // munmap of the whole vma: its ptes or huge pmds (each covered whole by its vma)
      if (vma < 0) addr.error("no vma of mm " + initial.mms[call.mm].name + " contains this address");
    } else if (vma < 0 || !initial.mms[call.mm].ptes.count(call.address)) {
      addr.error("no pte slot of mm " + initial.mms[call.mm].name + " at this address");
    }
    if (actor == "fault" && in.has("write")) call.write = in.at("write").as_bool();
    // (an mremap target's vma takes the moved vma's anon_vma, which mremap requires)
    if (actor == "fault" && call.write && initial.find_vma(call.mm, call.address) >= 0 &&
        !initial.vmas[static_cast<std::size_t>(vma)].has_anon_vma())
      addr.unsupported("a write fault needs the vma's anon_vma declared (anon_vma_prepare is not modelled)");

  } else if (actor == "swapoff") {
    // One swap area: no arguments.
  } else if (actor == "mremap") {
    call.mm = find_mm(initial, in.at("mm"));
    JsonInput old_addr = in.at("old_address");
    call.address = old_addr.as_address();
    JsonInput new_addr = in.at("new_address");
    call.new_address = new_addr.as_address();
    bool bad_new = false;
    if (std::string err = mremap_input_error(initial, call.mm, call.address, call.new_address, bad_new); !err.empty())
      (bad_new ? new_addr : old_addr).refuse(err);
  } else if (actor == "exit") {
    call.mm = find_mm(initial, in.at("mm"));
  } else if (actor == "page_referenced") {
    JsonInput page = in.at("page");
    call.page = find_page(initial, page);
    const Page& p = initial.pages[call.page];
    if (!p.in_free_pool && !p.PageAnon())
      page.error("page " + p.name + " is not an anon or KSM page (or a free page a migration may turn into one)");
  } else if (actor == "admin") {
    JsonInput steps = in.at("steps");
    steps.expect_array();
    if (steps.size() == 0) steps.error("no steps");
    for (std::size_t i = 0; i < steps.size(); ++i) {
      JsonInput st = steps.at(i);
      st.expect_object();
      ActorCall::AdminStep step;
      if (st.has("run")) {
        step.what = "run";
        step.value = static_cast<unsigned>(st.at("run").as_int(0, 2));
      } else if (st.has("merge_across_nodes")) {
        step.what = "merge_across_nodes";
        step.value = static_cast<unsigned>(st.at("merge_across_nodes").as_int(0, 1));
      } else if (st.has("reclaim")) {
        step.what = "reclaim";
        JsonInput page = st.at("reclaim");
        step.page = find_page(initial, page);
        check_reclaimable(initial, step.page, page);
      } else {
        st.error("expected one of \"run\", \"merge_across_nodes\", \"reclaim\"");
      }
      st.done();
      call.steps.push_back(step);
    }
  } else {
    refuse_unmodelled(actor, era, file, actor_pointer);
    std::string known;
    for (const ActorInfo& a : actor_catalogue()) known += std::string(known.empty() ? "" : ", ") + a.name;
    throw InputError(file, actor_pointer, "unknown actor \"" + actor + "\" (known: " + known + ")");
  }
  in.done();
  return call;
}

std::vector<ReadFault> read_faults(const Kernel& initial, const std::vector<ActorCall>& calls) {
  std::vector<ReadFault> out;
  for (const ActorCall& c : calls) {
    if (c.actor == "handle_mm_fault" && !c.write) out.push_back({c.mm, c.address, false});
    // mm/gup.c v4.19: a read pin faults as a read unless 17839856fd58 breaks COW for it (a write fault)
    if ((c.actor == "get_user_pages" || c.actor == "get_user_pages_fast") && initial.config.era == Era::V4_19 &&
        !c.write && !initial.config.applied(Fix::GupCowBreak))
      out.push_back({c.mm, c.address, true});
    if (c.actor != "hmm_vma_fault") continue;
    const HmmRange& r = initial.hmm_ranges.at(c.range);
    for (std::uint64_t a = r.start; a < r.end; a += kPageSize) {
      const std::uint64_t want = r.pfns[(a - r.start) / kPageSize];
      if ((want & HMM_PFN_VALID) && !(want & HMM_PFN_WRITE)) out.push_back({r.mm, a, false});
    }
  }
  return out;
}

void run_actor(Kernel& k, const ActorCall& call) {
  if (call.actor == "ksm_run_store") {
    k.outcomes.record(outcome_of_errno(run_store(k, call.value)));
    k.events.emit(ThreadEvents::RunStore);
  } else if (call.actor == "madvise_unmergeable") {
    k.outcomes.record(outcome_of_errno(madvise_unmergeable(k, call.mm, call.start, call.end)));
  } else if (call.actor == "madvise_dontneed") {
    k.outcomes.record(outcome_of_errno(madvise_dontneed(k, call.mm, call.start, call.end)));
  } else if (call.actor == "migrate_pages") {
    k.outcomes.record(outcome_of_errno(k.config.era == Era::V4_19
                                           ? v4_19::migrate_pages(k, call.page, call.to_node, call.passes)
                                           : migrate_one_page(k, call.page, call.to_node, call.passes)));
  } else if (call.actor == "hmm_vma_fault" || call.actor == "hmm_vma_get_pfns") {
    const HmmRange& r = k.hmm_ranges.at(call.range);
    checker::RwSem& sem = *k.mms.at(r.mm).mmap_sem;
    const bool fault = call.actor == "hmm_vma_fault";
    sem.down_read(fault ? "hmm_vma_fault" : "hmm_vma_get_pfns");
    if (k.find_vma(r.mm, r.start) != static_cast<int>(r.vma)) {
      // The driver looks its vma up under mmap_sem before it walks (range->vma): a 4.19
      // mremap moved the vma away, so it finds none there and walks nothing (no step: the vma
      // list is read under mmap_sem, which orders it against mremap's write).
      checker::note([&] { return "range " + r.name + ": no vma at " + k.where(r.mm, r.start) + " any more: -EFAULT"; });
      k.outcomes.record(outcome_of_errno(-kEFAULT));
    } else if (fault) {
      k.outcomes.record(outcome_of_errno(hmm_vma_fault(k, call.range, call.block)));
    } else {
      k.outcomes.record(outcome_of_errno(hmm_vma_get_pfns(k, call.range)));
    }
    sem.up_read(fault ? "hmm_vma_fault" : "hmm_vma_get_pfns");
  } else if (call.actor == "handle_mm_fault") {
    k.outcomes.record(outcome_of_fault(v4_19::user_access(k, call.mm, call.address, call.write)));
  } else if (call.actor == "fork") {
    if (k.config.era == Era::V2_6_33)
      v2_6_33::dup_mmap(k, call.child, call.mm);
    else if (k.config.era == Era::V4_19)
      v4_19::dup_mmap(k, call.child, call.mm);
    else
      dup_mmap(k, call.child, call.mm);
    k.events.emit(ThreadEvents::DupMmap);
  } else if (call.actor == "swapin_fault") {
    k.outcomes.record(outcome_of_fault(swapin_fault(k, call.mm, call.address, call.after_unmerge_store, call.choose_read)));
  } else if (call.actor == "reclaim") {
    if (!reclaim_swapcache_page(k, call.page, call.async_write ? SwapWrite::Async : SwapWrite::Sync))
      k.outcomes.record(Outcome::Kept);
  } else if (call.actor == "ksmd") {
    if (k.config.era == Era::V2_6_33)
      v2_6_33::ksmd_scan(k, call.pages, call.batches);
    else
      ksmd_scan(k, call.pages, call.batches);
  } else if (call.actor == "offline_pages") {
    const long err = v2_6_33::offline_pages(k, call.section, call.to_node, call.rounds, call.passes);
    k.outcomes.record(outcome_of_errno(err));
    checker::note([&] { return std::string("offline_pages -> " + std::to_string(err)); });
  } else if (call.actor == "mbind") {
    k.outcomes.record(outcome_of_errno(
        v2_6_33::do_mbind(k, call.mm, call.start, call.end, call.to_node, call.move_all, call.passes)));
  } else if (call.actor == "fault") {
    k.outcomes.record(outcome_of_fault(fault(k, call.mm, call.address, call.write)));
  } else if (call.actor == "munmap") {
    if (k.config.era == Era::V2_6_33) v2_6_33::munmap(k, call.mm, call.address);
    else vm_munmap(k, call.mm, call.address);  // v3.9, v4.19
  } else if (call.actor == "exit") {
    if (k.config.era == Era::V2_6_33) v2_6_33::mmput(k, call.mm);
    else if (k.config.era == Era::V4_19) v4_19::mmput(k, call.mm);
    else mmput(k, call.mm);
  } else if (call.actor == "store") {
    k.outcomes.record(outcome_of_fault(user_store(k, call.mm, call.address, call.value)));
  } else if (call.actor == "get_user_pages") {
    const long ret = get_user_pages_dma(k, call.mm, call.address, call.write, call.value, call.force);
    k.outcomes.record(outcome_of_errno(ret < 0 ? ret : 0));
  } else if (call.actor == "get_user_pages_fast") {
    const long ret = get_user_pages_fast_dma(k, call.mm, call.address, call.write, call.value);
    k.outcomes.record(outcome_of_errno(ret < 0 ? ret : 0));
  } else if (call.actor == "swapoff") {
    k.outcomes.record(outcome_of_errno(k.config.era == Era::V4_19 ? v4_19::swapoff(k) : sys_swapoff(k)));
  } else if (call.actor == "mremap") {
    const long ret = sys_mremap(k, call.mm, call.address, call.new_address, call.new_vma);
    k.outcomes.record(outcome_of_errno(ret < 0 ? ret : 0));
  } else if (call.actor == "page_referenced") {
    v2_6_33::reclaim_page_referenced(k, call.page);
  } else if (call.actor == "admin") {
    for (const ActorCall::AdminStep& st : call.steps) {
      long err = 0;
      if (st.what == "run") {
        err = run_store(k, st.value);
        k.events.emit(ThreadEvents::RunStore);
      }
      else if (st.what == "merge_across_nodes") err = merge_across_nodes_store(k, st.value);
      else if (!reclaim_swapcache_page(k, st.page)) k.outcomes.record(Outcome::Kept);
      k.outcomes.record(outcome_of_errno(err));
      checker::note([&] { return std::string("admin: " + st.what + (st.what == "reclaim" ? "" : " = " + std::to_string(st.value)) +
                    " -> " + std::to_string(err)); });
    }
  } else {
    throw std::logic_error("internal error: actor \"" + call.actor + "\" has no body");
  }
}

}  // namespace model
