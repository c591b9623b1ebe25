// kernel.h: the whole simulated machine one execution runs on: struct pages,
// mm_structs with their vmas and page tables, anon_vmas, KSM's state, and the
// kernel configuration (era and fixes).
//
// A Kernel is built twice over: Scenario parsing fills a template with no
// checker objects; each execution copies the template and calls
// create_objects() from Program::setup(), which creates every checker object
// (ptes, ptls, page locks, mmap_sems, KSM locks, the free-page pool) in one
// fixed order, so object ids never depend on the schedule.
// Invariants: indices (PageId, mm, vma, anon_vma, stable node, rmap_item) are
// positions in the vectors below and never change; pages are never created
// during a run: COW copies and migration targets come from the preallocated
// free pool, in pool order.
#pragma once

#include <cstdint>
#include <functional>
#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <utility>
#include <string>
#include <tuple>
#include <string_view>
#include <vector>

#include <checker/checker.h>

#include "model/hmm.h"
#include "model/kernel_config.h"
#include "model/ksm_state.h"
#include "model/memory_section.h"
#include "model/mm_struct.h"
#include "model/page.h"
#include "model/path_stats.h"
#include "model/pte.h"
#include "model/swap_state.h"
#include "model/thread_events.h"
#include "model/user_data.h"

namespace model {

/// The checker object names of each page's per-field children ("K._count",
/// "K._mapcount", "K.flags"), built once per scenario: every copy of a Kernel
/// template shares it, so an execution's create_objects() copies the names
/// instead of building them. Safe to fill from several search workers at once.
struct PageFieldNames {
  std::once_flag once;
  std::vector<std::array<std::string, 3>> names;  ///< by PageId: _count, _mapcount, flags
};

class Kernel {
 public:
  KernelConfig config;
  std::vector<Page> pages;          ///< by PageId (pfn order)
  std::vector<MmStruct> mms;
  std::vector<Vma> vmas;
  std::vector<AnonVma> anon_vmas;
  std::vector<StableNode> stable_nodes;
  std::vector<RmapItem> rmap_items;
  KsmState ksm;
  ThreadEvents events;  ///< the start_after record (empty without start_after)
  ActorOutcomes outcomes;  ///< ghost: how each thread's actor returned (empty unless a search counts paths)
  SwapState swap;                   ///< swap counts and the swap cache's index (seed 003)
  std::vector<PageId> free_pool;    ///< free pages not yet handed out, in allocation order
  /// init_mm.mmlist, the order try_to_unuse walks mms in (mm/swapfile.c): the mms that are not
  /// a fork's child, in the order `initial.mmlist` declares, else in declaration order until the
  /// first walk chooses one of their orders (history the scenario does not say: each is
  /// searched). A fork's child goes right after its parent (dup_mmap's list_add).
  std::vector<std::uint32_t> mmlist;
  bool mmlist_declared = false;  ///< `initial.mmlist` given
  /// The first walk chooses the order (Scenario::parse sets it when no mmlist is declared;
  /// a Kernel built from an initial state alone keeps the declaration order).
  bool mmlist_searched = false;
  bool mmlist_fixed = false;     ///< the order is chosen (or declared) for this run
  std::vector<std::pair<std::uint32_t, std::uint32_t>> mmlist_children;  ///< (child, parent), fork order
  /// "free_pages[nid]": the page allocator of each NUMA node (its zone lock).
  std::vector<checker::ObjectId> pool_objs;
  /// Step check "break_ksm_postcondition" (invariant catalogue) is on.
  bool check_break_ksm = false;
  /// Step check "no_migration_entry_at_unlock" (G1 at unlock_page of the old page) is on.
  bool check_g1_at_unlock = false;
  /// Step check "stable_trees_empty_at_flip" (I-003a in merge_across_nodes_store) is on.
  bool check_trees_empty_at_flip = false;
  /// Step check "never_map_not_uptodate" (I-003e at do_swap_page's set_pte) is on.
  bool check_uptodate_at_map = false;
  /// v3.9 scenarios with an `exit` thread: each mm's mm_users is a checker
  /// object (MmStruct::users_obj) that mmput writes and ksm_test_exit reads.
  /// Off elsewhere, so other scenarios run exactly the steps they ran before.
  bool track_mm_users = false;
  /// 4.19 scenarios with a zap (munmap, madvise_dontneed, exit) beside a KSM thread: each
  /// mm's tlb_flush_pending is an object (MmStruct::tlb_flush_pending_obj).
  bool track_tlb_flush_pending = false;
  /// User data (issue 13): stores, their TLB entries, the ghost of the last value written
  /// (model/src/user_access.cpp). Off unless a scenario has a `store` thread.
  UserData user_data;
  /// v3.9 scenarios where reclaim may swap out a non-KSM page (set PG_writeback):
  /// reuse_swap_page, migration and try_to_unuse read PG_writeback as a step.
  /// Off elsewhere, so other scenarios run exactly the steps they ran before.
  bool track_writeback = false;
  /// 2.6.33: memory sections (pfn ranges) that hot-remove can offline; empty in other eras.
  std::vector<MemorySection> sections;
  /// Step check "ksm_migrate_only_offlining" (seed 002, after lock_page in unmap_and_move) is on.
  bool check_ksm_migration_offlining = false;
  /// Step check "no_stable_node_in_offlined_range" (seed 002, at MEM_OFFLINE) is on.
  bool check_no_node_in_offlined = false;
  /// Step check "anon_rmap_walk_type" (seed 001: an anon rmap walk only over an anon_vma) is on.
  bool check_anon_vma_type = false;
  /// Step check "no_stable_node_freed_in_use" (seed 001: no stable node freed while a page's mapping names it) is on.
  bool check_node_freed_in_use = false;
  /// Step check "pin_reads_own_data" (a get_user_pages pin's DMA read sees the pinning mm's data) is on.
  bool check_pin_reads_own_data = false;
  /// Step check "pin_writes_private_page" (a write pin's data never lands in the zero page or a KSM page) is on.
  bool check_pin_writes_private = false;

  // ---- kernel 4.19: the pmd level and HMM (model/src/pmd.cpp, hmm.cpp) ----
  /// How the pre-d08faca018c4 walker's predicates see a pmd migration entry.
  MigrationPmdLayout migration_pmd_layout = MigrationPmdLayout::PmdBad;
  std::vector<Hmm> hmms;              ///< struct hmm of each mirrored mm
  std::vector<HmmRange> hmm_ranges;   ///< the drivers' ranges, by declaration order
  /// Ghost: (mm, address, pfn) of every page ever mapped at a user address
  /// in 4.19 (the initial state, and every present pte set_pte and
  /// ptep_modify write: faults, swap-in, swapoff's unuse_pte, fork's
  /// copy_one_pte, migration, mremap, ksmd).
  std::set<std::tuple<std::uint32_t, std::uint64_t, std::uint64_t>> ever_mapped;
  /// Ghost: (mm, pmd address, head page) of every THP ever mapped by a huge pmd.
  std::set<std::tuple<std::uint32_t, std::uint64_t, PageId>> ever_mapped_huge;
  /// Step check "hmm_no_spurious_error" (I-004a in hmm_pfns_bad) is on.
  bool check_hmm_pfns_bad = false;
  /// 4.19 scenarios with a `munmap` or `exit` thread: an anon_vma may be freed during the run
  /// (unlink_anon_vmas), so 4.19's __unmap_and_move takes page_get_anon_vma's reference.
  /// Off elsewhere, so other scenarios run exactly the steps they ran before.
  bool anon_vma_refs_v4_19 = false;

  /// Shared by the copies of one template (see PageFieldNames).
  std::shared_ptr<PageFieldNames> page_field_names = std::make_shared<PageFieldNames>();

  /// Create every checker object of this machine (call once, in Program::setup()).
  void create_objects();
  /// The 4.19 objects (pmd locks, pmd entries, tables' ptls, hmm locks), created
  /// last by create_objects() so the older eras' object ids do not move.
  void create_pmd_objects();
  /// The pmd slot of mm covering addr, or nullptr (pmd none, never populated).
  PmdSlot* pmd_slot(std::uint32_t mm, std::uint64_t addr);
  const PmdSlot* pmd_slot(std::uint32_t mm, std::uint64_t addr) const;
  /// pte_lockptr(): the ptl of the table holding addr (4.19: the table's own; before: the mm's).
  checker::Spinlock& pte_lockptr(std::uint32_t mm, std::uint64_t addr);
  std::string pmd_str(const Pmd& pmd) const;
  /// READ_ONCE(*pmdp) without a lock: a Read step on the pmd, noted "pmd A:0x200000 = huge(T,rw)".
  Pmd read_pmd(std::uint32_t mm, PmdSlot& slot, const char* label,
               checker::SourceLoc loc = checker::SourceLoc::current());
  /// set_pmd_at() (caller holds the pmd lock): a Write step on the pmd, noted "old -> new".
  void set_pmd(std::uint32_t mm, PmdSlot& slot, const Pmd& pmd, const char* label,
               checker::SourceLoc loc = checker::SourceLoc::current());
  /// The struct hmm of mm, or nullptr.
  Hmm* hmm_of(std::uint32_t mm);

  /// The zero page (my_zero_pfn, mapped read-only by do_anonymous_page on a read fault),
  /// or kNoPage when the scenario never maps it (add_zero_page, initial_state.h).
  PageId zero_page = kNoPage;
  /// 4.19: the huge zero page (mm_get_huge_zero_page, mapped read-only by a read fault under a
  /// none pmd of a VM_HUGEPAGE vma), or kNoPage when the scenario never maps it
  /// (add_huge_zero_page, initial_state.h).
  PageId huge_zero_page = kNoPage;

  // ---- lookups (no announcements) ----
  /// vm_normal_page(): the page a present pte maps, or kNoPage for the zero page (pte_special).
  PageId vm_normal_page(const Pte& pte) const {
    return pte.is_present() && pte.page != zero_page ? pte.page : kNoPage;
  }
  /// is_zero_pfn(pte_pfn(pte)).
  bool is_zero_pte(const Pte& pte) const { return pte.is_present() && pte.page == zero_page && pte.page != kNoPage; }
  /// is_huge_zero_pmd(pmd): a huge pmd mapping the huge zero page.
  bool is_huge_zero_pmd(const Pmd& pmd) const {
    return pmd.kind == Pmd::Kind::Huge && pmd.page == huge_zero_page && pmd.page != kNoPage;
  }
  const std::string& page_name(PageId p) const { return pages.at(p).name; }
  std::string pte_str(const Pte& pte) const;
  /// "A:0x1000"
  std::string where(std::uint32_t mm, std::uint64_t addr) const;
  /// The pte slot of mm at addr, or nullptr when the page table has none there.
  /// After v3.9 free_pgtables freed mm's page table: a KASAN failure naming who freed it.
  PteSlot* pte_slot(std::uint32_t mm, std::uint64_t addr);
  /// find_vma(): the vma of mm containing addr, or -1.
  int find_vma(std::uint32_t mm, std::uint64_t addr) const;
  /// page_stable_node(): the stable node of a KSM page, or kNoNode.
  std::uint32_t page_stable_node(PageId p) const;

  // ---- state changes used by the kernel paths ----
  /// set_pte_at(): announce a write of the pte (the step names it), note "old -> new", store.
  void set_pte(std::uint32_t mm, PteSlot& slot, const Pte& pte, const char* label,
               checker::SourceLoc loc = checker::SourceLoc::current());
  /// Record the present pte of `slot` in ever_mapped (set_pte and ptep_modify call it; a
  /// scenario without HMM ranges, the record's only reader, keeps none).
  void mapped_ghost(std::uint32_t mm, const PteSlot& slot);
  /// An atomic update of a pte (ptep_get_and_clear, ptep_clear_flush, ptep_set_wrprotect): one
  /// step reads the pte and stores update(old), so the MMU's dirty/young update (user_store)
  /// cannot fall between the read and the write. Returns the old value.
  Pte ptep_modify(std::uint32_t mm, PteSlot& slot, const std::function<Pte(const Pte&)>& update, const char* label,
                  checker::SourceLoc loc = checker::SourceLoc::current());
  /// get_page() as its own visible step (an atomic on the page's count, even under a ptl).
  void get_page(PageId p, const char* label, checker::SourceLoc loc = checker::SourceLoc::current());
  /// Announce a change of page p's counts (refcount/mapcount) about to be made with the *_locked helpers.
  void touch_page(PageId p, const char* label, checker::SourceLoc loc = checker::SourceLoc::current());
  /// get_page() inside a section already announced on the page.
  void get_page_locked(PageId p) { ++pages.at(p).refcount; }
  /// put_page() inside a section already announced on the page; frees the page at zero.
  void put_page_locked(PageId p);
  /// put_page() as its own visible step (a lockless atomic on the page).
  void put_page(PageId p, const char* label, checker::SourceLoc loc = checker::SourceLoc::current());

  // ---- per-field page steps (Page::count_obj, mapcount_obj, flags_obj) ----
  // Each is one visible step on one field of struct page, so partial-order
  // reduction orders it only against steps on that field or on the whole
  // page. The caller reads and writes nothing else of the page in that step.
  // Reference counting commutes in groups (checker::announce_update):
  // increments (kRefGet) with increments and with puts that cannot reach zero
  // (page_ref_put_held: kRefGet | kRefPut), and puts with puts (group
  // kRefPut): the caller of put_page does not look at the count, and which of
  // two puts frees the page does not change the state they leave. A put is
  // on page_count whether it frees or not (which of two commuting puts frees
  // depends on their order, so a put's kind must not: dpor.h, refined
  // kinds). The free also resets flags and mapping: only a step that holds no
  // reference on the page can see that, and every such step is announced on
  // the whole page (get_ksm_page, isolate_lru_page, scan_lru_pages); a step
  // that holds one keeps any put from freeing the page. Mapcount updates
  // commute with each other (group kMapcount) and with get_ksm_page's step
  // once it took its reference (refined to a get of the whole page, group
  // kRefGet: it reads the mapping and the count, never the mapcount).
  static constexpr std::uint8_t kRefGet = 1, kRefPut = 2, kMapcount = 4;
  /// get_page() as a commuting update of page_count: the caller does not look at the count.
  void page_ref_get(PageId p, const char* label, checker::SourceLoc loc = checker::SourceLoc::current());
  /// get_page()'s step for both: a commuting update of page_count in `groups`.
  void page_ref_inc(PageId p, std::uint8_t groups, const char* label, checker::SourceLoc loc);
  /// get_page() of a page that a present pte maps, under that pte's ptl
  /// (follow_page, do_wp_page): the pte's reference cannot be dropped
  /// meanwhile (clearing the pte takes the ptl), so no put of another thread
  /// reaches zero in either order, and the step commutes with puts as well
  /// as with gets (kRefGet | kRefPut). A lockless get (gup_fast) is page_ref_get.
  void page_ref_get_mapped(PageId p, const char* label, checker::SourceLoc loc = checker::SourceLoc::current());
  /// get_page() by a thread that owns a reference on p (own_page_ref:
  /// remove_migration_pte's, under the migration's isolation or allocation
  /// reference): like page_ref_get_mapped, no put reaches zero in either
  /// order. A thread that owns none (a unit test calling the function alone)
  /// gets page_ref_get's step, which commutes with fewer.
  void page_ref_get_own(PageId p, const char* label, checker::SourceLoc loc = checker::SourceLoc::current());
  /// put_page() when the caller holds another reference on p, so the count
  /// cannot reach zero in any order: a commuting update of page_count. Reaching
  /// zero is a model error (the caller's other reference is missing).
  void page_ref_put_held(PageId p, const char* label, checker::SourceLoc loc = checker::SourceLoc::current());
  /// put_page() as a commuting update (group kRefPut) of page_count (it frees
  /// the page at zero).
  void page_ref_put(PageId p, const char* label, checker::SourceLoc loc = checker::SourceLoc::current());
  /// putback_lru_page's step: SetPageLRU and the put_page of the isolation
  /// (or allocation) reference. PG_lru counts as part of page_count's object
  /// (every other step that reads or writes it is on the whole page:
  /// isolate_lru_page, scan_lru_pages, the free), so like page_ref_put this is
  /// a commuting update of page_count in group kRefPut.
  void putback_put(PageId p, const char* label, checker::SourceLoc loc = checker::SourceLoc::current());
  /// put_page of the new page a fault or a swap read allocated and lost a race with
  /// (!pte_same, !pte_none, !pmd_same, swapcache_prepare's -EEXIST or -ENOENT): the page
  /// was never published (no pte, cache or list holds it, no other thread saw it), so the
  /// last reference goes and the page returns to the head of its node's free pool (the
  /// allocator's hot list), where the next allocation on that node takes it again, as the
  /// kernel's would: a step on the pool (rmw), ordered against every allocation there.
  void free_new_page(PageId p, const char* label, checker::SourceLoc loc = checker::SourceLoc::current());
  /// lru_cache_add of a page its thread allocated during the run (the pagevec drained at
  /// once): SetPageLRU. For a Page::watched page it is a step of its own, a write of the
  /// whole page; for any other it is part of the caller's step (no thread finds that page
  /// on the LRU: the scenario names no reclaim or migration of it).
  void lru_cache_add(PageId p, const char* label, checker::SourceLoc loc = checker::SourceLoc::current());
  /// The running thread now owns one more reference on p (taken by a step
  /// just before: follow_page(FOLL_GET), page_cache_get). A ghost count per
  /// thread and page, for page_ref_put_own.
  void own_page_ref(PageId p);
  /// put_page() of a reference the running thread owns (own_page_ref): when it
  /// owns another one, the count cannot reach zero in any order and the step is
  /// page_ref_put_held's commuting update; otherwise page_ref_put.
  void page_ref_put_own(PageId p, const char* label, checker::SourceLoc loc = checker::SourceLoc::current());
  /// get_page_unless_zero(): on page_count; a read when it fails, a commuting
  /// update when it succeeds (a count above zero stays above zero under every
  /// other commuting update: get_page at zero is the kernel's VM_BUG_ON and a
  /// held put_page never reaches zero). True when taken.
  bool get_page_unless_zero(PageId p, const char* label, checker::SourceLoc loc = checker::SourceLoc::current());
  /// page_count() as its own step: a read of page_count.
  int page_count(PageId p, const char* label, checker::SourceLoc loc = checker::SourceLoc::current());
  /// page_mapcount() / page_mapped() as its own step: a read of _mapcount.
  int page_mapcount(PageId p, const char* label, checker::SourceLoc loc = checker::SourceLoc::current());
  /// atomic_inc/dec of _mapcount whose result the caller does not use
  /// (page_add_anon_rmap of a KSM page, page_remove_rmap of an anon page):
  /// a commuting update of _mapcount; going below zero is the kernel's BUG.
  void page_mapcount_add(PageId p, int delta, const char* label,
                         checker::SourceLoc loc = checker::SourceLoc::current());
  /// Announce a write of page p's flags/mapping/index/private (set_page_stable_node, ...).
  void page_flags_write(PageId p, const char* label, checker::SourceLoc loc = checker::SourceLoc::current());

  /// Ghost: references each thread owns, by (thread, page) (own_page_ref).
  std::map<std::pair<checker::ThreadId, PageId>, int> own_refs;

  /// A description of the whole machine's state, for the commutation check
  /// (checker::Program::state_fingerprint).
  std::string fingerprint() const;

  /// Take a page from the free pool (alloc_page_vma / alloc_pages_exact_node):
  /// the first small (not compound) one on node `nid`. kNoPage when none is left.
  PageId alloc_page(int nid, const char* label, checker::SourceLoc loc = checker::SourceLoc::current());
  /// Take a compound page of `nr_pages` pages (a THP: alloc_hugepage_vma,
  /// alloc_pages_node + prep_transhuge_page) from node `nid`'s free pool, or a small
  /// page when nr_pages is 1, or the first compound page of any size when nr_pages is 0
  /// (a THP fault: the model's THPs come in the sizes the scenario declares). kNoPage
  /// when none of that size is left.
  PageId alloc_pages(int nid, std::uint32_t nr_pages, const char* label,
                     checker::SourceLoc loc = checker::SourceLoc::current());
  // ---- KASAN-style poisoning (2.6.33 era): a failure naming the object and who freed it ----
  /// Fail when stable node `node` was freed; `where` is the accessing function.
  void kasan_stable_node(std::uint32_t node, const char* where) const;
  /// Fail when rmap_item `item` was freed.
  void kasan_rmap_item(std::uint32_t item, const char* where) const;
  /// Fail when anon_vma `av` was freed.
  void kasan_anon_vma(std::uint32_t av, const char* where) const;
  /// Fail when mm's page table was freed (v3.9 exit_mmap -> free_pgtables); called
  /// in the step that takes the table's ptl (the split ptl lives in the table's page).
  void kasan_page_table(const MmStruct& m, const char* where) const;
  /// Fail when mm's mm_struct was freed (the last mmdrop); `where` names the access.
  void kasan_mm(std::uint32_t mm, const char* where) const;
  /// Fail when page p's struct page was offlined with its memory section.
  void kasan_page(PageId p, const char* where) const;
  /// "FUNCTION by THREAD": recorded in an object's freed_at when it is freed.
  static std::string freed_by(const char* function);
  /// The memory section holding pfn p, or nullptr.
  MemorySection* section_of(PageId p);

  /// Note a page-field change: "K.mapping = S".
  void note(std::string_view text) const { checker::note(text); }
};

}  // namespace model
