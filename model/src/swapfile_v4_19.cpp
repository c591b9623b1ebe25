// swapfile_v4_19.cpp: kernel 4.19's swapoff entry (mm/swapfile.c v4.19 sys_swapoff
// around try_to_unuse, mm/swap_slots.c's swap_slot_cache_enabled) and the load-time
// limits of 4.19's reclaim and swapoff. The walk (try_to_unuse -> unuse_mm ->
// unuse_vma -> unuse_pte_range -> unuse_pte) is swapoff.cpp's: 4.19's differs from
// v3.9's only in names (mmget_not_zero, pte_same_as_swp, put_page), in the table's
// own ptl (Kernel::pte_lockptr) and in unuse_pmd_range's skip of huge pmds
// (unuse_pmd_range_skips, a step only when the scenario has a THP).
// Invariant: the slot cache is disabled (a step on swap_map) before try_to_unuse's
// first step, so a racing read_swap_cache_async skips no unused slot during swapoff.
#include "model/swapfile_v4_19.h"

#include "model/swap_state.h"
#include "model/swapoff.h"

namespace model::v4_19 {

// mm/swapfile.c v4.19: sys_swapoff (del_from_avail_list and SWP_WRITEOK cleared under the
// swap_lock and p->lock, disable_swap_slots_cache_lock, try_to_unuse, reinsert_swap_info and
// reenable_swap_slots_cache_unlock on failure; the accounting and the teardown are not modelled)
int swapoff(Kernel& k) {
  checker::Frame frame("swapoff");
  // del_from_avail_list(p); p->flags &= ~SWP_WRITEOK: get_swap_pages finds no area (the slot
  // cache is disabled next, so get_swap_page goes to get_swap_pages)
  clear_swp_writeok(k, "del_from_avail_list, SWP_WRITEOK cleared: get_swap_pages allocates no more slots");
  // mm/swap_slots.c v4.19: disable_swap_slots_cache_lock: swap_slot_cache_enabled = false
  checker::announce(k.swap.map_obj, checker::AccessKind::Write, "disable_swap_slots_cache_lock");
  k.swap.slot_cache_enabled = false;
  checker::note([] { return std::string("swap_slot_cache_enabled = false"); });
  const int err = try_to_unuse(k);
  if (err) {
    reinsert_swap_info(k);  // SWP_WRITEOK and the avail list again
    checker::announce(k.swap.map_obj, checker::AccessKind::Write, "reenable_swap_slots_cache_unlock");
    k.swap.slot_cache_enabled = true;
  }
  if (!err) {
    k.swap.swapoff_succeeded = true;
    if (k.swap.teardown_tracked) {
      // After try_to_unuse: p->swap_map = NULL under the swap_lock, vfree(swap_map), and
      // exit_swap_address_space (swapper_spaces[type] = NULL, synchronize_rcu, kvfree).
      checker::announce(k.swap.obj, checker::AccessKind::Write, "exit_swap_address_space");
      k.swap.address_space_freed = true;
      checker::note("swap_map and swapper_spaces[0] freed");
    }
  }
  return err;
}

// mm/swap_state.c v4.19: swap_address_space(entry) as lookup_swap_cache and free_swap_and_cache
// read it, a read of swapper_spaces[swp_type(entry)] (the area's address space, freed by swapoff)
void swap_address_space(Kernel& k, std::uint32_t entry, const char* label, const char* holder) {
  if (!k.swap.teardown_tracked) return;
  checker::announce(k.swap.obj, checker::AccessKind::Read, label);
  if (!k.swap.address_space_freed) return;
  checker::fail(checker::FailureKind::BugOn,
                std::string("BUG: unable to handle kernel NULL pointer dereference in ") + label + ": swap(" +
                    std::to_string(entry) + ")'s address space was freed by swapoff (exit_swap_address_space, "
                    "after try_to_unuse) while " + holder);
}

std::string reclaim_model_error(const Kernel& k, PageId page) {
  const Page& p = k.pages.at(page);
  if (p.PageTransHuge())
    return "page " + p.name + " is a THP: kernel 4.19's shrink_page_list splits it (split_huge_page_to_list) "
           "before add_to_swap, which is not modelled";
  return "";
}

// mm/swapfile.c v4.19: unuse_pmd_range (pmd_none_or_trans_huge_or_clear_bad: pmd_read_atomic,
// pmd_none || pmd_trans_huge || !pmd_present (a pmd migration entry) -> continue)
bool unuse_pmd_range_skips(Kernel& k, std::uint32_t mm, std::uint64_t addr) {
  if (!k.swap.unuse_reads_pmds) return false;
  checker::Frame frame("unuse_pmd_range");
  PmdSlot* slot = k.pmd_slot(mm, addr);
  if (!slot) return true;  // pmd none, never populated
  const Pmd pmd = k.read_pmd(mm, *slot, "pmd_none_or_trans_huge_or_clear_bad");
  if (pmd.kind == Pmd::Kind::Table) return false;
  checker::note([&] { return "unuse_pmd_range: pmd " + k.where(mm, slot->address) + " skipped (" + k.pmd_str(pmd) + ")"; });
  return true;
}

}  // namespace model::v4_19
