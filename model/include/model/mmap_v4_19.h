// mmap_v4_19.h: kernel 4.19's zap family: the unmapping of munmap
// (mm/mmap.c: vm_munmap -> do_munmap -> unmap_region), of MADV_DONTNEED
// (mm/memory.c: zap_page_range) and of the last mmput (kernel/fork.c mmput ->
// mm/mmap.c exit_mmap), over mm/memory.c's unmap_vmas -> unmap_single_vma ->
// zap_pmd_range -> zap_huge_pmd / zap_pte_range.
//
// Lock rules (as in v4.19): munmap holds mmap_sem for write, MADV_DONTNEED for
// read, exit_mmap none (the mm has no users left). Each zap brackets its range
// with mmu_notifier_invalidate_range_start/end (an HMM mirror's overlapping
// ranges are invalidated); a huge pmd is cleared under the mm's pmd lock, ptes
// under their table's ptl. Invariant: a zap covers whole huge pmds only (a
// partial one would need __split_huge_pmd: refused when the scenario is loaded).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/kernel.h"
#include "model/memory.h"

namespace model::v4_19 {

/// unmap_vmas(): the mmu notifier's range start, each vma's part of [start, end)
/// zapped (unmap_single_vma), the notifier's range end.
void unmap_vmas(Kernel& k, MmuGather& tlb, const std::vector<std::uint32_t>& vmas, std::uint64_t start,
                std::uint64_t end);
/// zap_page_range(): [start, end) of one vma, with its own mmu_gather and notifier bracket.
void zap_page_range(Kernel& k, std::uint32_t vma, std::uint64_t start, std::uint64_t end);
/// inc_tlb_flush_pending() / dec_tlb_flush_pending(): mm->tlb_flush_pending around a zap's
/// mmu_gather (tlb_gather_mmu .. tlb_finish_mmu); a commuting update of its object when it has one.
void inc_tlb_flush_pending(Kernel& k, std::uint32_t mm);
void dec_tlb_flush_pending(Kernel& k, std::uint32_t mm);
/// mm_tlb_flush_pending(): a zap of mm is between tlb_gather_mmu and tlb_finish_mmu (a Read).
bool mm_tlb_flush_pending(Kernel& k, std::uint32_t mm);
/// free_pgtables(): unlink_anon_vmas of each vma; with free_page_table (exit_mmap) the mm's
/// pmd entries are written and its page tables freed (a later walk is a use-after-free).
void free_pgtables(Kernel& k, const std::vector<std::uint32_t>& vmas, bool free_page_table);

/// do_munmap() of the whole vma of mm containing addr (detach, unmap_region:
/// unmap_vmas, free_pgtables, tlb_finish_mmu, remove_vma); the caller holds mmap_sem
/// for write (model::vm_munmap, shared with v3.9). Nothing when no vma contains addr.
void do_munmap(Kernel& k, std::uint32_t mm, std::uint64_t addr);
/// mmput() of the last user: __mmput -> exit_mmap (mmu_notifier_release, unmap_vmas
/// of every vma, free_pgtables, tlb_finish_mmu, remove_vma).
void mmput(Kernel& k, std::uint32_t mm);

/// Why a zap of [start, end) in mm would need a path the 4.19 model lacks (a huge
/// pmd only partly inside: __split_huge_pmd), or "".
std::string zap_model_error(const Kernel& k, std::uint32_t mm, std::uint64_t start, std::uint64_t end);

}  // namespace model::v4_19
