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
#include <optional>
#include <string>
#include <utility>
#include <vector>

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
/// copy_one_pte() (v3.9 and v4.19 alike): copy the parent's pte in pslot (not none)
/// into the child's cslot, both ptls held: swap_duplicate, a migration entry made read
/// for a COW mapping, a present page write-protected in both (recorded in `wrprotected`
/// when given), referenced and rmapped again, the child's copy old.
void copy_one_pte(Kernel& k, std::uint32_t child_vma, std::uint32_t parent_vma, PteSlot& pslot, PteSlot& cslot,
                  std::vector<std::pair<std::uint64_t, PageId>>* wrprotected);
/// dup_mmap's copy of one vma (v3.9 and v4.19): flags and vm_pgoff, then anon_vma_fork:
/// the child's vma joins the parent's anon_vma (under the root's lock).
void dup_vma(Kernel& k, std::uint32_t child_vma, std::uint32_t parent_vma);
/// dup_mmap's flush_tlb_mm(oldmm): the TLB entries of the ptes copy_one_pte write-protected.
void flush_tlb_mm(Kernel& k, std::uint32_t parent, const std::vector<std::pair<std::uint64_t, PageId>>& wrprotected);
/// The layout check of the fork actor: empty string when `child` can receive
/// a copy of `parent`, else what is wrong.
std::string fork_layout_error(const Kernel& k, std::uint32_t child, std::uint32_t parent);

namespace v4_19 {
/// kernel/fork.c v4.19 dup_mmap: as v3.9's, without KSM, with the mmu notifier around
/// each COW vma's copy and the pmd level (copy_huge_pmd, each table's own ptl).
int dup_mmap(Kernel& k, std::uint32_t child, std::uint32_t parent);
/// The 4.19 part of fork_layout_error: the child's pmds can take the parent's (a table
/// under a table, none under a huge pmd); no KSM parent.
std::string fork_pmd_layout_error(const Kernel& k, std::uint32_t child, std::uint32_t parent);
/// What copy_huge_pmd leaves in the child's pmd at addr when the parent's (at load) is a huge
/// pmd (write-protected; the huge zero page as it is) or a pmd migration entry (made read) and
/// the child's is declared none; nothing otherwise. The state a thread of a fork's child, started
/// after dup_mmap, is judged against at load (scenario.cpp) and counted by `mmcheck check`.
std::optional<Pmd> forked_huge_pmd(const Kernel& k, std::uint32_t parent, std::uint32_t child, std::uint64_t addr);
}  // namespace v4_19

}  // namespace model
