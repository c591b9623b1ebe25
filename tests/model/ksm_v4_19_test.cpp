// ksm_v4_19_test.cpp: KSM in kernel 4.19 (issue 13): ksmd's merge of two anonymous
// pages, run=2's unmerge and madvise(MADV_UNMERGEABLE) through 4.19's fault path,
// remove_stable_node's -EBUSY, a KSM page's migration (rmap_walk_ksm, ksm_migrate_page),
// the repository scenarios, and the refusals at load.
//
// Each test runs one thread on a small state written here and asserts on what it
// leaves; the expected values are derived by hand from kernel/mm/ksm.c v4.19
// (write_protect_page, replace_page, try_to_merge_one_page, stable_tree_insert,
// stable_tree_append, unmerge_and_remove_all_rmap_items, remove_stable_node) and
// kernel/mm/memory.c v4.19 (do_wp_page -> wp_page_copy), in each comment.
#include <string>

#include <nlohmann/json.hpp>

#include <model/actors.h>
#include <model/initial_state.h>
#include <model/ksm.h>
#include <model/ksmd.h>
#include <model/migrate_v4_19.h>
#include <model/mmap_v4_19.h>
#include <model/scenario.h>

#include "model_fixture.h"

#include <CppUTest/TestHarness.h>

using namespace model;
using namespace model_test;

namespace {

Kernel kernel_of(const nlohmann::json& initial, Era era = Era::V4_19) {
  KernelConfig config;
  config.era = era;
  return parse_initial_state(initial, "t", "/initial", config);
}

constexpr PageId PA = 0, PB = 1;
constexpr std::uint32_t mA = 0, mB = 1, RA = 0, RB = 1;

const Pte& pte_at(const Kernel& k, std::uint32_t mm, std::uint64_t addr) { return k.mms.at(mm).ptes.at(addr).pte; }

/// A and B map KSM page K read-only at 0x1000 (stable node S, rmap_items RA and RB, pages_shared 1,
/// pages_sharing 1); C maps K too, outside KSM (no mm_slot, a vma that is not VM_MERGEABLE) when
/// `c_maps_k`; free pages C1, C2 on node 0. PageIds: K=0, C1=1, C2=2.
nlohmann::json ksm_page(bool c_maps_k = false) {
  nlohmann::json j = nlohmann::json::parse(R"({
    "pages": [
      { "name": "K", "flags": ["Anon", "Ksm", "Uptodate", "LRU"], "mapcount": 2, "refcount": 2, "content": 7 },
      { "name": "C1", "free": true },
      { "name": "C2", "free": true }
    ],
    "mms": [
      { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE", "VM_MERGEABLE"], "anon_vma": "avA" } ] },
      { "name": "B", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE", "VM_MERGEABLE"], "anon_vma": "avB" } ] }
    ],
    "ptes": [
      { "mm": "A", "address": "0x1000", "pte": "present", "page": "K", "writable": false },
      { "mm": "B", "address": "0x1000", "pte": "present", "page": "K", "writable": false }
    ],
    "stable_nodes": [ { "name": "S", "page": "K" } ],
    "rmap_items": [
      { "name": "RA", "mm": "A", "address": "0x1000", "stable_node": "S" },
      { "name": "RB", "mm": "B", "address": "0x1000", "stable_node": "S" }
    ],
    "ksm": { "run": 1, "mm_slots": ["A", "B"] }
  })");
  if (c_maps_k) {
    j["pages"][0]["mapcount"] = 3;
    j["pages"][0]["refcount"] = 3;
    j["mms"].push_back(nlohmann::json::parse(
        R"({ "name": "C", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "avA" } ] })"));
    j["ptes"].push_back(nlohmann::json::parse(R"({ "mm": "C", "address": "0x1000", "pte": "present", "page": "K", "writable": false })"));
  }
  return j;
}
constexpr PageId C1k = 1, C2k = 2;  // K = 0 (model_fixture.h)
constexpr std::uint32_t S0 = 0;

}  // namespace

TEST_GROUP(Ksm419){};

// ksmd, pages 3, batches 2 (as ksm-merge-two-pages in 3.9): the first full scan only records
// the checksums; on the second RA goes into root_unstable_tree[0] and RB meets it.
// try_to_merge_two_pages: try_to_merge_with_ksm_page(RB, PB, NULL) -> write_protect_page of
// B's pte: in this test it is read-only and clean ("pte_write || pte_dirty" false), so it is
// taken as it is (no ptep_clear_flush) and *orig_pte = the pte; the upgrade to PageKsm then does
// 4.19's "if (!PageDirty(page)) SetPageDirty(page)": PB, declared clean, is now PG_dirty. Then
// PA into PB: write_protect_page makes A's writable pte read-only and clean (ptep_clear_flush,
// the count check mapcount 1 + 1 + 0 == refcount 2 with the scan's follow_page reference,
// set_pte_at_notify), pages_identical (7 == 7), replace_page: A's pte -> mk_pte(PB) (read-only),
// PB gains a mapping and a reference, PA loses both and the scan's put_page frees it.
// stable_tree_insert: the tree is empty, the preallocated S becomes a plain node (kpfn PB,
// nid 0) in root_stable_tree[0]; stable_tree_append RA then RB (hlist_add_head: [RB, RA]),
// pages_shared 1, pages_sharing 1; the second full scan ends: seqnr 2.
TEST(Ksm419, KsmdMergesTwoPagesAndTheUpgradeDirtiesThePage) {
  nlohmann::json initial = two_pages(7, 7);
  initial["pages"][1]["flags"] = nlohmann::json::array({"Anon", "Uptodate", "LRU"});
  initial["ptes"][1]["writable"] = false;
  OneThread p(kernel_of(initial), [](Kernel& k) { ksmd_scan(k, 3, 2); },
              {"page_counts_consistent", "ksm_counters_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(maps(pte_at(k, mA, 0x1000), PB, false));
  CHECK(maps(pte_at(k, mB, 0x1000), PB, false));
  CHECK_FALSE(pte_at(k, mA, 0x1000).dirty);  // pte_mkclean in write_protect_page, mk_pte in replace_page
  CHECK(k.pages[PB].PageKsm());
  CHECK(k.pages[PB].test(PG_dirty));
  LONGS_EQUAL(S, k.page_stable_node(PB));
  LONGS_EQUAL(2, k.pages[PB].mapcount);
  LONGS_EQUAL(2, k.pages[PB].refcount);
  CHECK(k.pages[PA].freed);
  const StableNode& s = k.stable_nodes[S];
  LONGS_EQUAL(PB, s.kpfn);
  LONGS_EQUAL(2, s.hlist.size());
  LONGS_EQUAL(RB, s.hlist[0]);
  LONGS_EQUAL(RA, s.hlist[1]);
  LONGS_EQUAL(1, k.ksm.pages_shared);
  LONGS_EQUAL(1, k.ksm.pages_sharing);
  LONGS_EQUAL(0, k.ksm.pages_unshared);
  LONGS_EQUAL(2, k.ksm.seqnr);
}

// The same state in 3.9: try_to_merge_one_page's upgrade does not dirty the page (v3.9 has no
// SetPageDirty there), and the merge is otherwise the same.
TEST(Ksm419, TheUpgradeLeavesThePageCleanIn39) {
  nlohmann::json initial = two_pages(7, 7);
  initial["pages"][1]["flags"] = nlohmann::json::array({"Anon", "Uptodate", "LRU"});
  initial["ptes"][1]["writable"] = false;
  OneThread p(kernel_of(initial, Era::V3_9), [](Kernel& k) { ksmd_scan(k, 3, 2); }, {"page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  CHECK(p.kernel->pages[PB].PageKsm());
  CHECK_FALSE(p.kernel->pages[PB].test(PG_dirty));
}

// Different data (7 and 8): the checksums are recorded, RA and RB both go into
// root_unstable_tree[0] on the second scan (memcmp_pages differs), nothing is merged: the ptes
// stay writable, S stays unused, pages_unshared 2.
TEST(Ksm419, KsmdLeavesDifferentPagesInTheUnstableTree) {
  OneThread p(kernel_of(two_pages(7, 8)), [](Kernel& k) { ksmd_scan(k, 3, 2); }, {"ksm_counters_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(maps(pte_at(k, mA, 0x1000), PA, true));
  CHECK(maps(pte_at(k, mB, 0x1000), PB, true));
  CHECK(k.stable_nodes[S].unused);
  LONGS_EQUAL(2, k.ksm.pages_unshared);
  CHECK(k.rmap_items[RA].unstable && k.rmap_items[RB].unstable);
}

// run=2 in 4.19: unmerge_and_remove_all_rmap_items walks A then B. break_ksm(A:0x1000):
// follow_page(FOLL_GET|FOLL_MIGRATION) finds K, PageKsm -> handle_mm_fault(FAULT_FLAG_WRITE) ->
// do_wp_page: a KSM page is copied: wp_page_copy takes the first free page of node 0, C1, maps
// it maybe_mkwrite(pte_mkdirty()) (writable: VM_WRITE), VM_FAULT_WRITE ends the loop; then
// remove_trailing_rmap_items(A): RA leaves S (get_ksm_page(S, lock): K still mapped by B;
// pages_sharing 1 -> 0). B the same with C2; K, unmapped and unreferenced, is freed; RB's
// get_ksm_page finds K no longer S's (stale): remove_node_from_stable_tree frees S (its
// hlist held RB: pages_shared 1 -> 0). remove_all_stable_nodes finds the tree empty; run = 2.
TEST(Ksm419, RunStore2UnmergesThroughTheV419Fault) {
  OneThread p(kernel_of(ksm_page()), [](Kernel& k) { LONGS_EQUAL(0, run_store(k, 2)); },
              {"page_counts_consistent", "ksm_counters_consistent", "ksm_fully_unmerged", "stable_trees_empty",
               "break_ksm_postcondition"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(maps(pte_at(k, mA, 0x1000), C1k, true));
  CHECK(maps(pte_at(k, mB, 0x1000), C2k, true));
  LONGS_EQUAL(7, k.pages[C1k].content);
  LONGS_EQUAL(7, k.pages[C2k].content);
  CHECK(k.pages[K].freed);
  CHECK(k.stable_nodes[S0].freed);
  CHECK(k.ksm.root_stable_tree[0].empty());
  LONGS_EQUAL(0, k.ksm.pages_shared);
  LONGS_EQUAL(0, k.ksm.pages_sharing);
  LONGS_EQUAL(KSM_RUN_UNMERGE, k.ksm.ksm_run);
  CHECK(k.ksm.mm_slots[0].rmap_list.empty() && k.ksm.mm_slots[1].rmap_list.empty());
}

// K is also mapped by C, outside KSM (no mm_slot): run=2 breaks A's and B's ptes only; the
// rmap_items leave S (pages_shared 0), K stays mapped once. remove_all_stable_nodes ->
// remove_stable_node(S): get_ksm_page(S, lock) finds K (still S's), page_mapped(K) -> v4.19
// refuses with -EBUSY and no WARN (v3.9: WARN_ON_ONCE(page_mapped(page))). The error is
// ignored ("don't worry if some are still busy"): run_store returns 0; S stays linked with an
// empty hlist, naming K.
TEST(Ksm419, RemoveStableNodeOfAStillMappedPageIsEbusyWithoutWarn) {
  OneThread p(kernel_of(ksm_page(true)), [](Kernel& k) { LONGS_EQUAL(0, run_store(k, 2)); },
              {"page_counts_consistent", "ksm_counters_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(maps(pte_at(k, mA, 0x1000), C1k, true));
  CHECK(maps(pte_at(k, mB, 0x1000), C2k, true));
  CHECK(maps(pte_at(k, 2, 0x1000), K, false));
  CHECK_FALSE(k.stable_nodes[S0].freed);
  LONGS_EQUAL(1, k.ksm.root_stable_tree[0].size());
  CHECK(k.stable_nodes[S0].hlist.empty());
  LONGS_EQUAL(S0, k.page_stable_node(K));
  LONGS_EQUAL(0, k.ksm.pages_shared);
  CHECK_FALSE(k.pages[K].PageLocked());
}

TEST(Ksm419, RemoveStableNodeOfAStillMappedPageWarnsIn39) {
  OneThread p(kernel_of(ksm_page(true), Era::V3_9), [](Kernel& k) { run_store(k, 2); });
  const checker::Report r = explore_once(p);
  CHECK(r.verdict == checker::Verdict::Violation);
  CHECK_TEXT(contains(r.counterexample->violation.message, "WARN_ON_ONCE(page_mapped(page)) in remove_stable_node"),
             r.counterexample->violation.message.c_str());
}

// madvise(MADV_UNMERGEABLE) of B's vma: break_ksm(B:0x1000) copies K into C1 (the first free
// page) through 4.19's wp_page_copy; the vma loses VM_MERGEABLE; A keeps K, S keeps both
// rmap_items (unmerge leaves them to ksmd's next pass): K's mapcount 2 -> 1, its refcount 2 -> 1.
TEST(Ksm419, MadviseUnmergeableCopiesThePage) {
  OneThread p(kernel_of(ksm_page()), [](Kernel& k) { LONGS_EQUAL(0, madvise_unmergeable(k, mB, 0x1000, 0x2000)); },
              {"page_counts_consistent", "ksm_unmergeable_vma_clean", "break_ksm_postcondition"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(maps(pte_at(k, mB, 0x1000), C1k, true));
  CHECK(maps(pte_at(k, mA, 0x1000), K, false));
  CHECK_FALSE(k.vmas[vmaB].flags & VM_MERGEABLE);
  LONGS_EQUAL(1, k.pages[K].mapcount);
  LONGS_EQUAL(1, k.pages[K].refcount);
  LONGS_EQUAL(2, k.stable_nodes[S0].hlist.size());
}

// The catalogue: ksmd, ksm_run_store and madvise_unmergeable run in 4.19; admin does not.
TEST(Ksm419, CatalogueEras) {
  for (const ActorInfo& a : actor_catalogue()) {
    const std::string n = a.name;
    if (n == "ksmd" || n == "ksm_run_store" || n == "madvise_unmergeable") CHECK_TEXT(a.eras & kEra4_19, a.name);
    if (n == "admin") CHECK_FALSE(a.eras & kEra4_19);
  }
}

// Refused at load as unsupported (exit 4), each at its culprit: a reclaim beside KSM (swap-out
// of a KSM page through rmap_walk_ksm), two stable nodes of the same content in one tree (a stable_node chain), a migration beside
// ksmd with merge_across_nodes 0 (migrate_nodes); the admin actor stays 3.9's. A KSM page's
// migration, a migration of a page ksmd may merge, an exit (ksm_exit) and a munmap
// (mm_tlb_flush_pending) beside ksmd load.
TEST(Ksm419, UnmodelledKsmPathsAreRefusedAtLoad) {
  const nlohmann::json ksmd = nlohmann::json::parse(R"({ "name": "KD", "actor": "ksmd", "args": { "pages": 3, "batches": 2 } })");
  const nlohmann::json migrate_pa = {{"name", "M"}, {"actor", "migrate_pages"}, {"args", {{"page", "PA"}, {"to_node", 0}}}};
  STRCMP_EQUAL("<none>", scenario_load_error("4.19", two_pages(7, 7), nlohmann::json::array({ksmd, migrate_pa})).c_str());
  nlohmann::json numa = two_pages(7, 7);
  numa["numa_nodes"] = 2;
  numa["ksm"]["merge_across_nodes"] = false;
  std::string e = scenario_load_error("4.19", numa, nlohmann::json::array({ksmd, migrate_pa}));
  CHECK_TEXT(contains(e, "at /threads/1/actor: unsupported: ") && contains(e, "migrate_nodes"), e.c_str());
  STRCMP_EQUAL("<none>", scenario_load_error("4.19", two_pages(7, 7),
                                             nlohmann::json::array({ksmd, {{"name", "X"}, {"actor", "exit"}, {"args", {{"mm", "B"}}}}}))
                             .c_str());
  STRCMP_EQUAL("<none>", scenario_load_error("4.19", two_pages(7, 7),
                                             nlohmann::json::array({ksmd, {{"name", "X"}, {"actor", "munmap"}, {"args", {{"mm", "B"}, {"address", "0x1000"}}}}}))
                             .c_str());
  e = scenario_load_error("4.19", two_pages(7, 7),
                          nlohmann::json::array({ksmd, {{"name", "X"}, {"actor", "reclaim"}, {"args", {{"page", "PB"}}}}}));
  CHECK_TEXT(contains(e, "at /threads/1/actor: unsupported: ") && contains(e, "rmap_walk_ksm"), e.c_str());
  nlohmann::json chained = ksm_page();
  chained["pages"].push_back(nlohmann::json::parse(
      R"({ "name": "K2", "flags": ["Anon", "Ksm", "Uptodate", "LRU"], "refcount": 1, "pins": 1, "content": 7 })"));
  chained["stable_nodes"].push_back(nlohmann::json::parse(R"({ "name": "S2", "page": "K2" })"));
  e = scenario_load_error("4.19", chained, nlohmann::json::array({ksmd}));
  CHECK_TEXT(contains(e, "at /initial: unsupported: ") && contains(e, "stable_node chain"), e.c_str());
  // The same two nodes with different data load.
  chained["pages"][3]["content"] = 8;
  STRCMP_EQUAL("<none>", scenario_load_error("4.19", chained, nlohmann::json::array({ksmd})).c_str());
  STRCMP_EQUAL("<none>", scenario_load_error("4.19", ksm_page(),
                                             nlohmann::json::parse(R"([{ "name": "M", "actor": "migrate_pages", "args": { "page": "K", "to_node": 0 } }])"))
                             .c_str());
  e = scenario_load_error("4.19", ksm_page(), nlohmann::json::parse(R"([{ "name": "U", "actor": "admin", "args": { "steps": [ { "run": 2 } ] } }])"));
  CHECK_TEXT(contains(e, "at /threads/0/actor: unsupported: actor \"admin\" is not modelled in kernel 4.19"), e.c_str());
}

// migrate_pages of K in 4.19: new_page_nodemask takes C1 (the first free page of node 0);
// __unmap_and_move takes no anon_vma reference for a KSM page; try_to_unmap walks S's
// rmap_items (rmap_walk_ksm: RA's vma in A, RB's in B) and makes both ptes read migration
// entries (page_remove_rmap, put_page: K's count 3 -> 1, its isolation reference);
// migrate_page_move_mapping: count 1, C1 takes K's mapping (S); migrate_page_states ->
// ksm_migrate_page: S.kpfn = C1, K's stable node cleared; remove_migration_ptes walks C1's S:
// A and B map C1 read-only (pte_mkold(mk_pte)), get_page and page_add_anon_rmap each;
// putback_lru_page(C1) drops the allocation's reference: C1 count 2, mapcount 2; K is freed
// with the isolation reference.
TEST(Ksm419, KsmPageMigratesThroughRmapWalkKsm) {
  OneThread p(kernel_of(ksm_page()), [](Kernel& k) { LONGS_EQUAL(0, v4_19::migrate_pages(k, K, 0, 1)); },
              {"page_counts_consistent", "ksm_counters_consistent", "no_leftover_migration_entry"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(maps(pte_at(k, mA, 0x1000), C1k, false));
  CHECK(maps(pte_at(k, mB, 0x1000), C1k, false));
  LONGS_EQUAL(C1k, k.stable_nodes[S0].kpfn);
  LONGS_EQUAL(S0, k.page_stable_node(C1k));
  LONGS_EQUAL(2, k.pages[C1k].mapcount);
  LONGS_EQUAL(2, k.pages[C1k].refcount);
  CHECK(k.pages[K].freed);
  LONGS_EQUAL(2, k.stable_nodes[S0].hlist.size());
}

// Then ksmd scans C's page PC (token 7, first on the mm list, one page): stable_tree_search
// reads S (kpfn C1 since the migration), the data match, get_ksm_page(S, lock) and unlock;
// try_to_merge_with_ksm_page maps C1 at C:0x1000; stable_tree_append: S's hlist [RC, RA, RB]
// (hlist_add_head), pages_sharing 1 -> 2. PC is freed; C1 mapped three times.
TEST(Ksm419, KsmdMergesIntoTheMigratedKsmPage) {
  nlohmann::json initial = ksm_page();
  initial["pages"][0]["content"] = 7;
  initial["pages"].push_back(nlohmann::json::parse(
      R"({ "name": "PC", "flags": ["Anon", "Uptodate", "LRU", "Dirty"], "mapcount": 1, "refcount": 1, "content": 7 })"));
  initial["mms"].push_back(nlohmann::json::parse(
      R"({ "name": "C", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE", "VM_MERGEABLE"], "anon_vma": "avC" } ] })"));
  initial["ptes"].push_back(nlohmann::json::parse(R"({ "mm": "C", "address": "0x1000", "pte": "present", "page": "PC", "writable": true })"));
  initial["ksm"]["mm_slots"] = nlohmann::json::array({"C", "A", "B"});
  constexpr PageId PC = 3;
  constexpr std::uint32_t mC = 2;
  OneThread p(kernel_of(initial), [](Kernel& k) {
    LONGS_EQUAL(0, v4_19::migrate_pages(k, K, 0, 1));
    ksmd_scan(k, 1, 1);
  }, {"page_counts_consistent", "ksm_counters_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(maps(pte_at(k, mC, 0x1000), C1k, false));
  CHECK(k.pages[PC].freed);
  LONGS_EQUAL(3, k.pages[C1k].mapcount);
  LONGS_EQUAL(3, k.stable_nodes[S0].hlist.size());
  LONGS_EQUAL(1, k.ksm.pages_shared);
  LONGS_EQUAL(2, k.ksm.pages_sharing);
}

// The repository's 4.19 KSM scenarios: clean and exhaustive, and plain DFS within two
// preemptions agrees.
TEST(Ksm419, RepositoryScenariosAreCleanAndDfsAgrees) {
  for (const char* name : {"ksmd-merge-two-pages-4.19-fixed", "ksmd-merge-vs-store-4.19-fixed",
                           "ksmd-merge-vs-hmm-mirror-4.19-fixed", "unmerge-vs-cow-fault-4.19-fixed",
                           "madvise-unmergeable-vs-cow-fault-4.19-fixed", "madvise-unmergeable-vs-ksm-migration-4.19-fixed",
                           "ksmd-stable-merge-vs-ksm-migration-4.19-fixed"}) {
    const std::string path = std::string("scenarios/ksm/") + name + ".json";
    check_clean_and_dfs_agrees(path.c_str());
  }
}

TEST_GROUP(KsmExit419){};

// exit beside KSM in 4.19 (__mmput's ksm_exit, exit_mmap's free_pgtables freeing the tables):
// the 3.9 exit scenarios run by 4.19's paths are exhaustive and clean, plain DFS within two
// preemptions agreeing on the two small ones; the mmap_sem dance of __ksm_exit is what keeps
// ksmd's walk off the freed tables (its removal is the scratch mutation in the summaries).
TEST(KsmExit419, Scenarios) {
  model_test::check_clean_and_dfs_agrees("scenarios/ksm/exit-vs-ksmd-4.19-fixed.json");
  model_test::check_clean_and_dfs_agrees("scenarios/ksm/exit-vs-unmerge-4.19-fixed.json");
  // zaps beside ksmd (mm_tlb_flush_pending an object read by write_protect_page)
  model_test::check_clean_and_dfs_agrees("scenarios/ksm/dontneed-vs-ksmd-merge-4.19-fixed.json");
  model_test::check_clean_and_dfs_agrees("scenarios/ksm/munmap-vs-ksmd-merge-4.19-fixed.json");
  model_test::check_clean("scenarios/ksm/exit-ksmd-migration-4.19-fixed.json");
}

// After 4.19's exit_mmap freed the page tables, a walk of the mm is a use-after-free, named
// at the pmd read (Kernel::read_pmd) or the pte lookup (Kernel::pte_slot).
TEST(KsmExit419, AWalkAfterExitIsAUseAfterFree) {
  nlohmann::json initial = nlohmann::json::parse(R"({
    "pages": [ { "name": "P", "flags": ["Anon", "Uptodate", "LRU"], "mapcount": 1, "refcount": 1 } ],
    "mms": [ { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "av" } ] } ],
    "ptes": [ { "mm": "A", "address": "0x1000", "pte": "present", "page": "P", "writable": true } ] })");
  model::KernelConfig config;
  config.era = model::Era::V4_19;
  model_test::OneThread p(model::parse_initial_state(initial, "t", "/initial", config), [](model::Kernel& k) {
    model::v4_19::mmput(k, 0);
    model::v4_19::follow_page(k, 0, 0x1000, model::FOLL_GET);
  });
  const checker::Report r = model_test::explore_once(p);
  CHECK(r.verdict == checker::Verdict::Violation);
  CHECK(r.counterexample &&
        r.counterexample->violation.message.find("KASAN: use-after-free of the page table of A at A:0x0 (freed in free_pgtables") !=
            std::string::npos);
}
