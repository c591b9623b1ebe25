// mm_struct.h: an address space: mm_struct with its vmas, anon_vmas and its
// page tables: the pmds (one per 2 MiB range, model/pmd.h) and the pte slots
// of the tables under them.
//
// Invariants: vmas are sorted by start and do not overlap; every pte slot
// that is not none lies inside some vma (a none slot may lie outside: the
// target of an mremap, model/mremap.h) and under a pmd that is a table; an
// anon page's address in a vma is vm_start + (page->index - vm_pgoff) pages;
// a pte slot's value
// changes only under its table's ptl (one `ptl` per mm in the eras before
// 4.19, the table's own PmdSlot::ptl in 4.19), a pmd's only under `pmd_lock`.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <checker/checker.h>

#include "model/pmd.h"
#include "model/pte.h"

namespace model {

inline constexpr std::uint64_t kPageSize = 0x1000;

/// vm_flags bits the model uses.
enum VmFlag : std::uint32_t {
  VM_READ = 1u << 0,
  VM_WRITE = 1u << 1,
  VM_SHARED = 1u << 2,
  VM_MERGEABLE = 1u << 3,
  VM_LOCKED = 1u << 4,
  VM_HUGEPAGE = 1u << 5,  ///< madvise(MADV_HUGEPAGE) (4.19): a fault under a none pmd may map a THP
};

/// struct anon_vma: the lock (a rwsem from v3.8; a spinlock in 2.6.33, which
/// the model takes as the rwsem's write side) and the vmas chained to it.
struct AnonVma {
  std::string name;
  std::uint32_t root = 0;           ///< anon_vma->root (index into Kernel::anon_vmas)
  std::vector<std::uint32_t> vmas;  ///< the vmas chained to it (anon_vma_chain), as indices
  int refcount = 0;                 ///< get_anon_vma/put_anon_vma references (rmap_items hold one)
  bool freed = false;               ///< 2.6.33: anon_vma_free() ran (drop_anon_vma, anon_vma_unlink)
  std::string freed_at;             ///< who freed it, for KASAN reports
  std::optional<checker::RwSem> lock;  ///< anon_vma->rwsem ("avA")
};

/// struct vm_area_struct.
struct Vma {
  std::uint32_t mm = 0;              ///< vm_mm (index into Kernel::mms)
  std::uint64_t start = 0, end = 0;  ///< [vm_start, vm_end)
  std::uint32_t flags = 0;           ///< VmFlag bits
  /// vm_pgoff: the linear page index of vm_start (the scenario's "vm_pgoff",
  /// default start / kPageSize; copy_vma keeps it when mremap moves the vma).
  std::uint64_t pgoff = 0;
  std::uint32_t anon_vma = 0xffffffffu;  ///< vma->anon_vma, or none
  bool madv_unmerged = false;        ///< ghost: madvise(MADV_UNMERGEABLE) succeeded on it
  bool has_anon_vma() const { return anon_vma != 0xffffffffu; }
  /// include/linux/pagemap.h v3.9: linear_page_index(vma, address) (the page->index of an anon page at addr)
  std::uint64_t linear_page_index(std::uint64_t addr) const { return (addr - start) / kPageSize + pgoff; }
  /// mm/rmap.c v3.9: vma_address (vm_start + (index - vm_pgoff) pages), or 0 outside [start, end)
  std::uint64_t address_of(std::uint64_t index) const {
    if (index < pgoff || index - pgoff >= (end - start) / kPageSize) return 0;
    return start + (index - pgoff) * kPageSize;
  }
};

/// One pte slot: its checker object ("A.pte[0x1000]") and value.
struct PteSlot {
  std::uint64_t address = 0;
  checker::ObjectId obj = checker::kNoObject;
  Pte pte;
};

/// struct mm_struct with its single page table.
struct MmStruct {
  std::string name;                   ///< "A"
  std::vector<std::uint32_t> vmas;    ///< mm->mmap, sorted by start
  int mm_users = 1;                   ///< 0 once exiting (ksm_test_exit)
  /// mm_count (mmgrab/mmdrop): one reference for all the users (__mmput drops it) and one
  /// per KSM mm_slot (__ksm_enter's atomic_inc). At 0 __mmdrop frees the mm_struct:
  /// `freed_at` names who did ("mmdrop by X"; empty while it is live), and an access
  /// through it later is a KASAN report (Kernel::kasan_mm).
  int mm_count = 1;
  std::string freed_at;
  /// "A.mm_users" (v3.9 exit scenarios only, Kernel::track_mm_users): the
  /// lockless atomic mmput decrements and ksm_test_exit reads.
  checker::ObjectId users_obj = checker::kNoObject;
  /// 4.19: mm->tlb_flush_pending, raised by tlb_gather_mmu and lowered by tlb_finish_mmu
  /// (inc/dec_tlb_flush_pending), read by write_protect_page (mm_tlb_flush_pending). An
  /// object ("A.tlb_flush_pending") only in 4.19 scenarios where a zap runs beside KSM
  /// (Kernel::track_tlb_flush_pending); elsewhere nobody reads it and no step is added.
  int tlb_flush_pending = 0;
  checker::ObjectId tlb_flush_pending_obj = checker::kNoObject;
  /// An `exit` thread of the scenario ends this mm (set at load; static).
  bool exit_thread = false;
  /// A get_user_pages_fast thread walks this mm (set at load; static): its TLB flushes wait
  /// for "A.irqs_off" (model/gup_fast.h), and every flush of a cleared pte is modelled.
  bool gup_fast = false;
  /// "A.irqs_off" (only when gup_fast): one reader per CPU of the mm inside a
  /// get_user_pages_fast walk (local_irq_disable..enable); a TLB flush's IPI takes
  /// and drops the write side, so it completes only when no CPU has interrupts off.
  std::optional<checker::RwSem> irqs_off;
  /// Before 4.19: declared `"pmd": "none"` (no page table; set at load, static).
  bool no_page_table = false;
  /// v3.9 exit_mmap -> free_pgtables freed the page table ("FUNCTION by THREAD");
  /// empty while it is live. A later pte lookup is a KASAN use-after-free.
  std::string pgtables_freed_at;
  bool mmf_vm_mergeable = false;      ///< MMF_VM_MERGEABLE: has an mm_slot
  /// The pmds, by 2 MiB-aligned address (ordered: deterministic walks). A range
  /// with no slot has pmd none. Before 4.19 every range holding ptes is a table.
  std::map<std::uint64_t, PmdSlot> pmds;
  std::map<std::uint64_t, PteSlot> ptes;  ///< address -> slot (ordered: deterministic walks)
  std::optional<checker::RwSem> mmap_sem;  ///< "A.mmap_sem"
  std::optional<checker::Spinlock> ptl;    ///< "A.ptl": the page table lock (eras before 4.19)
  /// "A.pmd_lock" (4.19): pmd_lockptr(), the split lock of the pmd page; the
  /// scenarios' ranges lie in one pmd page (1 GiB), so one per mm.
  std::optional<checker::Spinlock> pmd_lock;
};

}  // namespace model
