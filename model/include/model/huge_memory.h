// huge_memory.h: the pmd-level paths of kernel 4.19 for anonymous THPs:
// mm/huge_memory.c (set_pmd_migration_entry, remove_migration_pmd, copy_huge_pmd,
// huge_pmd_set_accessed, do_huge_pmd_wp_page, zap_huge_pmd), mm/pgtable-generic.c (pmdp_invalidate),
// mm/migrate.c (pmd_migration_entry_wait) and mm/page_vma_mapped.c
// (page_vma_mapped_walk).
//
// Every pmd change is a Write step on the pmd under the mm's pmd lock; the
// lockless READ_ONCE of page_vma_mapped_walk is a Read step.
// Invariant: each function returns with the locks it took released, except
// page_vma_mapped_walk, which returns a found mapping with its lock held.
#pragma once

#include <cstdint>

#include "model/kernel.h"
#include "model/memory.h"

namespace model::v4_19 {

/// struct page_vma_mapped_walk, for one (page, vma, address) of a page the
/// model maps once per vma: the mapping found, with its lock (`ptl`) held.
struct PageVmaMappedWalk {
  PageId page = kNoPage;
  std::uint32_t vma = 0;
  std::uint64_t address = 0;
  bool migration = false;          ///< PVMW_MIGRATION: look for migration entries of page
  PmdSlot* pmd = nullptr;          ///< found at the pmd level when pte == nullptr
  PteSlot* pte = nullptr;
  checker::Spinlock* ptl = nullptr;
};

/// page_vma_mapped_walk(): true when pvmw.page is mapped (or, with migration,
/// has a migration entry) at pvmw.address; the pmd or pte is then locked.
bool page_vma_mapped_walk(Kernel& k, PageVmaMappedWalk& pvmw);
/// page_vma_mapped_walk_done(): drop the lock of a found mapping.
void page_vma_mapped_walk_done(Kernel& k, PageVmaMappedWalk& pvmw);

/// set_pmd_migration_entry(): pmdp_invalidate, the migration pmd,
/// page_remove_rmap(compound) and put_page. Precondition: pvmw found a huge pmd of page.
void set_pmd_migration_entry(Kernel& k, PageVmaMappedWalk& pvmw, PageId page);
/// remove_migration_pmd(): the migration pmd becomes a huge pmd of `newpage`.
void remove_migration_pmd(Kernel& k, PageVmaMappedWalk& pvmw, PageId newpage);
/// copy_huge_pmd(): fork's copy of the parent's huge pmd `src` (of mm src_mm) into the
/// child's none pmd `dst`, under both pmd locks: a migration entry made read in both, a
/// huge pmd write-protected in both with the THP referenced and rmapped again. 0, or
/// -EAGAIN when the pmd under the lock is neither.
int copy_huge_pmd(Kernel& k, std::uint32_t dst_mm, std::uint32_t src_mm, PmdSlot& dst, PmdSlot& src);
/// pmd_migration_entry_wait(): pmd lock, recheck, get_page_unless_zero, unlock,
/// wait_on_page_locked, put_page.
void pmd_migration_entry_wait(Kernel& k, std::uint32_t mm, PmdSlot& pmd);
/// huge_pmd_set_accessed(): pmd lock, pmd_same with the faulting value, a write fault's
/// pmd_mkdirty of a clean pmd (FAULT_FLAG_WRITE in `flags`), unlock.
void huge_pmd_set_accessed(Kernel& k, std::uint32_t mm, PmdSlot& pmd, const Pmd& orig, unsigned flags);

/// do_huge_pmd_anonymous_page(): a write fault under the none pmd `pmd` of a VM_HUGEPAGE
/// vma that covers its 2 MiB: a zeroed free THP from node 0 (alloc_hugepage_vma; none:
/// VM_FAULT_FALLBACK), mapped writable under the pmd lock unless the pmd is no longer none
/// (then put back). A read fault would map the huge zero page: a model limit.
unsigned do_huge_pmd_anonymous_page(Kernel& k, std::uint32_t vma, PmdSlot& pmd, unsigned flags);
/// do_huge_pmd_wp_page(): a write fault on the read-only huge pmd `orig` of an anonymous
/// vma: under the pmd lock, the THP reused when reuse_swap_page says it is ours alone
/// (the pmd made writable), else copied into a free THP of the same size from node 0
/// (alloc_hugepage_vma; none free: the fallback is a model limit) and mapped writable
/// after pmdp_huge_clear_flush_notify, inside the mmu notifier's range. VM_FAULT_WRITE,
/// or 0 when the pmd changed (the access faults again).
unsigned do_huge_pmd_wp_page(Kernel& k, std::uint32_t vma, PmdSlot& pmd, const Pmd& orig);
/// __pmd_trans_huge_lock(): the pmd lock, held on return when the pmd is still a
/// swap pmd, trans huge or devmap; nullptr (nothing held) otherwise.
checker::Spinlock* pmd_trans_huge_lock(Kernel& k, std::uint32_t mm, PmdSlot& pmd);
/// zap_huge_pmd(): under the pmd lock, clear a huge pmd covering the whole 2 MiB
/// (pmdp_huge_get_and_clear_full); a present THP loses its compound mapcount and
/// its reference is batched in tlb; a pmd migration entry is only cleared. False
/// (nothing done) when the pmd is no longer huge under the lock.
bool zap_huge_pmd(Kernel& k, MmuGather& tlb, std::uint32_t vma, PmdSlot& pmd);

}  // namespace model::v4_19
