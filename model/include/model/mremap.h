// mremap.h: the v3.9 and v4.19 move of a whole anonymous vma to a free place of the
// same mm (mm/mremap.c: sys_mremap with MREMAP_MAYMOVE|MREMAP_FIXED, mremap_to,
// move_vma, move_page_tables, move_ptes; mm/mmap.c: copy_vma, shared by both eras;
// 4.19's mm/huge_memory.c move_huge_pmd: model/src/mremap_v4_19.cpp).
//
// Lock rules (as in v3.9): mremap holds mmap_sem for write throughout; move_ptes
// takes the anon_vma lock for write only when copy_vma says need_rmap_locks, then
// the old table's ptl and (when it is another lock) the new table's nested. The
// pre-4.19 model has one ptl per mm, so the two are one lock; in 4.19 each table has
// its own, and a huge pmd or pmd migration entry moves whole under the mm's pmd lock
// (move_huge_pmd), all of move_page_tables inside mmu_notifier_invalidate_range_start/end.
// Invariant (what makes the move safe against rmap walks, v3.9): a new vma is chained
// into every anon_vma of the old one, behind it in the interval tree's traversal
// order, before any pte moves; a neighbour that vma_merge grows instead may come
// first in that order, and then (need_rmap_locks) the ptes move under the anon_vma
// lock. Either way an rmap walk sees each pte at its old or its new place.
#pragma once

#include <cstdint>
#include <string>

#include "model/kernel.h"

namespace model {

/// What is wrong with mremap(old_address -> new_address) of mm in the initial
/// state, or "" (the model moves one whole vma to a free, unmergeable place).
/// `bad_new` says whether new_address (rather than old_address) is at fault.
std::string mremap_input_error(const Kernel& k, std::uint32_t mm, std::uint64_t old_addr, std::uint64_t new_addr,
                               bool& bad_new);
/// Prepare the template for one mremap thread: the vma copy_vma will fill (detached,
/// kernel objects exist before a run) and a none pte slot at the new place of each
/// pte slot of the old vma. Returns the new vma's index. Precondition: no input error.
std::uint32_t mremap_reserve(Kernel& k, std::uint32_t mm, std::uint64_t old_addr, std::uint64_t new_addr);

/// mm/mmap.c copy_vma (v3.9 and v4.19 alike): vma_merge into a neighbour, or fill the
/// reserved `new_vma` (pgoff, anon_vma_clone, vma_link). Sets need_rmap_locks; returns the
/// vma that receives the ptes.
std::uint32_t copy_vma(Kernel& k, std::uint32_t vma, std::uint32_t new_vma, std::uint64_t pgoff,
                       bool& need_rmap_locks);

/// sys_mremap(old_address, len, len, MREMAP_MAYMOVE|MREMAP_FIXED, new_address) of the
/// whole vma at old_addr: mmap_sem for write, mremap_to -> move_vma (the era's: v3.9, or
/// v4_19::move_vma with 4.19's do_munmap). `new_vma` is
/// the vma mremap_reserve prepared. Returns new_addr, or -errno (-EFAULT when no vma
/// starts at old_addr any more, -ENOMEM when ksm_madvise's unmerge ran out of memory).
long sys_mremap(Kernel& k, std::uint32_t mm, std::uint64_t old_addr, std::uint64_t new_addr, std::uint32_t new_vma);

namespace v4_19 {
/// move_vma in kernel 4.19 (model/src/mremap_v4_19.cpp; sys_mremap calls it in a 4.19 kernel):
/// ksm_madvise(MADV_UNMERGEABLE) of the old range (4.19's break_ksm), copy_vma, move_page_tables inside the mmu notifier's range start/end, move_huge_pmd for a
/// huge pmd or pmd migration entry covering a whole 2 MiB extent, move_ptes under the old
/// table's ptl and the new one's, 4.19's do_munmap of the old vma.
long move_vma(Kernel& k, std::uint32_t vma, std::uint64_t old_addr, std::uint64_t old_len, std::uint64_t new_addr,
              std::uint32_t new_slot);
/// 4.19's refusals for a move of `old` to new_addr (called by model::mremap_input_error once
/// the eras' common checks passed; the error is then new_address's): a huge pmd or pmd migration
/// entry whose new place is not 2 MiB aligned (split_huge_pmd), a pmd of the new range that
/// is not a table.
std::string mremap_input_error(const Kernel& k, std::uint32_t mm, const Vma& old, std::uint64_t new_addr);
}  // namespace v4_19

}  // namespace model
