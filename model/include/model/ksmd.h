// ksmd.h: ksmd's scan (mm/ksm.c ksm_scan_thread, ksm_do_scan and what it calls) and the
// merge_across_nodes sysfs store.
//
// Modelled: the scan cursor over the mm list, rmap_item lookup/allocation,
// stable_tree_search's descent with get_ksm_page pruning stale nodes, the
// "ksm page forked" shortcut, merging with a stable node's page
// (try_to_merge_with_ksm_page) and stable_tree_append; the full scan: the
// checksum gate, the per-nid unstable trees (reset at each full scan, seqnr),
// unstable_tree_search_insert, try_to_merge_two_pages, stable_tree_insert (from
// preallocated "unused" stable nodes) and break_cow.
// Lock order: ksm_thread_mutex -> mmap_sem -> page lock; ksm_mmlist_lock innermost.
#pragma once

#include <cstdint>

#include "model/kernel.h"

namespace model {

/// merge_across_nodes_store(): write 0/1 to /sys/kernel/mm/ksm/merge_across_nodes. 0 or -errno.
long merge_across_nodes_store(Kernel& k, unsigned knob);
/// The ksmd thread: `batches` times, wait until ksmd_should_run(), then one ksm_do_scan(pages)
/// under ksm_thread_mutex (a batch ends at the end of a full scan).
void ksmd_scan(Kernel& k, int pages, int batches = 1);
/// One batch: ksmd_should_run(), ksm_do_scan(pages) under ksm_thread_mutex; false when ksmd should not run.
bool ksm_do_scan(Kernel& k, int pages);
/// memcmp_pages() == 0: the two pages hold the same data token (a read step on each "K.data"
/// when the scenario stores).
bool memcmp_pages(Kernel& k, PageId page1, PageId page2, const char* label);
/// stable_tree_search(): the KSM page with the same content as page (referenced), or kNoPage.
/// Precondition: ksm_thread_mutex held.
PageId stable_tree_search(Kernel& k, PageId page);
/// stable_tree_append(): link rmap_item into node's hlist. Precondition: node's page locked.
void stable_tree_append(Kernel& k, std::uint32_t rmap_item, std::uint32_t node);

}  // namespace model
