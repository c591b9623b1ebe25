// invariants.cpp: the named checks of the catalogue.
// Invariant: each end-of-run check only reads state (no announcements) and
// names the offending pte, page or node in its message.
#include "model/invariants.h"

#include <map>

#include "model/user_access.h"

namespace model {

using checker::FailureKind;

const std::vector<InvariantInfo>& invariant_catalogue() {
  static const std::vector<InvariantInfo> all = {
      {"ksm_fully_unmerged",
       "no mapped KSM page after run=2: once a run=2 store has succeeded, no pte (present or migration entry) "
       "in a VM_MERGEABLE vma of an mm on the KSM list maps a PageKsm page",
       true, kAllEras},
      {"ksm_unmergeable_vma_clean",
       "no KSM page in a vma that madvise(MADV_UNMERGEABLE) made unmergeable: no pte of it maps a PageKsm page "
       "(present or migration entry) at the end of the run",
       true, kAllEras},
      {"no_leftover_migration_entry",
       "G1: when every thread has finished (every migration has unlocked its page), no pte holds a migration entry "
       "(4.19: and no pmd is a migration entry or invalidated)",
       true, kAllEras},
      {"swapoff_complete",
       "after a swapoff that returned 0, the swap area is empty: no pte holds a swap entry, no slot has a swap "
       "count or a swap-cache page (try_to_unuse empties it; SWP_WRITEOK keeps a reclaim from allocating a slot "
       "behind its scan)",
       true, kAllEras},
      {"stable_trees_empty",
       "after a successful run=2, every stable tree and the migrate_nodes list is empty (needs cbf86cfe04a6)", true,
       kEra3_9 | kEra4_19},
      {"page_counts_consistent",
       "every page's mapcount equals the present ptes mapping it, its refcount equals mapcount plus its swap-cache "
       "reference plus its get_user_pages pins (declared, or held by a get_user_pages thread), and no pte maps a "
       "freed or free page (no reference leaked, dropped twice or used after free); "
       "every slot's swap count equals the swap ptes holding it, and the swap cache's slots and the PG_swapcache "
       "pages agree; no page is left locked once every thread has finished",
       true, kAllEras},
      {"ksm_counters_consistent",
       "pages_shared and pages_sharing match the stable nodes' hlists; every linked stable node is in the tree of "
       "its nid; pages_unshared counts the UNSTABLE rmap_items, and each item this scan linked in an unstable tree is "
       "a live UNSTABLE one of its nid",
       true, kAllEras},
      {"no_lost_write",
       "a read returns the last value written: every address a `store` thread (or a get_user_pages DMA) wrote "
       "maps (present, or behind a migration entry, or a swap pte: the slot's swap-cache page, else the slot's "
       "data on the device; 4.19: under a huge pmd or a pmd migration entry, the THP) a page whose data is the last "
       "value stored there; mremap carries the record with the ptes it moves (and a DMA into a page pinned before "
       "the move writes the new address); after a MADV_DONTNEED discard a read returns the zero fill or a value "
       "some write left there (one that raced the discard), and a DMA into a page "
       "pinned before a discard of its address may land in the orphaned page; an address whose vma is gone is not "
       "checked",
       true, kAllEras},
      {"no_migration_entry_at_unlock",
       "step check, G1: when migration unlocks the old page (success or failure), no pte holds a migration entry "
       "of it",
       false, kEra2_6_33 | kEra3_9 | kEra4_19},
      {"pin_reads_own_data",
       "step check: the DMA read of a get_user_pages (or _fast) read pin returns the data token the page held at "
       "the pin or one the pinning mm wrote since, never one only another process wrote (a COW that broke the "
       "other way: the pinned page, still shared, was reused by the other process's write fault; the leak "
       "17839856fd58 closed, CVE-2020-29374); checked only where the scenario tracks user data (a store or a DMA "
       "write)",
       false, kEra2_6_33 | kEra3_9 | kEra4_19},
      {"pin_writes_private_page",
       "step check: the data a get_user_pages write pin writes (the device's DMA, or ptrace's copy_to_user_page "
       "for a forced pin) lands in a page private to the pinning process, never the zero page or a KSM page, "
       "which every other mapping of them reads (Dirty COW, CVE-2016-5195: with FOLL_WRITE dropped after the "
       "COW, a MADV_DONTNEED of the copy lets the retry follow the zero page read-only; 19be0eaffa3a closed it)",
       false, kEra2_6_33 | kEra3_9 | kEra4_19},
      {"break_ksm_postcondition",
       "step check: when break_ksm returns 0 the address maps no KSM page, neither present nor behind a migration "
       "entry (seed 000, section 2(c))",
       false, kEra3_9 | kEra4_19},
      {"stable_trees_empty_at_flip",
       "step check, I-003a (seed 003): when merge_across_nodes_store switches the knob, every stable tree and "
       "migrate_nodes is empty (a node left in the old layout is later erased from the wrong tree)",
       false, kEra3_9},
      {"never_map_not_uptodate",
       "step check, I-003e (seed 003): do_swap_page never maps a page whose data was copied from a !PageUptodate "
       "swap-cache page (a failed swap read must end in VM_FAULT_SIGBUS)",
       false, kEra3_9},
      {"ksm_migrate_only_offlining",
       "step check, seed 002 (2.6.33): after lock_page in unmap_and_move, a PageKsm page is migrated only by "
       "migrate_pages(..., offlining=1), i.e. by memory hot-remove, whose context holds ksm_thread_mutex",
       false, kEra2_6_33},
      {"no_stable_node_in_offlined_range",
       "step check, seed 002 (2.6.33): at MEM_OFFLINE no live stable node's page (kpfn) lies in the offlined section",
       false, kEra2_6_33},
      {"no_stable_node_freed_in_use",
       "step check, seed 001 (2.6.33): remove_node_from_stable_tree never frees a stable node while a live page's "
       "mapping still names it (a later page_stable_node() of that page is a use-after-free)",
       false, kEra2_6_33},
      {"anon_rmap_walk_type",
       "step check, seed 001 (2.6.33): an anon rmap walk (rmap_walk_anon, the 2.6.32 remove_anon_migration_ptes) "
       "runs only over a page->mapping that is an anon_vma, never a KSM page's stable node",
       false, kEra2_6_33},
      {"hmm_no_spurious_error",
       "step check, I-004a (seed 004): hmm_pfns_bad never marks ERROR because of a pmd migration entry (the pmd "
       "value that led the walker there)",
       false, kEra4_19},
      {"hmm_no_error_pfn",
       "I-004a/c (seed 004): an hmm_vma_fault or hmm_vma_get_pfns that returned 0 holds no ERROR entry for an "
       "address of a regular anon vma",
       true, kEra4_19},
      {"hmm_fault_complete",
       "I-004b (seed 004): an hmm_vma_fault that returned 0 on a range still valid has every requested entry VALID "
       "(WRITE if asked), naming the page mapped there at the end (T', not T, after a migration)",
       true, kEra4_19},
      {"hmm_valid_pfn_mapped",
       "seed 004: in a range a walker returned 0 for and that is still valid (what a driver may commit after "
       "hmm_vma_range_done), every VALID entry names a page mapped at that address at some time of the run "
       "(before or after the migration), never a pfn made of a migration entry's bits",
       true, kEra4_19},
      {"hmm_snapshot_current",
       "kernel 4.19: a walker (hmm_vma_fault or hmm_vma_get_pfns) that returned 0 on a range still valid (its "
       "mirror not released by exit_mmap) holds no VALID entry but for the page mapped there at the end (WRITE "
       "only where it is mapped writable): every unmap or remap of it goes through the mmu notifier",
       true, kEra4_19},
      {"hmm_no_bogus_pfn",
       "seed 004, strict form of hmm_valid_pfn_mapped: no walker that returned 0 hands out a VALID entry naming a "
       "page never mapped there, even in a range the mmu notifier has invalidated meanwhile",
       true, kEra4_19},
      {"cow_not_shared_writable",
       "COW: no anon page mapped by more than one pte or pmd of private vmas (a fork's sharing: present, huge, or "
       "a migration entry that will be restored) is mapped writable by any of them (a write migration entry "
       "counts as writable: remove_migration_pte/pmd restores it so)",
       true, kAllEras},
  };
  return all;
}

const InvariantInfo* find_invariant(const std::string& name) {
  for (const InvariantInfo& i : invariant_catalogue())
    if (name == i.name) return &i;
  return nullptr;
}

namespace {

void ksm_fully_unmerged(const Kernel& k) {
  if (!k.ksm.run2_succeeded) return;
  for (const MmSlot& slot : k.ksm.mm_slots) {
    const MmStruct& m = k.mms[slot.mm];
    for (const auto& [addr, pte_slot] : m.ptes) {
      const Pte& pte = pte_slot.pte;
      if (!pte.is_present() && !pte.is_migration()) continue;
      int v = k.find_vma(slot.mm, addr);
      if (v < 0 || !(k.vmas[static_cast<std::size_t>(v)].flags & VM_MERGEABLE)) continue;
      if (k.pages[pte.page].PageKsm())
        checker::fail(FailureKind::Invariant, "ksm_fully_unmerged: " + k.where(slot.mm, addr) + " = " +
                                                  k.pte_str(pte) + " maps KSM page " + k.page_name(pte.page) +
                                                  " after run=2 returned success");
    }
  }
}

void ksm_unmergeable_vma_clean(const Kernel& k) {
  for (std::size_t mm = 0; mm < k.mms.size(); ++mm)
    for (const auto& [addr, slot] : k.mms[mm].ptes) {
      const Pte& pte = slot.pte;
      if (!pte.is_present() && !pte.is_migration()) continue;
      int v = k.find_vma(static_cast<std::uint32_t>(mm), addr);
      if (v < 0 || !k.vmas[static_cast<std::size_t>(v)].madv_unmerged) continue;
      if (k.pages[pte.page].PageKsm())
        checker::fail(FailureKind::Invariant, "ksm_unmergeable_vma_clean: " +
                                                  k.where(static_cast<std::uint32_t>(mm), addr) + " = " +
                                                  k.pte_str(pte) + " maps KSM page " + k.page_name(pte.page) +
                                                  " in a vma madvise(MADV_UNMERGEABLE) unmerged");
    }
}

void no_leftover_migration_entry(const Kernel& k) {
  check_no_leftover_migration_pmd(k);
  for (std::size_t mm = 0; mm < k.mms.size(); ++mm)
    for (const auto& [addr, slot] : k.mms[mm].ptes)
      if (slot.pte.is_migration())
        checker::fail(FailureKind::Invariant,
                      "no_leftover_migration_entry: " + k.where(static_cast<std::uint32_t>(mm), addr) + " = " +
                          k.pte_str(slot.pte) + " after every migration finished");
}

void swapoff_complete(const Kernel& k) {
  if (!k.swap.swapoff_succeeded) return;
  for (std::size_t mm = 0; mm < k.mms.size(); ++mm)
    for (const auto& [addr, slot] : k.mms[mm].ptes)
      if (slot.pte.is_swap())
        checker::fail(FailureKind::Invariant, "swapoff_complete: " + k.where(static_cast<std::uint32_t>(mm), addr) +
                                                  " = " + k.pte_str(slot.pte) + " after swapoff returned 0");
  for (const auto& [entry, count] : k.swap.swap_map)
    if (count != 0)
      checker::fail(FailureKind::Invariant, "swapoff_complete: swap_map[" + std::to_string(entry) + "] = " +
                                                std::to_string(count) + " after swapoff returned 0");
  for (const auto& [entry, page] : k.swap.cache)
    checker::fail(FailureKind::Invariant, "swapoff_complete: " + k.page_name(page) + " is in the swap cache (slot " +
                                              std::to_string(entry) + ") after swapoff returned 0");
}

void stable_trees_empty(const Kernel& k) {
  if (!k.ksm.run2_succeeded) return;
  for (std::size_t nid = 0; nid < k.ksm.root_stable_tree.size(); ++nid)
    for (std::uint32_t node : k.ksm.root_stable_tree[nid])
      checker::fail(FailureKind::Invariant, "stable_trees_empty: stable node " + k.stable_nodes[node].name +
                                                " is still in root_stable_tree[" + std::to_string(nid) +
                                                "] after run=2");
  for (std::uint32_t node : k.ksm.migrate_nodes)
    checker::fail(FailureKind::Invariant, "stable_trees_empty: stable node " + k.stable_nodes[node].name +
                                              " is still on migrate_nodes after run=2");
}

void page_counts_consistent(const Kernel& k) {
  std::vector<int> maps(k.pages.size(), 0);
  for (std::size_t mm = 0; mm < k.mms.size(); ++mm)
    for (const auto& [addr, slot] : k.mms[mm].pmds) {
      if (slot.pmd.is_none() || slot.pmd.is_table()) continue;
      const Page& p = k.pages[slot.pmd.page];
      if (p.freed || p.in_free_pool)
        checker::fail(FailureKind::Invariant, "page_counts_consistent: pmd " +
                                                  k.where(static_cast<std::uint32_t>(mm), addr) + " = " +
                                                  k.pmd_str(slot.pmd) + " but " + p.name + " is free");
      if (slot.pmd.kind == Pmd::Kind::Huge) ++maps[slot.pmd.page];  // compound_mapcount
    }
  for (std::size_t mm = 0; mm < k.mms.size(); ++mm)
    for (const auto& [addr, slot] : k.mms[mm].ptes) {
      if (!slot.pte.is_present() && !slot.pte.is_migration()) continue;
      const Page& p = k.pages[slot.pte.page];
      if (p.freed || p.in_free_pool)
        checker::fail(FailureKind::Invariant, "page_counts_consistent: " +
                                                  k.where(static_cast<std::uint32_t>(mm), addr) + " = " +
                                                  k.pte_str(slot.pte) + " but " + p.name + " is free");
      if (slot.pte.is_present()) ++maps[slot.pte.page];
    }
  for (std::size_t i = 0; i < k.pages.size(); ++i) {
    const Page& p = k.pages[i];
    // Every thread has finished: whoever locked a page (lock_page, trylock_page) has unlocked it.
    if (p.PageLocked())
      checker::fail(FailureKind::Invariant, "page_counts_consistent: " + p.name +
                                                " is still locked when every thread has finished (an unlock_page is missing)");
    if (p.reserved) {  // the zero page: pte_special, neither mapcount nor a reference per pte
      if (p.mapcount != 0 || p.refcount != 1 + p.pins)
        checker::fail(FailureKind::Invariant, "page_counts_consistent: " + p.name + " mapcount " +
                                                  std::to_string(p.mapcount) + ", refcount " + std::to_string(p.refcount) +
                                                  ": the zero page is never rmapped and keeps only its own reference" +
                                                  (p.pins ? " and the pins of get_user_pages" : ""));
      continue;
    }
    if (p.mapcount != maps[i])
      checker::fail(FailureKind::Invariant, "page_counts_consistent: " + p.name + " mapcount " +
                                                std::to_string(p.mapcount) + " but " + std::to_string(maps[i]) +
                                                " ptes map it");
    int expect = p.mapcount + (p.test(PG_swapcache) ? 1 : 0) + p.pins;
    if (p.refcount != expect)
      checker::fail(FailureKind::Invariant, "page_counts_consistent: " + p.name + " refcount " +
                                                std::to_string(p.refcount) + " but mappings, swap cache and pins hold " +
                                                std::to_string(expect));
  }
  // The swap side: swap_map against the swap ptes, the radix tree against the page flags.
  std::map<std::uint32_t, int> held;
  for (const MmStruct& m : k.mms)
    for (const auto& [addr, slot] : m.ptes)
      if (slot.pte.is_swap()) ++held[slot.pte.entry];
  for (const auto& [entry, count] : k.swap.swap_map)
    if (count != (held.count(entry) ? held.at(entry) : 0))
      checker::fail(FailureKind::Invariant, "page_counts_consistent: swap_map[" + std::to_string(entry) + "] = " +
                                                std::to_string(count) + " but " +
                                                std::to_string(held.count(entry) ? held.at(entry) : 0) +
                                                " swap ptes hold it");
  for (const auto& [entry, ptes] : held)
    if (!k.swap.swap_map.count(entry))
      checker::fail(FailureKind::Invariant, "page_counts_consistent: " + std::to_string(ptes) + " swap ptes hold slot " +
                                                std::to_string(entry) + " but it has no swap count");
  for (std::size_t i = 0; i < k.pages.size(); ++i) {
    const Page& p = k.pages[i];
    const bool in_tree = swap_cache_page(k, p.swap_entry) == static_cast<PageId>(i);
    if (p.test(PG_swapcache) != in_tree)
      checker::fail(FailureKind::Invariant, "page_counts_consistent: " + p.name +
                                                (in_tree ? " is in swap cache slot " + std::to_string(p.swap_entry) +
                                                               " without PG_swapcache"
                                                         : " has PG_swapcache but swap cache slot " +
                                                               std::to_string(p.swap_entry) + " does not hold it"));
  }
}

void ksm_counters_consistent(const Kernel& k) {
  long shared = 0, sharing = 0;
  auto count = [&](std::uint32_t node) {
    const StableNode& s = k.stable_nodes[node];
    if (s.hlist.empty()) return;
    ++shared;
    sharing += static_cast<long>(s.hlist.size()) - 1;
  };
  for (std::size_t nid = 0; nid < k.ksm.root_stable_tree.size(); ++nid)
    for (std::uint32_t node : k.ksm.root_stable_tree[nid]) {
      const StableNode& s = k.stable_nodes[node];
      if (s.tree != static_cast<int>(nid) || s.nid != static_cast<int>(nid))
        checker::fail(FailureKind::Invariant, "ksm_counters_consistent: " + s.name + " (nid " +
                                                  std::to_string(s.nid) + ") is linked in root_stable_tree[" +
                                                  std::to_string(nid) + "]");
      count(node);
    }
  for (std::uint32_t node : k.ksm.migrate_nodes) count(node);
  if (shared != k.ksm.pages_shared || sharing != k.ksm.pages_sharing)
    checker::fail(FailureKind::Invariant, "ksm_counters_consistent: pages_shared " +
                                              std::to_string(k.ksm.pages_shared) + ", pages_sharing " +
                                              std::to_string(k.ksm.pages_sharing) + " but the stable nodes give " +
                                              std::to_string(shared) + ", " + std::to_string(sharing));
  // ksm_pages_unshared: the rmap_items with UNSTABLE_FLAG; each item linked in an unstable tree has it.
  long unshared = 0;
  for (const RmapItem& r : k.rmap_items) unshared += (!r.freed && r.unstable) ? 1 : 0;
  if (unshared != k.ksm.pages_unshared)
    checker::fail(FailureKind::Invariant, "ksm_counters_consistent: pages_unshared " +
                                              std::to_string(k.ksm.pages_unshared) + " but " + std::to_string(unshared) +
                                              " rmap_items are UNSTABLE");
  // Only the items this scan inserted: a finished scan's tree is left as it was until the
  // next scan resets it (remove_rmap_item_from_tree skips its rb_erase at age 1).
  for (std::size_t nid = 0; nid < k.ksm.root_unstable_tree.size(); ++nid)
    for (std::uint32_t item : k.ksm.root_unstable_tree[nid]) {
      const RmapItem& r = k.rmap_items[item];
      if (r.seqnr != static_cast<std::uint8_t>(k.ksm.seqnr)) continue;
      if (r.freed || !r.unstable || r.nid != static_cast<int>(nid))
        checker::fail(FailureKind::Invariant, "ksm_counters_consistent: " + r.name + " is linked in root_unstable_tree[" +
                                                  std::to_string(nid) + "] but is " +
                                                  (r.freed ? std::string("freed") : !r.unstable ? "not UNSTABLE"
                                                                                     : "of nid " + std::to_string(r.nid)));
    }
}

void cow_not_shared_writable(const Kernel& k) {
  struct Use {
    int maps = 0;
    std::string writable;  ///< the first writable mapping found, as the report names it
  };
  std::map<PageId, Use> uses;
  auto private_at = [&](std::uint32_t mm, std::uint64_t addr) {
    const int v = k.find_vma(mm, addr);
    return v >= 0 && !(k.vmas[static_cast<std::size_t>(v)].flags & VM_SHARED);
  };
  for (std::uint32_t mm = 0; mm < k.mms.size(); ++mm) {
    for (const auto& [addr, slot] : k.mms[mm].pmds) {
      if (slot.pmd.is_none() || slot.pmd.is_table() || !private_at(mm, addr)) continue;
      Use& u = uses[slot.pmd.page];
      ++u.maps;
      if (slot.pmd.write && u.writable.empty()) u.writable = "pmd " + k.where(mm, addr) + " = " + k.pmd_str(slot.pmd);
    }
    for (const auto& [addr, slot] : k.mms[mm].ptes) {
      if ((!slot.pte.is_present() && !slot.pte.is_migration()) || !private_at(mm, addr)) continue;
      if (k.pages[slot.pte.page].reserved) continue;  // the zero page is never writable through a COW pte
      Use& u = uses[slot.pte.page];
      ++u.maps;
      if (slot.pte.write && u.writable.empty()) u.writable = k.where(mm, addr) + " = " + k.pte_str(slot.pte);
    }
  }
  for (const auto& [page, u] : uses)
    if (u.maps > 1 && !u.writable.empty())
      checker::fail(FailureKind::Invariant, "cow_not_shared_writable: " + k.page_name(page) + " is mapped by " +
                                                std::to_string(u.maps) + " ptes/pmds but " + u.writable +
                                                " is writable: a write there is seen through the other mappings");
}

}  // namespace

void install_invariant(Kernel& k, const std::string& name) {
  const Kernel* kp = &k;
  if (name == "ksm_fully_unmerged")
    checker::final_check(name, [kp] { ksm_fully_unmerged(*kp); });
  else if (name == "ksm_unmergeable_vma_clean")
    checker::final_check(name, [kp] { ksm_unmergeable_vma_clean(*kp); });
  else if (name == "no_leftover_migration_entry")
    checker::final_check(name, [kp] { no_leftover_migration_entry(*kp); });
  else if (name == "swapoff_complete")
    checker::final_check(name, [kp] { swapoff_complete(*kp); });
  else if (name == "stable_trees_empty")
    checker::final_check(name, [kp] { stable_trees_empty(*kp); });
  else if (name == "page_counts_consistent")
    checker::final_check(name, [kp] { page_counts_consistent(*kp); });
  else if (name == "ksm_counters_consistent")
    checker::final_check(name, [kp] { ksm_counters_consistent(*kp); });
  else if (name == "no_lost_write")
    checker::final_check(name, [kp] { no_lost_write(*kp); });
  else if (name == "no_migration_entry_at_unlock")
    k.check_g1_at_unlock = true;
  else if (name == "stable_trees_empty_at_flip")
    k.check_trees_empty_at_flip = true;
  else if (name == "never_map_not_uptodate")
    k.check_uptodate_at_map = true;
  else if (name == "ksm_migrate_only_offlining")
    k.check_ksm_migration_offlining = true;
  else if (name == "no_stable_node_in_offlined_range")
    k.check_no_node_in_offlined = true;
  else if (name == "no_stable_node_freed_in_use")
    k.check_node_freed_in_use = true;
  else if (name == "pin_reads_own_data")
    k.check_pin_reads_own_data = true;
  else if (name == "pin_writes_private_page")
    k.check_pin_writes_private = true;
  else if (name == "anon_rmap_walk_type")
    k.check_anon_vma_type = true;
  else if (name == "break_ksm_postcondition")
    k.check_break_ksm = true;
  else if (name == "hmm_no_spurious_error")
    k.check_hmm_pfns_bad = true;
  else if (name == "hmm_no_error_pfn")
    checker::final_check(name, [kp] { check_hmm_no_error_pfn(*kp); });
  else if (name == "hmm_fault_complete")
    checker::final_check(name, [kp] { check_hmm_fault_complete(*kp); });
  else if (name == "hmm_valid_pfn_mapped")
    checker::final_check(name, [kp] { check_hmm_valid_pfn_mapped(*kp, false); });
  else if (name == "hmm_snapshot_current")
    checker::final_check(name, [kp] { check_hmm_snapshot_current(*kp); });
  else if (name == "cow_not_shared_writable")
    checker::final_check(name, [kp] { cow_not_shared_writable(*kp); });
  else if (name == "hmm_no_bogus_pfn")
    checker::final_check(name, [kp] { check_hmm_valid_pfn_mapped(*kp, true); });
  else
    throw std::logic_error("internal error: invariant \"" + name + "\" is in no catalogue branch");
}

}  // namespace model
