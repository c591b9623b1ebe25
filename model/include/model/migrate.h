// migrate.h: page migration (mm/migrate.c) of one isolated page, as the
// migrate_pages actor runs it.
//
// The migrating thread takes no mmap_sem and no KSM lock (compaction-style
// caller): only the page locks, anon_vma locks and ptls.
// Invariant: the old page is locked from before try_to_unmap until after its
// migration entries are gone (restored to the new page, or to itself on failure).
#pragma once

#include <cstdint>

#include "model/kernel.h"

namespace model {

/// isolate_lru_page + migrate_pages on a one-page list, to a free page on
/// node to_node, with at most `passes` passes of the retry loop (kernel: 10).
/// Returns 0 when migrated, else the last unmap_and_move result.
int migrate_one_page(Kernel& k, PageId page, int to_node, int passes);
/// unmap_and_move(): get a target page, migrate, put both back. force: lock_page instead of trylock.
int unmap_and_move(Kernel& k, PageId page, int to_node, bool force);
/// __unmap_and_move(): lock, unmap to migration entries, move, restore, unlock.
int unmap_and_move_locked(Kernel& k, PageId page, PageId newpage, bool force);
/// __unmap_and_move's PageWriteback check (v3.9, v4.19), the page locked: forced, wait for
/// the write to end; else unlock the page and return false (the caller's -EAGAIN).
bool unmap_and_move_writeback(Kernel& k, PageId page, bool force);
/// The step check G1 (Kernel::check_g1_at_unlock), all eras: no pte (nor, in 4.19, pmd)
/// holds a migration entry of `page` as the migration goes to unlock_page(page). It runs
/// at the end of the migration's step before that unlock (the timeline's failing step).
void check_g1_before_unlock(const Kernel& k, PageId page);
/// move_to_new_page(): precondition: page locked and unmapped.
int move_to_new_page(Kernel& k, PageId newpage, PageId page, bool remap);
/// migrate_page_move_mapping(): the refcount check and, for a swap-cache page,
/// the handover of its slot to newpage (freeze, slot, unfreeze). 0 or -EAGAIN.
int migrate_page_move_mapping(Kernel& k, PageId newpage, PageId page);
/// remove_migration_ptes(): every migration entry of old becomes a pte of new.
void remove_migration_ptes(Kernel& k, PageId old, PageId newpage);

}  // namespace model
