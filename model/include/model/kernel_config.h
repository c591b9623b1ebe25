// kernel_config.h: which kernel the model runs as: an era (the source release
// the model follows) and the set of upstream fixes applied in it.
//
// Each upstream fix is a toggle named by its mainline commit id. A fix belongs
// to the eras whose model contains the code it changes (one, or several when
// the model follows that code in each); a scenario names its era and the fixes
// it reverts, and reverting a fix of another era is refused: that combination
// never existed.
// Invariant: every id in KernelConfig::reverted is a fix of KernelConfig::era.
#pragma once

#include <string>
#include <vector>

namespace model {

/// The kernel source releases the model follows.
enum class Era { V2_6_33, V3_9, V4_19 };

/// A set of eras, as bits (era_bit): which eras an actor or invariant exists in.
using EraSet = unsigned;
constexpr EraSet era_bit(Era e) { return 1u << static_cast<unsigned>(e); }
inline constexpr EraSet kEra2_6_33 = era_bit(Era::V2_6_33);
inline constexpr EraSet kEra3_9 = era_bit(Era::V3_9);
inline constexpr EraSet kEra4_19 = era_bit(Era::V4_19);
inline constexpr EraSet kAllEras = kEra2_6_33 | kEra3_9 | kEra4_19;

/// The upstream fixes the model knows, by mainline commit.
enum class Fix {
  FollMigration,            ///< 5117b3b835f2 mm,ksm: FOLL_MIGRATION do migration_entry_wait (v3.9)
  RemoveOldStableNodes,     ///< cbf86cfe04a6 ksm: remove old stable nodes more thoroughly (v3.9)
  // The four parts of cbf86cfe04a6, each revertible alone ("cbf86cfe04a6/1".."/4");
  // reverting the whole commit reverts all four (see KernelConfig::applied).
  StaleNodesSweep,          ///< cbf86cfe04a6/1 cause 1: remove_all_stable_nodes after unmerge and in merge_across_nodes_store
  ForkTailInsert,           ///< cbf86cfe04a6/2 cause 2: __ksm_enter inserts at the list tail when KSM_RUN_UNMERGE
  SwapinCopyKsm,            ///< cbf86cfe04a6/3 cause 3: ksm_might_need_to_copy copies a KSM page when UNMERGE or nodeless
  SwapinUptodateCheck,      ///< cbf86cfe04a6/4 ksm_might_need_to_copy does not copy a !PageUptodate page
  RmapWalkMigrationPtes,    ///< e9995ef978a7 ksm: rmap_walk to remove_migation_ptes (v2.6.33)
  HotremoveMigrationOnly,   ///< 62b61f611eb5 ksm: memory hotremove migration only (v2.6.33)
  HmmMigrationPmd,          ///< d08faca018c4 mm/hmm: properly handle migration pmd (v4.20)
  MremapTlbFlush,           ///< eb66ae030829 mremap: properly flush TLB before releasing the page (v4.20)
  GupCowBreak,              ///< 17839856fd58 gup: document and work around "COW can break either way" issue (v5.8, in 4.19.y)
  SwapinRecheck,            ///< 4969c1192d15 mm: fix swapin race condition (v2.6.36)
  FollCow,                  ///< 19be0eaffa3a mm: remove gup_flags FOLL_WRITE games from __get_user_pages() (v4.9; Dirty COW)
  TouchPmdDirty,            ///< a8f97366452e mm, thp: Do not make page table dirty unconditionally in touch_p[mu]d() (v4.15; Huge Dirty COW)
  RemoveMigrationPteLocked, ///< 486cf46f3f9b mm: fix race between mremap and removing migration entry (v3.1)
  ScanHeadRecheck,          ///< 2b472611a32a ksm: fix NULL pointer dereference in scan_get_next_rmap_item() (v3.0)
  ScanUpReadFirst,          ///< 7496fea9a6bf ksm: fix conflict between mmput and scan_get_next_rmap_item (v4.13)
  // The parts of e9995ef978a7 ("e9995ef978a7/1", "/2") and 62b61f611eb5 ("/1".."/3"),
  // each revertible alone; reverting the whole commit reverts its parts.
  RmapWalkRemoveMigrationPtes,  ///< e9995ef978a7/1: remove_migration_ptes through rmap_walk (-> rmap_walk_ksm, two passes)
  KsmMigratePage,               ///< e9995ef978a7/2: migrate_page_copy calls ksm_migrate_page
  HotremoveKsmMutex,            ///< 62b61f611eb5/1: ksm_memory_callback holds ksm_thread_mutex across the offline
  KsmMigrateOnlyOfflining,      ///< 62b61f611eb5/2: check_pte_range skips PageKsm; unmap_and_move refuses it unless offlining
  StableNodeKpfnPrune,          ///< 62b61f611eb5/3: stable_node->kpfn instead of ->page; MEM_OFFLINE prunes nodes in the range
};

/// One row of the fix catalogue.
struct FixInfo {
  Fix fix;
  const char* id;     ///< 12-hex mainline commit id, or "id/N" for part N of a commit
  const char* title;  ///< the commit's subject line
  EraSet eras;        ///< the eras whose model contains (and may revert) it
  const char* release;  ///< the mainline release that first shipped it
};

const std::vector<FixInfo>& fix_catalogue();
/// The era's name as scenarios spell it: "2.6.33", "3.9", "4.19".
const char* era_name(Era era);
/// "2.6.33, 3.9": the names of the eras in `set`, in release order.
std::string era_names(EraSet set);
/// Parse an era name; false when unknown.
bool parse_era(const std::string& name, Era& out);
/// Find a fix by its 12-hex commit id (or "id/N" part); nullptr when unknown.
const FixInfo* find_fix(const std::string& id);
/// The whole commits of `era` that mainline first shipped after the era's own release
/// (eb66ae030829, v4.20, in the 3.9 model) and that `reverted` (fix ids as a scenario
/// lists them) leaves applied, as "id (vX.Y)" in catalogue order: the model of an era
/// includes them unless reverted, and a run's header says so.
std::vector<std::string> later_fixes_applied(Era era, const std::vector<std::string>& reverted);

/// The kernel a scenario runs: an era with some of its fixes reverted.
struct KernelConfig {
  Era era = Era::V3_9;
  std::vector<Fix> reverted;  ///< fixes of `era` taken out again

  /// True when `fix` is in this kernel: it belongs to the era and is not reverted
  /// (a part of a commit is also out when its whole commit is reverted).
  bool applied(Fix fix) const;
};

}  // namespace model
