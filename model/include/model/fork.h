// fork.h: fork's copy of an address space (kernel/fork.c dup_mmap,
// mm/memory.c copy_page_range) and KSM's part in it (ksm_fork, __ksm_enter).
//
// The child mm, its vmas, anon_vma and pte slots are declared in the
// scenario's initial state (objects are created before a run), empty: the
// fork actor checks that layout and fills it. Lock order: parent mmap_sem ->
// child mmap_sem -> anon_vma -> child ptl -> parent ptl; ksm_mmlist_lock innermost.
// Invariant: the child's ptes are written only under its mmap_sem held for write.
#pragma once

#include <cstdint>
#include <string>

#include "model/kernel.h"

namespace model {

/// dup_mmap(): copy parent's vmas and ptes into child, registering child with KSM.
int dup_mmap(Kernel& k, std::uint32_t child, std::uint32_t parent);
/// ksm_fork(): __ksm_enter(child) when the parent has MMF_VM_MERGEABLE.
void ksm_fork(Kernel& k, std::uint32_t child, std::uint32_t parent);
/// __ksm_enter(): add an mm_slot for mm to the KSM mm list (behind the scan
/// cursor; at the tail while KSM_RUN_UNMERGE with cbf86cfe04a6/2).
void ksm_enter(Kernel& k, std::uint32_t mm);
/// copy_page_range() of one vma: every pte of parent_vma copied into child_vma.
/// The parent's ptes it write-protects (address, page) go to `wrprotected` when given:
/// dup_mmap flushes their TLB entries at its end (flush_tlb_mm).
void copy_page_range(Kernel& k, std::uint32_t child_vma, std::uint32_t parent_vma,
                     std::vector<std::pair<std::uint64_t, PageId>>* wrprotected = nullptr);
/// The layout check of the fork actor: empty string when `child` can receive
/// a copy of `parent`, else what is wrong.
std::string fork_layout_error(const Kernel& k, std::uint32_t child, std::uint32_t parent);

}  // namespace model
