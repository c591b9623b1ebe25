// memory.h: the fault and lookup paths of mm/memory.c (and the
// migration-entry wait of mm/migrate.c they call), at the pte level.
//
// All functions run in a simulated thread and announce their lock, pte and
// lockless page operations. Preconditions are documented per function; the
// caller holds the mm's mmap_sem for read unless said otherwise.
#pragma once

#include <cstdint>
#include <tuple>
#include <vector>

#include "model/kernel.h"

namespace model {

/// follow_page() flags.
enum FollFlags : unsigned {
  FOLL_WRITE = 0x01,
  FOLL_GET = 0x04,
  FOLL_FORCE = 0x10,       ///< get_user_pages(force): the vma's VM_MAY* flags suffice (ptrace, /proc/PID/mem)
  FOLL_COW = 0x4000,       ///< 19be0eaffa3a: COW was broken; a dirty read-only pte may be followed for a write
  FOLL_MIGRATION = 0x400,  ///< wait for migration entries (5117b3b835f2)
};

/// handle_mm_fault() flags and VM_FAULT_* result bits.
enum FaultFlags : unsigned { FAULT_FLAG_WRITE = 0x01 };
enum VmFault : unsigned {
  VM_FAULT_OOM = 0x0001,
  VM_FAULT_SIGBUS = 0x0002,
  VM_FAULT_MAJOR = 0x0004,
  VM_FAULT_WRITE = 0x0008,
  VM_FAULT_FALLBACK = 0x0800,  ///< 4.19: a huge-pmd fault that could not map a THP
  /// Ghost (no kernel bit): the fault backed out (a lost pte_same or pte_none race, a
  /// page that left the swap cache, a migration entry waited out) and the pte still
  /// does not allow the access, so the hardware faults again: `fault` re-runs it.
  VM_FAULT_AGAIN_GHOST = 0x8000,
  /// Ghost (no VM_FAULT bit in 3.9; not 4.19's VM_FAULT_SIGSEGV either): the arch
  /// fault handler found no vma (__do_page_fault's bad_area): SIGSEGV, SEGV_MAPERR.
  VM_FAULT_BAD_AREA_GHOST = 0x4000,
  /// The results that end a user access: VM_FAULT_ERROR's bits the model has, and bad_area.
  VM_FAULT_ENDS_ACCESS = VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_BAD_AREA_GHOST,
};

/// VM_FAULT_AGAIN_GHOST when the pte `now` (read under the ptl at a back-out)
/// would make the access fault again: not present, or a write to a read-only pte.
inline unsigned access_faults_again(const Pte& now, unsigned fault_flags) {
  return !now.is_present() || ((fault_flags & FAULT_FLAG_WRITE) && !now.write) ? unsigned{VM_FAULT_AGAIN_GHOST} : 0u;
}

/// mm/memory.c v3.9 (the 3.9.6 tree's backport), mm/gup.c v4.19: can_follow_write_pte: a
/// FOLL_WRITE lookup takes a writable pte, or after a COW cycle (FOLL_COW, 19be0eaffa3a) a
/// dirty read-only one; FOLL_FORCE is needed for that too, except in 4.19 with 17839856fd58
/// (its forced COW break of a read pin relies on it without FOLL_FORCE).
bool can_follow_write_pte(const Kernel& k, const Pte& pte, unsigned flags);

/// follow_page(): the page mapped at addr in vma, with a reference when
/// FOLL_GET, or kNoPage (NULL: nothing present). With FOLL_MIGRATION a
/// migration entry is waited out and the lookup repeated.
PageId follow_page(Kernel& k, std::uint32_t vma, std::uint64_t addr, unsigned flags);

/// handle_mm_fault() -> handle_pte_fault(): resolve a fault at addr.
/// Models present ptes (write faults go to do_wp_page) and migration entries
/// (do_swap_page -> migration_entry_wait); other cases are reported as model limits.
unsigned handle_mm_fault(Kernel& k, std::uint32_t vma, std::uint64_t addr, unsigned fault_flags);

/// A user access at addr that faults (do_page_fault: mmap_sem for read,
/// handle_mm_fault), re-run after a migration entry was waited out (2.6.33, 3.9).
unsigned fault(Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write);

/// do_wp_page(): write fault on the present read-only pte orig_pte.
/// Precondition: the mm's ptl is held; it is released on return.
unsigned do_wp_page(Kernel& k, std::uint32_t vma, std::uint64_t addr, const Pte& orig_pte);

/// migration_entry_wait(): if addr still holds a migration entry, sleep until
/// its page is unlocked (mm/migrate.c).
void migration_entry_wait(Kernel& k, std::uint32_t mm, std::uint64_t addr);

/// page_remove_rmap() / page_add_anon_rmap() / page_add_new_anon_rmap()
/// (mm/rmap.c): mapcount bookkeeping, inside an already announced pte write.
void page_remove_rmap(Kernel& k, PageId page);
void page_add_anon_rmap(Kernel& k, PageId page, std::uint32_t vma, std::uint64_t addr);
void page_add_new_anon_rmap(Kernel& k, PageId page, std::uint32_t vma, std::uint64_t addr);

/// do_anonymous_page(): a fault on a none pte of an anonymous vma. A write
/// fault allocates a zeroed page (VM_FAULT_OOM when none is free) and maps it
/// under the ptl after the pte_none recheck; a read fault maps the zero page
/// read-only (Kernel::zero_page; a later write fault COWs it in do_wp_page).
unsigned do_anonymous_page(Kernel& k, std::uint32_t vma, std::uint64_t addr, unsigned fault_flags);

/// anon_vma_prepare() (the vma's anon_vma must be declared: else a model limit) +
/// alloc_zeroed_user_highpage_movable() + __SetPageUptodate(): a zeroed page of node 0
/// with one reference, or kNoPage when none is free (do_anonymous_page, the zero page's COW).
PageId alloc_zeroed_anon_page(Kernel& k, const Vma& v);

/// struct mmu_gather: the pages whose reference an unmap releases at tlb_finish_mmu.
struct MmuGather {
  std::vector<PageId> pages;
  /// (mm, [start, end), page) of the writable present ptes (one page) and huge pmds
  /// (2 MiB, 4.19) cleared: their TLB entries are flushed (tlb_flush_mmu) before the
  /// batched pages are released.
  struct Flush {
    std::uint32_t mm;
    std::uint64_t start, end;
    PageId page;
  };
  std::vector<Flush> flushes;
  void flush_page(std::uint32_t mm, std::uint64_t addr, PageId page) { flushes.push_back({mm, addr, addr + kPageSize, page}); }
};
/// zap_pte_range() (v3.9): clear the ptes of vma in [start, end) under the ptl;
/// present: page_remove_rmap, the reference batched in tlb; swap: swap_free;
/// migration entry: migration_entry_to_page's BUG_ON(!PageLocked), nothing else.
void zap_pte_range(Kernel& k, MmuGather& tlb, std::uint32_t vma, std::uint64_t start, std::uint64_t end);
/// zap_pte_range()'s loop (v3.9, v4.19): the same clearing of the ptes of vma in
/// [start, end); the caller holds the table's ptl (v3.9: the mm's, v4.19: pte_lockptr).
void zap_pte_entries(Kernel& k, MmuGather& tlb, std::uint32_t vma, std::uint64_t start, std::uint64_t end);
/// unmap_vmas() (v3.9): zap_pte_range over each vma's part of [start, end).
void unmap_vmas(Kernel& k, MmuGather& tlb, const std::vector<std::uint32_t>& vmas, std::uint64_t start,
                std::uint64_t end);
/// free_pgtables() (v3.9): unlink_anon_vmas of each vma; with free_page_table
/// (exit_mmap) the mm's page table is freed (later lookups fail as KASAN).
void free_pgtables(Kernel& k, const std::vector<std::uint32_t>& vmas, bool free_page_table);
/// tlb_finish_mmu() (v3.9): release the batched page references.
void tlb_finish_mmu(Kernel& k, MmuGather& tlb);

/// Report a kernel path the model does not cover (ends the execution).
[[noreturn]] void model_limit(const std::string& what);
/// model_limit() for a fallback taken only because the pool ran out of free THPs (of
/// `subpages` subpages; 0: any size) on node 0: the message says how to avoid it.
[[noreturn]] void thp_pool_limit(const std::string& what, std::uint32_t subpages);

}  // namespace model
