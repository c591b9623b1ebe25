// kernel_config.cpp: the fix catalogue and era names.
// Invariant: fix_catalogue() lists each Fix once, with the era it belongs to.
#include "model/kernel_config.h"

#include <algorithm>

namespace model {

const std::vector<FixInfo>& fix_catalogue() {
  static const std::vector<FixInfo> fixes = {
      {Fix::FollMigration, "5117b3b835f2", "mm,ksm: FOLL_MIGRATION do migration_entry_wait",
       kEra3_9, "v3.9"},
      {Fix::RemoveOldStableNodes, "cbf86cfe04a6", "ksm: remove old stable nodes more thoroughly",
       kEra3_9, "v3.9"},
      {Fix::StaleNodesSweep, "cbf86cfe04a6/1",
       "part 1 of cbf86cfe04a6 (cause 1): remove_all_stable_nodes after unmerge and before a merge_across_nodes "
       "switch; reverted: pre-003 get_ksm_page (no kpfn retry) and erase from root_stable_tree[get_kpfn_nid(kpfn)]",
       kEra3_9, "v3.9"},
      {Fix::ForkTailInsert, "cbf86cfe04a6/2",
       "part 2 of cbf86cfe04a6 (cause 2): __ksm_enter inserts at the tail of the mm list when KSM_RUN_UNMERGE",
       kEra3_9, "v3.9"},
      {Fix::SwapinCopyKsm, "cbf86cfe04a6/3",
       "part 3 of cbf86cfe04a6 (cause 3): ksm_might_need_to_copy copies a KSM page when KSM_RUN_UNMERGE or it has "
       "no stable node; reverted: the v3.8 predicate (page_anon_vma is NULL for KSM: never copy)",
       kEra3_9, "v3.9"},
      {Fix::SwapinUptodateCheck, "cbf86cfe04a6/4",
       "part 4 of cbf86cfe04a6: ksm_might_need_to_copy leaves a !PageUptodate page to do_swap_page (SIGBUS) "
       "instead of copying it into a page marked Uptodate",
       kEra3_9, "v3.9"},
      {Fix::RmapWalkMigrationPtes, "e9995ef978a7", "ksm: rmap_walk to remove_migation_ptes",
       kEra2_6_33, "v2.6.33"},
      {Fix::HotremoveMigrationOnly, "62b61f611eb5", "ksm: memory hotremove migration only",
       kEra2_6_33, "v2.6.33"},
      {Fix::RmapWalkRemoveMigrationPtes, "e9995ef978a7/1",
       "part 1 of e9995ef978a7: remove_migration_ptes walks rmap_walk (a KSM page through rmap_walk_ksm, with its "
       "search_new_forks pass); reverted: the 2.6.32 anon/file dispatch, which takes a KSM page's stable node for an anon_vma",
       kEra2_6_33, "v2.6.33"},
      {Fix::KsmMigratePage, "e9995ef978a7/2",
       "part 2 of e9995ef978a7: migrate_page_copy calls ksm_migrate_page, pointing the stable node at the new page",
       kEra2_6_33, "v2.6.33"},
      {Fix::HotremoveKsmMutex, "62b61f611eb5/1",
       "part 1 of 62b61f611eb5: ksm_memory_callback takes ksm_thread_mutex at MEM_GOING_OFFLINE and releases it at "
       "MEM_OFFLINE / MEM_CANCEL_OFFLINE",
       kEra2_6_33, "v2.6.33"},
      {Fix::KsmMigrateOnlyOfflining, "62b61f611eb5/2",
       "part 2 of 62b61f611eb5: check_pte_range skips PageKsm pages and unmap_and_move refuses a KSM page (-EBUSY) "
       "after lock_page unless migrate_pages was called with offlining",
       kEra2_6_33, "v2.6.33"},
      {Fix::StableNodeKpfnPrune, "62b61f611eb5/3",
       "part 3 of 62b61f611eb5: stable_node->kpfn replaces ->page, and MEM_OFFLINE prunes the stable nodes whose kpfn "
       "lies in the offlined range (ksm_check_stable_tree)",
       kEra2_6_33, "v2.6.33"},
      {Fix::HmmMigrationPmd, "d08faca018c4", "mm/hmm: properly handle migration pmd", kEra4_19,
       "v4.20"},
      {Fix::MremapTlbFlush, "eb66ae030829", "mremap: properly flush TLB before releasing the page", kEra3_9 | kEra4_19,
       "v4.20"},
      {Fix::GupCowBreak, "17839856fd58",
       "gup: document and work around \"COW can break either way\" issue (in the 4.19.y tree): a pin of a COW "
       "mapping follows as a write (should_force_cow_break), get_user_pages_fast's walk takes writable entries only; "
       "reverted (4.19.0): a read pin follows the page as mapped, shared or not",
       kEra4_19, "v5.8"},
      {Fix::SwapinRecheck, "4969c1192d15",
       "mm: fix swapin race condition: do_swap_page rechecks, once it holds the page lock, that the page is still "
       "the swap cache's page of the entry (PageSwapCache, page_private) and retries the fault if not; reverted (the "
       "2.6.33 code): the pte_same check alone, which a freed and reused slot passes",
       kEra3_9, "v2.6.36"},
      {Fix::FollCow, "19be0eaffa3a",
       "mm: remove gup_flags FOLL_WRITE games from __get_user_pages() (Dirty COW, CVE-2016-5195; in the 3.9.6 tree "
       "as a backport): after a fault that broke COW in a vma without VM_WRITE, get_user_pages keeps FOLL_WRITE and "
       "sets FOLL_COW, and follow_page takes the read-only pte only while it is dirty (can_follow_write_pte); "
       "reverted (4.8): FOLL_WRITE is dropped, so the retry follows whatever the pte maps then, read-only",
       kEra3_9 | kEra4_19, "v4.9"},
      {Fix::TouchPmdDirty, "a8f97366452e",
       "mm, thp: Do not make page table dirty unconditionally in touch_p[mu]d() (Huge Dirty COW, CVE-2017-1000405): "
       "follow_trans_huge_pmd's touch_pmd dirties the pmd for a FOLL_WRITE pin only; reverted (v4.9-v4.14): for any "
       "pin, so a read pin dirties a read-only pmd (the huge zero page's too) and a later FOLL_FORCE|FOLL_COW pin "
       "takes it for its own COWed copy (can_follow_write_pmd)",
       kEra4_19, "v4.15"},
      {Fix::RemoveMigrationPteLocked, "486cf46f3f9b",
       "mm: fix race between mremap and removing migration entry: remove_migration_pte reads the pte only under the "
       "ptl; reverted (v3.0, as 2.6.33's code still is): it first peeks at the pte without the ptl and skips one that "
       "is not a swap entry, so the rmap walk can miss a migration entry that move_ptes is moving (cleared at the old "
       "address, not yet set at the new) at both places, and a later fault on it hits BUG_ON(!PageLocked(p))",
       kEra3_9, "v3.1"},
      {Fix::ScanHeadRecheck, "2b472611a32a",
       "ksm: fix NULL pointer dereference in scan_get_next_rmap_item(): after taking the next mm_slot under "
       "ksm_mmlist_lock at the start of a full scan, return NULL when it is &ksm_mm_head again (a racing __ksm_exit "
       "freed the last mm's slot after ksmd_should_run's lockless list_empty()); reverted (v2.6.32-v2.6.39): ksmd "
       "goes on with slot->mm, NULL",
       kEra3_9, "v3.0"},
      {Fix::ScanUpReadFirst, "7496fea9a6bf",
       "ksm: fix conflict between mmput and scan_get_next_rmap_item: at the end of an mm's walk, ksmd "
       "(scan_get_next_rmap_item) and the run=2 unmerge (unmerge_and_remove_all_rmap_items) drop its mmap_sem "
       "(up_read) before ksm_mmlist_lock; reverted (v2.6.32-v4.12, 2.6.33's code): after the spin_unlock, so an "
       "exit's __ksm_exit can free the mm_slot the cursor just moved past (no rmap_item: no mmap_sem taken) and "
       "the last mmdrop free the mm_struct before that up_read(&mm->mmap_sem), a use-after-free",
       kEra3_9, "v4.13"},
  };
  return fixes;
}

const char* era_name(Era era) {
  switch (era) {
    case Era::V2_6_33: return "2.6.33";
    case Era::V3_9: return "3.9";
    case Era::V4_19: return "4.19";
  }
  return "?";
}

std::string era_names(EraSet set) {
  std::string out;
  for (Era e : {Era::V2_6_33, Era::V3_9, Era::V4_19})
    if (set & era_bit(e)) out += std::string(out.empty() ? "" : ", ") + era_name(e);
  return out;
}

bool parse_era(const std::string& name, Era& out) {
  for (Era e : {Era::V2_6_33, Era::V3_9, Era::V4_19}) {
    if (name == era_name(e)) {
      out = e;
      return true;
    }
  }
  return false;
}

namespace {

/// "v4.20" or "2.6.33" as numbers ({4, 20}, {2, 6, 33}), for ordering releases.
std::vector<int> version_numbers(std::string v) {
  if (!v.empty() && v[0] == 'v') v.erase(0, 1);
  std::vector<int> out;
  std::size_t i = 0;
  while (i < v.size()) {
    std::size_t end = v.find('.', i);
    if (end == std::string::npos) end = v.size();
    out.push_back(std::stoi(v.substr(i, end - i)));
    i = end + 1;
  }
  return out;
}

}  // namespace

std::vector<std::string> later_fixes_applied(Era era, const std::vector<std::string>& reverted) {
  std::vector<std::string> out;
  const std::vector<int> era_version = version_numbers(era_name(era));
  for (const FixInfo& f : fix_catalogue()) {
    const std::string id = f.id;
    if (!(f.eras & era_bit(era)) || id.find('/') != std::string::npos) continue;
    if (std::find(reverted.begin(), reverted.end(), id) != reverted.end()) continue;
    if (version_numbers(f.release) > era_version) out.push_back(id + " (" + f.release + ")");
  }
  return out;
}

const FixInfo* find_fix(const std::string& id) {
  for (const FixInfo& f : fix_catalogue())
    if (id == f.id) return &f;
  return nullptr;
}

bool KernelConfig::applied(Fix fix) const {
  for (const FixInfo& f : fix_catalogue())
    if (f.fix == fix && !(f.eras & era_bit(era))) return false;
  auto out = [this](Fix f) { return std::find(reverted.begin(), reverted.end(), f) != reverted.end(); };
  switch (fix) {
    case Fix::StaleNodesSweep:
    case Fix::ForkTailInsert:
    case Fix::SwapinCopyKsm:
    case Fix::SwapinUptodateCheck:
      if (out(Fix::RemoveOldStableNodes)) return false;  // the whole commit is reverted
      break;
    case Fix::RmapWalkRemoveMigrationPtes:
    case Fix::KsmMigratePage:
      if (out(Fix::RmapWalkMigrationPtes)) return false;
      break;
    case Fix::HotremoveKsmMutex:
    case Fix::KsmMigrateOnlyOfflining:
    case Fix::StableNodeKpfnPrune:
      if (out(Fix::HotremoveMigrationOnly)) return false;
      break;
    default: break;
  }
  return !out(fix);
}

}  // namespace model
