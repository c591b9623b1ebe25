// migrate_v4_19.h: kernel 4.19's page migration (mm/migrate.c), its rmap side
// (mm/rmap.c) and its CPU fault path (mm/memory.c) for anonymous pages mapped
// by ptes or, for a THP, by one huge pmd; with the actors that run them.
//
// The v3.9 versions of these functions are the base era (migrate.cpp,
// rmap.cpp, memory.cpp); these live beside them in namespace model::v4_19.
// Invariant: the old page is locked from before try_to_unmap until its
// migration entries (pte or pmd) are gone, restored to the new page or, on
// failure, to itself.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "model/kernel.h"
#include "model/rmap.h"

namespace model::v4_19 {

/// isolate_lru_page() (mm/vmscan.c v4.19): 0, or -EBUSY when the page is not on the LRU;
/// takes the isolation reference and clears PG_lru in one step on the whole page.
int isolate_lru_page(Kernel& k, PageId page);
/// putback_lru_page() (mm/vmscan.c v4.19): SetPageLRU and the put of the isolation reference.
void putback_lru_page(Kernel& k, PageId page);
/// Actor migrate_pages (4.19): isolate_lru_page, then migrate_pages on a
/// one-page list to node to_node with up to `passes` passes. 0 when migrated.
int migrate_pages(Kernel& k, PageId page, int to_node, int passes);
/// handle_mm_fault() -> __handle_mm_fault() -> handle_pte_fault() at addr.
unsigned handle_mm_fault(Kernel& k, std::uint32_t vma, std::uint64_t addr, unsigned fault_flags);
/// transparent_hugepage_enabled (sysfs "madvise": the vma's VM_HUGEPAGE) && transhuge_vma_suitable
/// (the vma covers the 2 MiB around addr): a fault under a none pmd there goes to create_huge_pmd.
bool thp_fault_suitable(const Kernel& k, std::uint32_t vma, std::uint64_t addr);
/// Actor handle_mm_fault (4.19): a user access to addr that faults until the
/// hardware walk finds a mapping allowing it (write: a writable one), or a fault
/// ends in VM_FAULT_OOM / VM_FAULT_SIGBUS; returns the last fault's bits.
unsigned user_access(Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write);
/// follow_page() (mm/gup.c v4.19, model/src/gup_v4_19.cpp): the page mapped at addr, with a
/// reference when FOLL_GET, or kNoPage; FOLL_MIGRATION waits out a migration entry.
PageId follow_page(Kernel& k, std::uint32_t vma, std::uint64_t addr, unsigned flags);
/// migration_entry_wait() (pte level, the table's ptl).
void migration_entry_wait(Kernel& k, std::uint32_t mm, std::uint64_t addr);
/// try_to_unmap(flags): every mapping of page becomes a migration entry (TTU_MIGRATION, the
/// default) or, for reclaim (TTU_UNMAP: flags without TTU_MIGRATION), a swap pte of the
/// page's swap-cache slot. True when the page is no longer mapped.
bool try_to_unmap(Kernel& k, PageId page, unsigned flags = TTU_MIGRATION);
/// remove_migration_ptes(old, new): every migration entry of old maps new.
void remove_migration_ptes(Kernel& k, PageId old, PageId newpage);
/// How rmap_walk_anon locks the anon_vma (rmap_walk_anon_lock): rwc->anon_lock =
/// page_lock_anon_vma_read (try_to_unmap, page_referenced: page_mapped checked before and
/// under the lock, nothing walked when the page is no longer mapped), or page_anon_vma and
/// anon_vma_lock_read (remove_migration_ptes, whose caller holds an anon_vma reference).
enum class AnonLock { PageLockAnonVmaRead, AnonVmaLockRead };
/// rmap_walk(): rmap_walk_ksm for a KSM page (ksm.cpp), else rmap_walk_anon.
void rmap_walk(Kernel& k, PageId page, const std::function<bool(std::uint32_t, std::uint64_t)>& rmap_one,
               AnonLock lock = AnonLock::AnonVmaLockRead);
/// rmap_walk() of an anon page (rmap_walk_anon): rmap_one(vma, address) per vma
/// of its anon_vma, under the root anon_vma's rwsem for read.
void rmap_walk_anon(Kernel& k, PageId page, const std::function<bool(std::uint32_t, std::uint64_t)>& rmap_one,
                    AnonLock lock = AnonLock::AnonVmaLockRead);

/// Why a fault at (mm, addr) from the initial state would take a path the
/// model does not have (create_huge_pmd / __pte_alloc under a none pmd,
/// wp_huge_pmd, anon_vma_prepare, access_error), or "" when it is modelled. Scenario validation refuses the former.
std::string fault_model_error(const Kernel& k, std::uint32_t mm, std::uint64_t addr, bool write);
/// The same for every entry an hmm_vma_fault of `range` would fault.
std::string hmm_fault_model_error(const Kernel& k, const HmmRange& range);

}  // namespace model::v4_19
