// ksmd.h: ksmd's scan (mm/ksm.c ksm_do_scan and what it calls) and the
// merge_across_nodes sysfs store, as the seed-003 scenarios need them.
//
// Modelled: the scan cursor over the mm list, rmap_item lookup/allocation,
// stable_tree_search's descent with get_ksm_page pruning stale nodes, the
// "ksm page forked" shortcut, merging with a stable node's page
// (try_to_merge_with_ksm_page) and stable_tree_append. Not modelled: the
// unstable tree and stable_tree_insert — a page not found in the stable tree
// stops at the checksum gate, as on a page's first visit.
// Lock order: ksm_thread_mutex -> mmap_sem -> page lock; ksm_mmlist_lock innermost.
#pragma once

#include <cstdint>

#include "model/kernel.h"

namespace model {

/// merge_across_nodes_store(): write 0/1 to /sys/kernel/mm/ksm/merge_across_nodes. 0 or -errno.
long merge_across_nodes_store(Kernel& k, unsigned knob);
/// The ksmd thread: wait until ksmd_should_run(), then one ksm_do_scan(pages) under ksm_thread_mutex.
void ksmd_scan(Kernel& k, int pages);
/// stable_tree_search(): the KSM page with the same content as page (referenced), or kNoPage.
/// Precondition: ksm_thread_mutex held.
PageId stable_tree_search(Kernel& k, PageId page);
/// stable_tree_append(): link rmap_item into node's hlist. Precondition: node's page locked.
void stable_tree_append(Kernel& k, std::uint32_t rmap_item, std::uint32_t node);

}  // namespace model
