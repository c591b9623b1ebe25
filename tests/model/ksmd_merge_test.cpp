// ksmd_merge_test.cpp: ksmd's full scan in v3.9 (issue 13): the checksum gate,
// the per-nid unstable trees reset at each full scan (ksm_scan.seqnr), the
// merge of two anonymous pages (try_to_merge_two_pages, stable_tree_insert,
// stable_tree_append), and the user store with the no_lost_write check. Each
// test runs one thread on a small state written here and asserts on what it
// leaves; the expected values are derived by hand from mm/ksm.c v3.9 in each
// comment. Bad input for the new arguments is refused with its JSON pointer.
#include <string>

#include "model_fixture.h"
#include <model/initial_state.h>
#include <model/ksm.h>
#include <model/ksmd.h>
#include <model/lint.h>
#include <model/migrate.h>
#include <model/scenario.h>
#include <model/user_access.h>
#include <model/v2_6_33.h>

#include <CppUTest/TestHarness.h>

using namespace model;
using namespace model_test;

namespace {

Kernel kernel_of(const nlohmann::json& initial) { return kernel_v39(initial); }

/// As a scenario with a store thread loads it: the data steps ("K.data") on.
Kernel storing(Kernel k) {
  k.user_data.track = true;
  return k;
}

constexpr PageId PA = 0, PB = 1, C1c = 2;  // C1c: the first free page (C1 here)
constexpr std::uint32_t mA = 0, mB = 1, RA = 0, RB = 1;  // rmap_items in allocation order

const Pte& pte_at(const Kernel& k, std::uint32_t mm, std::uint64_t addr) { return k.mms.at(mm).ptes.at(addr).pte; }

nlohmann::json merge_scenario() {
  nlohmann::json j;
  j["name"] = "t/ksmd-merge";
  j["summary"] = "s";
  j["kernel"] = "3.9";
  j["initial"] = two_pages(7, 7);
  j["threads"] = nlohmann::json::parse(R"([
    { "name": "KD", "actor": "ksmd", "args": { "pages": 3, "batches": 2 } },
    { "name": "W", "actor": "store", "args": { "mm": "A", "address": "0x1000", "value": 9 } }
  ])");
  j["invariants"] = {"no_lost_write"};
  j["expect"] = {{"result", "pass"}};
  return j;
}

}  // namespace

TEST_GROUP(KsmdFullScan39){};

// First full scan (batch 1, pages 3): A's page gets RA, B's RB; the stable tree is
// empty and neither has a checksum yet (oldchecksum 0 in the kernel): both record
// it and stop. The batch ends at the end of the mm list: seqnr 0 -> 1. Nothing merged.
TEST(KsmdFullScan39, FirstScanOnlyRecordsChecksums) {
  OneThread p(kernel_of(two_pages(7, 7)), [](Kernel& k) { ksmd_scan(k, 3, 1); }, {"ksm_counters_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(2, k.rmap_items.size());
  CHECK(k.rmap_items[RA].has_checksum && k.rmap_items[RB].has_checksum);
  LONGS_EQUAL(7, k.rmap_items[RA].oldchecksum);
  CHECK_FALSE(k.rmap_items[RA].unstable || k.rmap_items[RB].unstable);
  LONGS_EQUAL(1, k.ksm.seqnr);
  CHECK(maps(pte_at(k, mA, 0x1000), PA, true));
  CHECK(maps(pte_at(k, mB, 0x1000), PB, true));
  LONGS_EQUAL(0, k.ksm.pages_shared);
}

// Second full scan: the unstable trees are reset; RA's checksum is unchanged, the
// unstable tree is empty: RA goes in (UNSTABLE, seqnr 1, nid 0; pages_unshared 1).
// RB finds RA (get_mergeable_page -> PA, same data): try_to_merge_two_pages merges
// PB first (write-protected, upgraded to PageKsm with no node), then PA into PB
// (write_protect_page, pages_identical, replace_page: A's pte -> PB, PA's mapping
// and reference go; RA leaves the unstable tree: pages_unshared 0). stable_tree_insert
// takes S (kpfn PB, nid 0, root_stable_tree[0]); stable_tree_append RA then RB
// (hlist_add_head: [RB, RA]): pages_shared 1, pages_sharing 1. PA is freed by the
// scan's put_page of the tree page; PB: mapped twice, refcount 2. seqnr 2.
TEST(KsmdFullScan39, SecondScanMergesTwoEqualPages) {
  OneThread p(kernel_of(two_pages(7, 7)), [](Kernel& k) { ksmd_scan(k, 3, 2); },
              {"page_counts_consistent", "ksm_counters_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(maps(pte_at(k, mA, 0x1000), PB, false));
  CHECK(maps(pte_at(k, mB, 0x1000), PB, false));
  CHECK(k.pages[PB].PageKsm());
  LONGS_EQUAL(S, k.page_stable_node(PB));
  LONGS_EQUAL(2, k.pages[PB].mapcount);
  LONGS_EQUAL(2, k.pages[PB].refcount);
  CHECK(k.pages[PA].freed);
  const StableNode& s = k.stable_nodes[S];
  CHECK_FALSE(s.unused);
  LONGS_EQUAL(PB, s.kpfn);
  LONGS_EQUAL(2, s.hlist.size());
  LONGS_EQUAL(RB, s.hlist[0]);
  LONGS_EQUAL(RA, s.hlist[1]);
  LONGS_EQUAL(1, k.ksm.root_stable_tree[0].size());
  LONGS_EQUAL(1, k.ksm.pages_shared);
  LONGS_EQUAL(1, k.ksm.pages_sharing);
  LONGS_EQUAL(0, k.ksm.pages_unshared);
  CHECK(k.ksm.root_unstable_tree[0].empty());
  CHECK(k.rmap_items[RA].stable && k.rmap_items[RB].stable);
  LONGS_EQUAL(2, k.ksm.seqnr);
  LONGS_EQUAL(1, k.anon_vmas[k.rmap_items[RA].anon_vma].refcount);  // get_anon_vma of each merged item
}

// The second half of try_to_merge_two_pages fails (PA's page lock is held, so
// trylock_page fails): PB was already upgraded to PageKsm with no stable node, so
// break_cow(RB) drops RB's anon_vma reference (avB back to 0) and break_ksm COWs B's
// pte into C1 (writable: VM_WRITE); PB, unmapped, is freed by the scan's put_page.
// RA stays in the unstable tree (pages_unshared 1), S unused, nothing shared.
TEST(KsmdFullScan39, AFailedSecondMergeIsUndoneByBreakCow) {
  OneThread p(kernel_of(two_pages(7, 7)), [](Kernel& k) {
    k.pages[PA].lock->lock("test");
    ksmd_scan(k, 3, 2);
    k.pages[PA].lock->unlock("test");
  }, {"page_counts_consistent", "ksm_counters_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(maps(pte_at(k, mB, 0x1000), C1c, true));
  CHECK(maps(pte_at(k, mA, 0x1000), PA, true));
  LONGS_EQUAL(7, k.pages[C1c].content);
  CHECK(k.pages[PB].freed);
  LONGS_EQUAL(0, k.anon_vmas[k.vmas[1].anon_vma].refcount);
  CHECK(k.rmap_items[RA].unstable);
  CHECK_FALSE(k.rmap_items[RB].unstable || k.rmap_items[RB].stable);
  LONGS_EQUAL(1, k.ksm.pages_unshared);
  LONGS_EQUAL(0, k.ksm.pages_shared);
  CHECK(k.stable_nodes[S].unused);
}

// Different data: on the second scan RA goes in the unstable tree, RB compares
// unequal and goes in too (pages_unshared 2). A third scan resets the tree first:
// RA's removal sees age 1 (seqnr 2 - 1): no rb_erase, pages_unshared 1; it is
// inserted again with seqnr 2, RB likewise: the tree holds [RA, RB] again, seqnr 3.
TEST(KsmdFullScan39, UnequalPagesStayInTheUnstableTreeOfTheirScan) {
  OneThread p(kernel_of(two_pages(7, 8)), [](Kernel& k) { ksmd_scan(k, 3, 3); }, {"ksm_counters_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(2, k.ksm.root_unstable_tree[0].size());
  LONGS_EQUAL(RA, k.ksm.root_unstable_tree[0][0]);
  LONGS_EQUAL(RB, k.ksm.root_unstable_tree[0][1]);
  LONGS_EQUAL(2, k.ksm.pages_unshared);
  LONGS_EQUAL(2, k.rmap_items[RA].seqnr);
  LONGS_EQUAL(3, k.ksm.seqnr);
  CHECK(maps(pte_at(k, mA, 0x1000), PA, true));
  CHECK(k.stable_nodes[S].unused);
}

// run=2 between two full scans: unmerge_and_remove_all_rmap_items removes RA and RB,
// inserted by scan 1 while ksm_scan.seqnr is now 2: age 1, so no rb_erase (the tree is
// reset when the next scan starts), pages_unshared 2 -> 0; then ksm_scan.seqnr = 0.
// The counters stay consistent (the finished scan's tree is not checked).
TEST(KsmdFullScan39, UnmergeAfterAScanDropsUnstableItemsOfAge1) {
  OneThread p(kernel_of(two_pages(7, 8)), [](Kernel& k) {
    ksmd_scan(k, 3, 2);
    LONGS_EQUAL(0, run_store(k, KSM_RUN_UNMERGE));
  }, {"ksm_counters_consistent", "page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(0, k.ksm.pages_unshared);
  LONGS_EQUAL(0, k.ksm.seqnr);
  CHECK(k.rmap_items[RA].freed && k.rmap_items[RB].freed);
  CHECK_FALSE(k.rmap_items[RA].unstable);
}

// An UNSTABLE rmap_item two scans old is a kernel BUG in remove_rmap_item_from_tree
// (BUG_ON(age > 1)): the model's scan frees the items it passes, so only a state edited
// here reaches it.
TEST(KsmdFullScan39, AnUnstableItemTwoScansOldIsABug) {
  OneThread p(kernel_of(two_pages(7, 8)), [](Kernel& k) {
    ksmd_scan(k, 3, 2);  // RA: UNSTABLE, seqnr 1; ksm_scan.seqnr 2
    k.ksm.seqnr = 3;
    remove_rmap_item_from_tree(k, RA);
  });
  const checker::Report r = explore_once(p);
  CHECK(r.verdict == checker::Verdict::Violation);
  CHECK(r.counterexample->violation.kind == checker::FailureKind::BugOn);
  CHECK(contains(r.counterexample->violation.message, "BUG_ON(age > 1)"));
}

// The checksum gate: PA's data changes between the scans (9 stored by A), so on
// the second scan RA records the new checksum and stops; RB goes in the unstable
// tree alone. No merge.
TEST(KsmdFullScan39, ChangedChecksumKeepsThePageOutOfTheUnstableTree) {
  OneThread p(storing(kernel_of(two_pages(7, 7))), [](Kernel& k) {
    ksmd_scan(k, 3, 1);
    LONGS_EQUAL(0, user_store(k, mA, 0x1000, 9));
    ksmd_scan(k, 3, 1);
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(9, k.rmap_items[RA].oldchecksum);
  CHECK_FALSE(k.rmap_items[RA].unstable);
  CHECK(k.rmap_items[RB].unstable);
  LONGS_EQUAL(1, k.ksm.pages_unshared);
  CHECK(maps(pte_at(k, mA, 0x1000), PA, true));
}

// A store through a present writable pte writes the page's data at once; through
// a read-only pte of a page mapped once it takes the write fault, do_wp_page reuses
// the page (pte writable again), and the store then lands. no_lost_write holds.
TEST(KsmdFullScan39, StoreWritesThroughOrAfterTheWriteFault) {
  nlohmann::json j = two_pages(7, 7);
  j["ptes"][1]["writable"] = false;
  OneThread p(storing(kernel_of(j)), [](Kernel& k) {
    LONGS_EQUAL(0, user_store(k, mA, 0x1000, 9));
    LONGS_EQUAL(0, user_store(k, mB, 0x1000, 11));
  }, {"no_lost_write"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(9, k.pages[PA].content);
  LONGS_EQUAL(11, k.pages[PB].content);
  CHECK(maps(pte_at(k, mB, 0x1000), PB, true));
  CHECK(k.pages[C1c].in_free_pool);  // reused, not copied
}

// A store to a KSM page (mapped read-only by A and B after the merge) copies it:
// A's pte gets C1 holding the new data, B still reads the old data from PB.
TEST(KsmdFullScan39, StoreToAKsmPageCopiesIt) {
  OneThread p(storing(kernel_of(two_pages(7, 7))), [](Kernel& k) {
    ksmd_scan(k, 3, 2);
    LONGS_EQUAL(0, user_store(k, mA, 0x1000, 9));
  }, {"no_lost_write", "page_counts_consistent", "ksm_counters_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(maps(pte_at(k, mA, 0x1000), C1c, true));
  LONGS_EQUAL(9, k.pages[C1c].content);
  LONGS_EQUAL(7, k.pages[PB].content);
  LONGS_EQUAL(1, k.pages[PB].mapcount);
}

// no_lost_write fails when the page mapped at a stored address holds other data
// (here the state is edited behind the model's back after the store).
TEST(KsmdFullScan39, NoLostWriteCatchesAnOverwrittenPage) {
  OneThread p(storing(kernel_of(two_pages(7, 7))), [](Kernel& k) {
    LONGS_EQUAL(0, user_store(k, mA, 0x1000, 9));
    k.mms[mA].ptes.at(0x1000).pte = Pte::present(PB, true, true, true);  // as if the pte moved to PB without a copy
    ++k.pages[PB].mapcount;
  }, {"no_lost_write"});
  const checker::Report r = explore_once(p);
  CHECK(r.verdict == checker::Verdict::Violation);
}

// Arguments: a store and ksmd's batches load; bad values and unknown fields are
// refused at their pointer; a store in a read-only vma, beside a fork or munmap of
// its mm, and batches > 1 in 2.6.33 are refused.
TEST(KsmdFullScan39, StoreAndBatchesInputAndBadInput) {
  STRCMP_EQUAL("<none>", load_error_pointer(merge_scenario()).c_str());
  std::string msg;
  nlohmann::json j = merge_scenario();
  j["threads"][1]["args"]["value"] = 0;
  STRCMP_EQUAL("/threads/1/args/value", load_error_pointer(j).c_str());
  j["threads"][1]["args"]["value"] = 1 << 21;
  STRCMP_EQUAL("/threads/1/args/value", load_error_pointer(j).c_str());
  j = merge_scenario();
  j["threads"][1]["args"].erase("value");
  STRCMP_EQUAL("/threads/1/args", load_error_pointer(j).c_str());
  j = merge_scenario();
  j["threads"][1]["args"]["size"] = 8;
  STRCMP_EQUAL("/threads/1/args/size", load_error_pointer(j).c_str());
  j = merge_scenario();
  j["threads"][1]["args"]["address"] = "0x5000";
  STRCMP_EQUAL("/threads/1/args/address", load_error_pointer(j).c_str());
  j = merge_scenario();
  j["initial"]["mms"][0]["vmas"][0]["flags"] = {"VM_READ", "VM_MERGEABLE"};
  STRCMP_EQUAL("/threads/1/args/address", load_error_pointer(j, &msg).c_str());
  CHECK(contains(msg, "not VM_WRITE"));
  j = merge_scenario();
  j["threads"][0]["args"]["batches"] = 9;
  STRCMP_EQUAL("/threads/0/args/batches", load_error_pointer(j).c_str());
  j["threads"][0]["args"]["batches"] = "2";
  STRCMP_EQUAL("/threads/0/args/batches", load_error_pointer(j).c_str());
  j = merge_scenario();
  // A munmap of the storing mm loads: its TLB flush (tlb_flush_mmu) is modelled.
  j["threads"].push_back({{"name", "U"}, {"actor", "munmap"}, {"args", {{"mm", "A"}, {"address", "0x1000"}}}});
  STRCMP_EQUAL("<none>", load_error_pointer(j, &msg).c_str());
  j = merge_scenario();
  j["kernel"] = "2.6.33";
  j["threads"].erase(1);
  j["invariants"] = nlohmann::json::array();
  STRCMP_EQUAL("<none>", load_error_pointer(j).c_str());  // 2.6.33 runs `batches` rounds too (KsmdFullScan2633)
  j["threads"][0]["args"].erase("batches");
  j["threads"].push_back({{"name", "W"}, {"actor", "store"}, {"args", {{"mm", "A"}, {"address", "0x1000"}, {"value", 9}}}});
  STRCMP_EQUAL("<none>", load_error_pointer(j).c_str());  // a 2.6.33 store (Store2633)
}

// mmcheck check: ksmd with two batches may undo a merge with break_cow (a COW copy at
// A:0x1000 and B:0x1000) and the store may COW the KSM page (A:0x1000): three
// allocations on node 0, two free pages declared: a free-pages finding; a third
// free page clears it. Without a store, no_lost_write cannot fire.
TEST(KsmdFullScan39, LintCountsBreakCowAndStoreCopies) {
  nlohmann::json j = merge_scenario();
  LintReport r = lint(Scenario::parse(j, "t.json"));
  bool found = false;
  for (const LintFinding& f : r.findings)
    found |= f.kind == LintFinding::Kind::FreePages && contains(f.message, "break_cow's COW copies (a merge undone) at A:0x1000, B:0x1000") &&
             contains(f.message, "a do_wp_page COW copy at A:0x1000");
  CHECK(found);
  j["initial"]["pages"].push_back({{"name", "C3"}, {"free", true}});
  CHECK(lint(Scenario::parse(j, "t.json")).findings.empty());
  j["threads"].erase(1);
  r = lint(Scenario::parse(j, "t.json"));
  LONGS_EQUAL(1, r.findings.size());
  CHECK(r.findings[0].kind == LintFinding::Kind::InvariantCannotFire);
  // No "unused" stable node: a note says a merge would end the run unsupported.
  CHECK(r.notes.empty());
  j["initial"]["stable_nodes"] = nlohmann::json::array();
  r = lint(Scenario::parse(j, "t.json"));
  LONGS_EQUAL(1, r.notes.size());
  CHECK(contains(r.notes[0], "stable_tree_insert needs a declared"));
}

// stable_tree_search's match is taken with get_ksm_page(S, lock_it) and unlocked (v3.9,
// c8d6553b9580), so a migration of S's page that passed its count check holds the lock until
// S points at the new page: ksmd never maps a page that stops being a KSM page under it. The
// scenario is clean under DPOR and under bounded DFS (the same verdict, derived independently).
TEST(KsmdFullScan39, StableTreeMatchRacingItsMigrationIsClean) {
  model_test::check_clean_and_dfs_agrees("scenarios/ksm/ksmd-stable-merge-vs-ksm-migration-fixed.json");
}

// A merge into a page that is no longer a KSM page is the kernel's oops in stable_tree_append
// (page_stable_node(kpage) is NULL), reported as such rather than as a model error.
TEST(KsmdFullScan39, StableTreeAppendToNoNodeIsTheKernelsOops) {
  OneThread p(storing(kernel_of(two_pages(7, 7))), [](Kernel& k) { stable_tree_append(k, RA, kNoNode); });
  const checker::Report r = explore_once(p);
  CHECK(r.verdict == checker::Verdict::Violation);
  CHECK(r.counterexample->violation.kind == checker::FailureKind::BugOn);
  CHECK(r.counterexample->violation.message.find("NULL pointer dereference in stable_tree_append") != std::string::npos);
}

TEST_GROUP(KsmdFullScan2633){};

// v2.6.33's ksmd, two rounds over A's PA and B's PB (both data 7), by hand from mm/ksm.c
// v2.6.33 (the same steps as v3.9 here): round 1 gives RA and RB their checksums and ends
// at the end of the mm list (ksm_scan.seqnr 1); round 2 starts a full scan (the unstable
// tree reset), RA goes in, RB finds it: try_to_merge_two_pages upgrades PB to PageKsm and
// merges PA into it; stable_tree_insert takes S (kpfn PB). Both ptes map PB read-only, PA is
// freed, seqnr 2; with one round nothing is merged (the checksum gate).
TEST(KsmdFullScan2633, TwoRoundsMergeTwoEqualPages) {
  for (int batches : {1, 2}) {
    model::KernelConfig config;
    config.era = Era::V2_6_33;
    Kernel k0 = model::parse_initial_state(two_pages(7, 7), "t", "/initial", config);
    OneThread p(std::move(k0), [batches](Kernel& k) { v2_6_33::ksmd_scan(k, 3, batches); },
                {"page_counts_consistent", "ksm_counters_consistent"});
    CHECK(explore_once(p).verdict == checker::Verdict::Pass);
    const Kernel& k = *p.kernel;
    LONGS_EQUAL(batches, k.ksm.seqnr);
    if (batches == 1) {
      CHECK(maps(pte_at(k, mA, 0x1000), PA, true));
      CHECK(maps(pte_at(k, mB, 0x1000), PB, true));
      LONGS_EQUAL(0, k.ksm.pages_shared);
      continue;
    }
    CHECK(maps(pte_at(k, mA, 0x1000), PB, false));
    CHECK(maps(pte_at(k, mB, 0x1000), PB, false));
    CHECK(k.pages[PB].PageKsm());
    CHECK(k.pages[PA].freed);
    LONGS_EQUAL(PB, k.stable_nodes[S].kpfn);
    LONGS_EQUAL(1, k.ksm.pages_shared);
    LONGS_EQUAL(1, k.ksm.pages_sharing);
  }
}

// The 2.6.33 merge of two new pages against a store to one of them: clean under DPOR and
// plain DFS within two preemptions agrees.
TEST(KsmdFullScan2633, MergeAgainstAStoreIsClean) {
  check_clean_and_dfs_agrees("scenarios/ksm/ksmd-merge-vs-write-2.6.33-fixed.json");
}

TEST_GROUP(KsmdNuma39){};

namespace {

constexpr PageId kPA = 0, kK = 1, kN = 2;  // scenarios/ksm/numa-migration-vs-ksmd-fixed's pages in order

/// scenarios/ksm/numa-migration-vs-ksmd-fixed's initial state (3.9, with `reverted` out).
Kernel numa_kernel(std::vector<Fix> reverted) {
  const nlohmann::json j = load_json_file("scenarios/ksm/numa-migration-vs-ksmd-fixed.json");
  KernelConfig config;
  config.era = Era::V3_9;
  config.reverted = std::move(reverted);
  return parse_initial_state(j.at("initial"), "t", "/initial", config);
}

/// Its two threads in one, in order: M's migration of K (node 0) to N (node 1), then ksmd's
/// two batches of two pages.
void migrate_then_ksmd(Kernel& k) {
  LONGS_EQUAL(0, migrate_one_page(k, kK, 1, 1));
  ksmd_scan(k, 2, 2);
}

}  // namespace

// By hand from mm/ksm.c v3.9.6 (4146d2d673e8): after the migration S.kpfn is N (node 1), S
// still in root_stable_tree[0]. ksmd's first item, RA for PA (node 0): stable_tree_search(PA)
// in tree 0 matches S (same data), get_ksm_page(S, true) gives N, and get_kpfn_nid(N) = 1 !=
// S->nid = 0: goto replace without a page_node: rb_erase(S), S on migrate_nodes, NULL. PA's
// checksum is recorded and it stays unmerged. B's item RB on N: N's node S is on migrate_nodes,
// so it is searched for in tree 1 (empty) and S is linked there (nid 1); kpage == N: RB stays in
// S. End: A maps PA writable, B maps N; S in root_stable_tree[1] only, migrate_nodes empty.
TEST(KsmdNuma39, AStableNodeWhosePageMigratedIsNotMergedIntoFromItsOldNode) {
  OneThread p(numa_kernel({}), migrate_then_ksmd, {"page_counts_consistent", "ksm_counters_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  const PageId pa = kPA, n = kN;
  CHECK(maps(pte_at(k, mA, 0x1000), pa, true));
  CHECK(maps(pte_at(k, mB, 0x1000), n, false));
  CHECK_FALSE(k.pages[pa].PageKsm());
  CHECK(k.ksm.root_stable_tree[0].empty());
  LONGS_EQUAL(1, k.ksm.root_stable_tree[1].size());
  const StableNode& s = k.stable_nodes[k.ksm.root_stable_tree[1][0]];
  STRCMP_EQUAL("S", s.name.c_str());
  LONGS_EQUAL(1, s.nid);
  LONGS_EQUAL(n, s.kpfn);
  LONGS_EQUAL(1, s.hlist.size());
  CHECK(k.ksm.migrate_nodes.empty());
  LONGS_EQUAL(1, k.ksm.pages_shared);
  LONGS_EQUAL(0, k.ksm.pages_sharing);
}

// The pre-003 kernel (cbf86cfe04a6 reverted: the model's v3.9 before the NUMA series' later
// patches, without 4146d2d673e8's migrate_nodes): the same order merges PA into N across nodes
// (the bug 4146d2d673e8 fixed): A maps N, S (still in tree 0) has both items.
TEST(KsmdNuma39, WithoutMigrateNodesThePageIsMergedAcrossNodes) {
  OneThread p(numa_kernel({Fix::StaleNodesSweep}), migrate_then_ksmd,
              {"page_counts_consistent", "ksm_counters_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  const PageId n = kN;
  CHECK(maps(pte_at(k, mA, 0x1000), n, false));
  LONGS_EQUAL(1, k.ksm.root_stable_tree[0].size());
  LONGS_EQUAL(2, k.stable_nodes[k.ksm.root_stable_tree[0][0]].hlist.size());
}

// The race itself (the migration at any point of ksmd's scan) is clean, and DPOR finds every
// order the sequential tests above take apart.
TEST(KsmdNuma39, TheRaceIsClean) {
  const model::Scenario s = model::Scenario::load("scenarios/ksm/numa-migration-vs-ksmd-fixed.json");
  checker::Options o = s.options();
  o.fewest_preemptions = false;
  const checker::Report r = checker::explore(*s.make_program(), o);
  CHECK(r.verdict == checker::Verdict::Pass);
  CHECK(r.stats.complete);
}
