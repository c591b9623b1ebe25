// memory.h: the fault and lookup paths of mm/memory.c (and the
// migration-entry wait of mm/migrate.c they call), at the pte level.
//
// All functions run in a simulated thread and announce their lock, pte and
// lockless page operations. Preconditions are documented per function; the
// caller holds the mm's mmap_sem for read unless said otherwise.
#pragma once

#include <cstdint>

#include "model/kernel.h"

namespace model {

/// follow_page() flags.
enum FollFlags : unsigned {
  FOLL_WRITE = 0x01,
  FOLL_GET = 0x04,
  FOLL_MIGRATION = 0x400,  ///< wait for migration entries (5117b3b835f2)
};

/// handle_mm_fault() flags and VM_FAULT_* result bits.
enum FaultFlags : unsigned { FAULT_FLAG_WRITE = 0x01 };
enum VmFault : unsigned {
  VM_FAULT_OOM = 0x0001,
  VM_FAULT_SIGBUS = 0x0002,
  VM_FAULT_MAJOR = 0x0004,
  VM_FAULT_WRITE = 0x0008,
};

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

/// Report a kernel path the model does not cover (ends the execution).
[[noreturn]] void model_limit(const std::string& what);

}  // namespace model
