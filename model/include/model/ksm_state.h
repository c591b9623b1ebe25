// ksm_state.h: KSM's global state (mm/ksm.c): stable nodes and their trees,
// rmap_items, the mm_slot list with the ksm_scan cursor, ksm_run, the locks
// and counters.
//
// Invariants: a stable node is in at most one place: the stable tree of
// `tree_nid`, or the migrate_nodes list; its hlist holds the rmap_items that
// point at it (rmap_item.head); pages_shared counts stable nodes with a
// non-empty hlist and pages_sharing the further rmap_items on them;
// the hlist is only edited under the page lock of the node's page (G3);
// root_unstable_tree[nid] holds only rmap_items with UNSTABLE_FLAG and that
// nid, and pages_unshared counts the rmap_items with UNSTABLE_FLAG.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <checker/checker.h>

#include "model/pte.h"

namespace model {

/// ksm_run bits.
enum KsmRun : unsigned { KSM_RUN_STOP = 0, KSM_RUN_MERGE = 1, KSM_RUN_UNMERGE = 2, KSM_RUN_OFFLINE = 4 };

inline constexpr std::uint32_t kNoNode = 0xffffffffu;

/// struct stable_node.
struct StableNode {
  std::string name;                  ///< "S"
  PageId kpfn = kNoPage;             ///< the KSM page's pfn (v3.9; a page pointer in 2.6.33)
  std::vector<std::uint32_t> hlist;  ///< rmap_items (indices), hlist order (head first)
  int nid = 0;                       ///< NUMA node of kpfn when inserted
  /// Ghost: where the node is linked: a stable tree index, kInMigrateNodes, or kNotLinked.
  int tree = kNotLinked;
  bool freed = false;                ///< free_stable_node() ran
  std::string freed_at;              ///< "remove_node_from_stable_tree by ksmd": for KASAN reports (2.6.33)
  /// 2.6.33: a preallocated, not yet used node (alloc_stable_node in stable_tree_insert
  /// takes the first one; objects exist before a run, so nodes cannot be created in it).
  bool unused = false;
  checker::ObjectId obj = checker::kNoObject;  ///< kpfn, hlist and tree linkage
  static constexpr int kNotLinked = -1;
  static constexpr int kInMigrateNodes = -2;
};

/// struct rmap_item: one (mm, address) that ksmd merged or is tracking.
struct RmapItem {
  std::string name;                  ///< "RA"
  std::uint32_t mm = 0;              ///< rmap_item->mm
  std::uint64_t address = 0;         ///< page address (flags kept separately)
  std::uint32_t anon_vma = 0xffffffffu;  ///< the anon_vma it holds a reference on (stable only)
  bool stable = false;               ///< STABLE_FLAG
  bool unstable = false;             ///< UNSTABLE_FLAG
  std::uint32_t head = kNoNode;      ///< rmap_item->head: its stable node, when stable
  bool freed = false;                ///< free_rmap_item() ran
  std::string freed_at;              ///< who freed it, for KASAN reports (2.6.33)
  /// 2.6.33 ksmd: calc_checksum() recorded on the previous pass (an rmap_item of the
  /// initial state that is not stable recorded its page's content token).
  bool has_checksum = false;
  std::uint32_t oldchecksum = 0;
  /// UNSTABLE only: rmap_item->nid, the root_unstable_tree it was linked in (in union with
  /// anon_vma in the kernel), and the scan it was inserted by (address & SEQNR_MASK).
  int nid = 0;
  std::uint8_t seqnr = 0;
};

/// struct mm_slot: an mm registered with KSM and its rmap_list.
struct MmSlot {
  std::uint32_t mm = 0;
  std::vector<std::uint32_t> rmap_list;  ///< rmap_items in address order
};

/// The globals of mm/ksm.c.
struct KsmState {
  unsigned ksm_run = KSM_RUN_STOP;
  /// Ghost: a run_store wrote KSM_RUN_UNMERGE at some time of the run (swapin_fault's
  /// after_unmerge_store waits for it: a later store of another value does not undo it).
  bool unmerge_stored = false;
  bool merge_across_nodes = true;      ///< ksm_merge_across_nodes
  int nr_node_ids = 1;                 ///< NUMA nodes in the machine
  /// root_stable_tree[nid]: node indices, in insertion order (the rb-tree's
  /// order does not matter to the races modelled); one tree when merging across nodes.
  std::vector<std::vector<std::uint32_t>> root_stable_tree;
  std::vector<std::uint32_t> migrate_nodes;  ///< stable nodes awaiting a move to the right tree
  std::vector<MmSlot> mm_slots;        ///< ksm_mm_head.mm_list, in list order
  std::size_t scan_cursor = 0;         ///< ksm_scan.mm_slot: index in mm_slots; size() = &ksm_mm_head
  std::uint64_t scan_address = 0;      ///< ksm_scan.address in the cursor's mm (v3.9: kept between batches)
  long pages_shared = 0;               ///< ksm_pages_shared
  long pages_sharing = 0;              ///< ksm_pages_sharing
  bool run2_succeeded = false;         ///< ghost: a run=2 store returned success
  /// root_unstable_tree[nid] (2.6.33: the one tree, [0]): rmap_items with UNSTABLE_FLAG
  /// linked in this scan, in insertion order. v3.9 resets every tree when a full scan starts.
  std::vector<std::vector<std::uint32_t>> root_unstable_tree;
  unsigned long seqnr = 0;             ///< ksm_scan.seqnr: full scans completed (v3.9; 2.6.33 keeps 0)
  long pages_unshared = 0;             ///< ksm_pages_unshared: rmap_items with UNSTABLE_FLAG

  /// "ksmd_should_run": the parent of run_obj and of ksm_mmlist_lock, for the one test
  /// that reads both, ksmd_should_run's (ksm_run & KSM_RUN_MERGE) && !list_empty(&ksm_mm_head):
  /// ksmd's idle wait and its check under ksm_thread_mutex. A slot added or removed (under
  /// ksm_mmlist_lock) is then ordered against that test, and neither child against the other.
  checker::ObjectId should_run_obj = checker::kNoObject;
  checker::ObjectId run_obj = checker::kNoObject;       ///< "ksm_run"
  checker::ObjectId tree_obj = checker::kNoObject;      ///< "root_stable_tree"
  std::optional<checker::Mutex> ksm_thread_mutex;       ///< "ksm_thread_mutex"
  std::optional<checker::Spinlock> ksm_mmlist_lock;     ///< "ksm_mmlist_lock"

  /// ksm_nr_node_ids: how many stable trees are in use.
  int ksm_nr_node_ids() const { return merge_across_nodes ? 1 : nr_node_ids; }
};

}  // namespace model
