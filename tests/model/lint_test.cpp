// lint_test.cpp: the static check (model::lint): for each rule a scenario
// that triggers it and one that does not. Expected counts are derived by hand
// from the model's paths: run=2 COWs each KSM pte of a mergeable vma on the
// KSM list once (do_wp_page always copies a KSM page), on node 0; a migration
// takes one page on its target node.
#include <algorithm>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <model/lint.h>
#include <model/scenario.h>

#include "model_fixture.h"

#include <CppUTest/TestHarness.h>

namespace {

using model::LintFinding;
using model_test::contains;

model::LintReport lint_of(const nlohmann::json& j) { return model::lint(model::Scenario::parse(j, "t.json")); }

/// The findings of one kind, as "POINTER: MESSAGE".
std::vector<std::string> of_kind(const model::LintReport& r, LintFinding::Kind kind) {
  std::vector<std::string> out;
  for (const LintFinding& f : r.findings)
    if (f.kind == kind) out.push_back(f.pointer + ": " + f.message);
  return out;
}

nlohmann::json free_page(const char* name, int nid) { return {{"name", name}, {"nid", nid}, {"free", true}}; }

/// A read fault of mm at 0x1000 (allocates nothing) that starts after thread `after`'s `event`.
nlohmann::json waiter(const char* name, const char* mm, const char* after, const char* event) {
  return {{"name", name},
          {"actor", "fault"},
          {"args", {{"mm", mm}, {"address", "0x1000"}}},
          {"start_after", {{"thread", after}, {"event", event}}}};
}

/// The seed-000 scenario with two free pages on node 0 for U's two COWs.
nlohmann::json provisioned() {
  nlohmann::json j = model_test::seed000_scenario();
  j["initial"]["pages"].push_back(free_page("C1", 0));
  j["initial"]["pages"].push_back(free_page("C2", 0));
  return j;
}

}  // namespace

TEST_GROUP(LintFreePages){};

// run=2 COWs A:0x1000 and B:0x1000 (both map KSM page K): 2 pages on node 0,
// and the fixture declares none there; M's target N on node 1 is there.
TEST(LintFreePages, Run2WithoutFreePagesOnNode0) {
  const auto f = of_kind(lint_of(model_test::seed000_scenario()), LintFinding::Kind::FreePages);
  LONGS_EQUAL(1, f.size());
  CHECK_TEXT(contains(f[0], "/threads/0: too few free pages on node 0: the threads may allocate 2 there "
                            "(U needs 2 for run=2's break_ksm COW copies at A:0x1000, B:0x1000), the scenario declares "
                            "none usable"),
             f[0].c_str());
}

TEST(LintFreePages, EnoughPagesIsClean) {
  CHECK(lint_of(provisioned()).findings.empty());
}

TEST(LintFreePages, OneShortOfTwo) {
  nlohmann::json j = model_test::seed000_scenario();
  j["initial"]["pages"].push_back(free_page("C1", 0));
  const auto f = of_kind(lint_of(j), LintFinding::Kind::FreePages);
  LONGS_EQUAL(1, f.size());
  CHECK_TEXT(contains(f[0], "/threads/0: too few free pages on node 0: the threads may allocate 2 there"), f[0].c_str());
  CHECK_TEXT(contains(f[0], "the scenario declares 1 (C1) usable"), f[0].c_str());
}

// A write fault on A:0x1000 (KSM page: always copied) adds a third page on
// node 0; no thread alone needs more than the two declared, so the finding
// points at the declared pages.
TEST(LintFreePages, TogetherTooManyPointsAtThePages) {
  nlohmann::json j = provisioned();
  j["threads"].push_back({{"name", "F"}, {"actor", "fault"}, {"args", {{"mm", "A"}, {"address", "0x1000"}, {"write", true}}}});
  const auto f = of_kind(lint_of(j), LintFinding::Kind::FreePages);
  LONGS_EQUAL(1, f.size());
  CHECK_TEXT(contains(f[0], "/initial/pages: too few free pages on node 0: the threads may allocate 3 there"), f[0].c_str());
  CHECK_TEXT(contains(f[0], "F needs 1 for a do_wp_page COW copy at A:0x1000"), f[0].c_str());
  // A read fault on a present pte allocates nothing.
  j["threads"][2]["args"]["write"] = false;
  CHECK(lint_of(j).findings.empty());
}

// The migration target is node-bound: with N moved to node 0, node 1 has none.
TEST(LintFreePages, MigrationTargetOnItsNode) {
  nlohmann::json j = provisioned();
  j["initial"]["pages"][1]["nid"] = 0;
  const auto f = of_kind(lint_of(j), LintFinding::Kind::FreePages);
  LONGS_EQUAL(1, f.size());
  CHECK_TEXT(contains(f[0], "/threads/1: too few free pages on node 1: the threads may allocate 1 there "
                            "(M needs 1 for new_page_node's migration target for K)"),
             f[0].c_str());
}

// A child forked from A joins the KSM list (ksm_fork) mapping K at 0x1000:
// run=2 has a third pte to COW.
TEST(LintFreePages, ForkedChildIsUnmergedToo) {
  nlohmann::json j = provisioned();
  j["initial"]["mms"].push_back(nlohmann::json::parse(
      R"({ "name": "C", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_MERGEABLE"], "anon_vma": "avC" } ] })"));
  j["initial"]["ptes"].push_back({{"mm", "C"}, {"address", "0x1000"}, {"pte", "none"}});
  j["threads"].push_back({{"name", "P"}, {"actor", "fork"}, {"args", {{"mm", "A"}, {"child", "C"}}}});
  const auto f = of_kind(lint_of(j), LintFinding::Kind::FreePages);
  LONGS_EQUAL(1, f.size());
  CHECK_TEXT(contains(f[0], "U needs 3 for run=2's break_ksm COW copies at A:0x1000, B:0x1000, C:0x1000"), f[0].c_str());
}

// fault-after-fork's F write-faults the child C after the fork: copy_one_pte
// gave C the parent's page read-only, so do_wp_page copies (one page on node 0).
TEST(LintFreePages, WriteFaultOfAForkChildCopies) {
  nlohmann::json j = model::load_json_file("scenarios/ksm/fault-after-fork.json");
  CHECK(lint_of(j).findings.empty());
  nlohmann::json& pages = j["initial"]["pages"];
  for (std::size_t i = pages.size(); i-- > 0;)
    if (pages[i].value("free", false) && pages[i].value("nid", 0) == 0) pages.erase(i);
  const auto f = of_kind(lint_of(j), LintFinding::Kind::FreePages);
  LONGS_EQUAL(1, f.size());
  CHECK_TEXT(contains(f[0], "F needs 1 for a do_wp_page COW copy at C:0x1000"), f[0].c_str());
}

// do_anonymous_page: a write fault on a none pte allocates the page it maps; a
// read fault maps the zero page and allocates nothing.
TEST(LintFreePages, WriteFaultOnANonePte) {
  nlohmann::json j = model_test::seed000_scenario();
  j["initial"] = nlohmann::json::parse(R"({
    "pages": [],
    "mms": [ { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "anon_vma": "avA" } ] } ],
    "ptes": [ { "mm": "A", "address": "0x1000", "pte": "none" } ]
  })");
  j["threads"] = nlohmann::json::parse(R"([ { "name": "F", "actor": "fault", "args": { "mm": "A", "address": "0x1000", "write": true } } ])");
  const auto f = of_kind(lint_of(j), LintFinding::Kind::FreePages);
  LONGS_EQUAL(1, f.size());
  CHECK_TEXT(contains(f[0], "/threads/0: too few free pages on node 0: the threads may allocate 1 there "
                            "(F needs 1 for a do_anonymous_page page at A:0x1000)"),
             f[0].c_str());
  j["threads"][0]["args"]["write"] = false;
  CHECK(lint_of(j).findings.empty());
}

TEST_GROUP(LintNeverRuns){};

// swapin-after-unmerge-fixed's fault waits for KSM_RUN_UNMERGE; with U writing
// run=1 instead nobody ever sets it.
TEST(LintNeverRuns, AfterUnmergeStoreWithoutRun2) {
  nlohmann::json j = model::load_json_file("scenarios/ksm/swapin-after-unmerge-fixed.json");
  CHECK(of_kind(lint_of(j), LintFinding::Kind::NeverRuns).empty());
  j["threads"][0]["args"]["value"] = 1;
  const auto f = of_kind(lint_of(j), LintFinding::Kind::NeverRuns);
  LONGS_EQUAL(1, f.size());
  CHECK_TEXT(contains(f[0], "/threads/1/args/after_unmerge_store: thread F can never run: it waits for ksm_run "
                            "to have KSM_RUN_UNMERGE (after_unmerge_store), the initial run is 1 and no thread "
                            "writes run=2"),
             f[0].c_str());
}

// admin emits run_store only after a "run" step.
TEST(LintNeverRuns, RunStoreOfAnAdminWithoutRunSteps) {
  nlohmann::json j = provisioned();
  j["threads"].push_back(nlohmann::json::parse(R"({ "name": "AD", "actor": "admin", "args": { "steps": [ { "merge_across_nodes": 1 } ] } })"));
  j["threads"].push_back(waiter("W", "B", "AD", "run_store"));
  auto f = of_kind(lint_of(j), LintFinding::Kind::NeverRuns);
  LONGS_EQUAL(1, f.size());
  CHECK_TEXT(contains(f[0], "/threads/3/start_after: thread W can never run: it starts after thread AD's event "
                            "\"run_store\", and thread AD (admin) never reaches it"),
             f[0].c_str());
  j["threads"][2]["args"]["steps"].push_back({{"run", 1}});
  CHECK(of_kind(lint_of(j), LintFinding::Kind::NeverRuns).empty());
}

// unlock_page of a migration whose page is not on the LRU: isolate_lru_page
// fails, no page is ever locked; and a thread waiting for that waiter is stuck too.
TEST(LintNeverRuns, UnlockPageOfAPageOffTheLru) {
  nlohmann::json j = provisioned();
  j["threads"].push_back(waiter("W", "B", "M", "unlock_page"));
  CHECK(lint_of(j).findings.empty());
  j["threads"].push_back(waiter("X", "A", "W", "done"));
  j["initial"]["pages"][0]["flags"] = {"Anon", "Ksm", "Uptodate"};
  const auto f = of_kind(lint_of(j), LintFinding::Kind::NeverRuns);
  LONGS_EQUAL(2, f.size());
  CHECK_TEXT(contains(f[0], "/threads/2/start_after: thread W can never run: it starts after thread M's event "
                            "\"unlock_page\", and thread M (migrate_pages) never reaches it: its page K is not on "
                            "the LRU"),
             f[0].c_str());
  CHECK_TEXT(contains(f[1], "/threads/3/start_after: thread X can never run: it starts after thread W's event "
                            "\"done\", and thread W can never start"),
             f[1].c_str());
}

// unlock_page of a migration with no free page on its target node.
TEST(LintNeverRuns, UnlockPageWithNoTarget) {
  nlohmann::json j = provisioned();
  j["initial"]["pages"][1]["nid"] = 0;  // N on node 0: node 1 has no free page
  j["threads"].push_back(waiter("W", "B", "M", "unlock_page"));
  const auto f = of_kind(lint_of(j), LintFinding::Kind::NeverRuns);
  LONGS_EQUAL(1, f.size());
  CHECK_TEXT(contains(f[0], "node 1 has no free page for new_page_node"), f[0].c_str());
}

// Hot-remove of section Y (only free pages): nothing to migrate, so no
// unlock_page; at run time the same scenario ends unsupported
// (StartAfter.EventNeverReachedIsUnsupportedNotADeadlock).
TEST(LintNeverRuns, UnlockPageOfASectionWithNothingToMigrate) {
  nlohmann::json j = model::load_json_file("scenarios/ksm/fault-after-migration.json");
  CHECK(lint_of(j).findings.empty());
  j["threads"][0]["args"]["section"] = "Y";
  const auto f = of_kind(lint_of(j), LintFinding::Kind::NeverRuns);
  LONGS_EQUAL(1, f.size());
  CHECK_TEXT(contains(f[0], "/threads/1/start_after: thread F can never run: it starts after thread H's event "
                            "\"unlock_page\", and thread H (offline_pages) never reaches it: section Y has no page "
                            "in use on the LRU to migrate"),
             f[0].c_str());
}

// The loader, not the check, refuses an event the actor never emits and a
// cycle of waits (InputError: `mmcheck check` exits 2 on them).
TEST(LintNeverRuns, NeverEmittedEventAndCycleAreInputErrors) {
  nlohmann::json j = provisioned();
  j["threads"][1]["start_after"] = {{"thread", "U"}, {"event", "dup_mmap"}};
  STRCMP_EQUAL("/threads/1/start_after/event", model_test::load_error_pointer(j).c_str());
  j["threads"][1]["start_after"] = {{"thread", "U"}, {"event", "done"}};
  j["threads"][0]["start_after"] = {{"thread", "M"}, {"event", "done"}};
  STRCMP_EQUAL("/threads/0/start_after", model_test::load_error_pointer(j).c_str());
}

TEST_GROUP(LintInvariants){};

TEST(LintInvariants, Run2InvariantsWithoutARun2Store) {
  nlohmann::json j = provisioned();
  j["invariants"] = {"page_counts_consistent", "ksm_fully_unmerged", "break_ksm_postcondition"};
  CHECK(lint_of(j).findings.empty());
  j["threads"][0]["args"]["value"] = 1;
  const auto f = of_kind(lint_of(j), LintFinding::Kind::InvariantCannotFire);
  LONGS_EQUAL(2, f.size());
  CHECK_TEXT(contains(f[0], "/invariants/1: invariant ksm_fully_unmerged cannot fire: it checks only after a run=2 "
                            "store succeeded, and no thread writes run=2"),
             f[0].c_str());
  CHECK_TEXT(contains(f[1], "/invariants/2: invariant break_ksm_postcondition cannot fire"), f[1].c_str());
}

TEST(LintInvariants, MigrationInvariantsWithoutAMigration) {
  nlohmann::json j = provisioned();
  j["invariants"] = {"no_leftover_migration_entry", "no_migration_entry_at_unlock"};
  CHECK(lint_of(j).findings.empty());
  j["threads"].erase(1);  // no M
  const auto f = of_kind(lint_of(j), LintFinding::Kind::InvariantCannotFire);
  LONGS_EQUAL(2, f.size());
  CHECK_TEXT(contains(f[0], "/invariants/0: invariant no_leftover_migration_entry cannot fire"), f[0].c_str());
  CHECK_TEXT(contains(f[1], "/invariants/1: invariant no_migration_entry_at_unlock cannot fire"), f[1].c_str());
}

TEST(LintInvariants, KsmCountersWithoutStableNodes) {
  nlohmann::json j = model_test::seed000_scenario();
  j["invariants"] = {"ksm_counters_consistent"};
  CHECK(of_kind(lint_of(j), LintFinding::Kind::InvariantCannotFire).empty());
  // A plain anon page mapped by A alone, no KSM state at all.
  j["initial"] = nlohmann::json::parse(R"({
    "pages": [ { "name": "P", "flags": ["Anon", "Uptodate", "LRU"] } ],
    "mms": [ { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "anon_vma": "avA" } ] } ],
    "ptes": [ { "mm": "A", "address": "0x1000", "pte": "present", "page": "P" } ]
  })");
  j["threads"] = nlohmann::json::parse(R"([ { "name": "F", "actor": "fault", "args": { "mm": "A", "address": "0x1000" } } ])");
  const auto f = of_kind(lint_of(j), LintFinding::Kind::InvariantCannotFire);
  LONGS_EQUAL(1, f.size());
  CHECK_TEXT(contains(f[0], "/invariants/0: invariant ksm_counters_consistent cannot fire"), f[0].c_str());
}

namespace {

/// The pointers of the invariant findings of a repository scenario after `edit`.
std::vector<std::string> invariant_pointers(const char* file, const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json j = model::load_json_file(file);
  CHECK_TEXT(lint_of(j).findings.empty(), file);
  edit(j);
  std::vector<std::string> out;
  for (const LintFinding& f : lint_of(j).findings)
    if (f.kind == LintFinding::Kind::InvariantCannotFire) out.push_back(f.pointer);
  return out;
}

using Pointers = std::vector<std::string>;

}  // namespace

// The other eras' rules, each on a repository scenario that is clean as it is
// and loses what its invariants watch when one thread goes.
TEST(LintInvariants, HmmChecksWithoutAWalker) {
  // migration-pmd-fixed: hmm_no_error_pfn, hmm_fault_complete, hmm_valid_pfn_mapped,
  // no_leftover_migration_entry, page_counts_consistent; threads M (migrate_pages), G (hmm_vma_fault).
  CHECK(invariant_pointers("scenarios/hmm/migration-pmd-fixed.json", [](nlohmann::json& j) { j["threads"].erase(1); }) ==
        Pointers({"/invariants/0", "/invariants/1", "/invariants/2"}));
  CHECK(invariant_pointers("scenarios/hmm/migration-pmd-fixed.json", [](nlohmann::json& j) { j["threads"].erase(0); }) ==
        Pointers({"/invariants/3"}));
}

TEST(LintInvariants, HotRemoveChecksWithoutOfflinePages) {
  // hotremove-only-B-fixed: no_stable_node_in_offlined_range, no_leftover_migration_entry, ...; H is offline_pages.
  CHECK(invariant_pointers("scenarios/ksm/hotremove-only-B-fixed.json", [](nlohmann::json& j) { j["threads"].erase(0); }) ==
        Pointers({"/invariants/0", "/invariants/1"}));
}

TEST(LintInvariants, FlipAndSwapinChecksWithoutTheirPaths) {
  // stale-node-flip-fixed: stable_trees_empty_at_flip (0) and stable_trees_empty (3); ADM writes run=2,
  // merge_across_nodes=0, run=1.
  CHECK(invariant_pointers("scenarios/ksm/stale-node-flip-fixed.json", [](nlohmann::json& j) {
          j["threads"][0]["args"]["steps"].erase(1);
        }) == Pointers({"/invariants/0"}));
  CHECK(invariant_pointers("scenarios/ksm/stale-node-flip-fixed.json", [](nlohmann::json& j) {
          j["threads"][0]["args"]["steps"].erase(0);
        }) == Pointers({"/invariants/3"}));
  // swapin-not-uptodate-fixed: never_map_not_uptodate (0); F is the only swap-in.
  CHECK(invariant_pointers("scenarios/ksm/swapin-not-uptodate-fixed.json", [](nlohmann::json& j) {
          j["threads"][0] = {{"name", "U"}, {"actor", "ksm_run_store"}, {"args", {{"value", 1}}}};
        }) == Pointers({"/invariants/0"}));
}

TEST_GROUP(LintNotes){};

// By hand from v3.9's rmap_walk_ksm: it walks the stable node's rmap_items only, so
// with S's list empty try_to_unmap reaches neither of K's two ptes, K stays mapped and
// unmap_and_move gives -EAGAIN: the migration fails in every run, and check says why.
// With the rmap_items of seed 000 declared, no note.
TEST(LintNotes, AKsmPageItsStableNodeDoesNotReachCannotMigrate) {
  nlohmann::json j = model_test::seed000_scenario();
  j["threads"] = nlohmann::json::parse(R"([{ "name": "M", "actor": "migrate_pages", "args": { "page": "K", "to_node": 1 } }])");
  CHECK(lint_of(j).notes.empty());
  j["initial"].erase("rmap_items");
  j["initial"]["ksm"]["pages_shared"] = 0;
  j["initial"]["ksm"]["pages_sharing"] = 0;
  model::LintReport r = lint_of(j);
  LONGS_EQUAL(1, r.notes.size());
  CHECK_TEXT(contains(r.notes[0], "thread M (migrate_pages) migrates KSM page K, mapped by 2 pte(s), whose stable "
                                  "node S has no rmap_items"),
             r.notes[0].c_str());
  CHECK(r.findings.empty());
  std::shared_ptr<model::PathStats> paths;
  model::Scenario s = model::Scenario::parse(j, "t.json");
  checker::Report rep = model_test::explore_recording_paths(s, paths);
  CHECK(rep.verdict == checker::Verdict::Pass);
  CHECK(paths->finished(0) > 0);
  LONGS_EQUAL(paths->finished(0), paths->count(0, model::Outcome::Eagain));
}

// Reclaim isolates its page first: a page declared without the LRU flag, with no other
// thread to put a page back on the LRU, is kept in every run (isolate_lru_page fails),
// and check says so; with the flag, no note, and reclaim frees the unmapped clean
// swap-cache page (A's swap pte holds its slot) in every run: its count is the swap
// cache's 1 and nothing else runs.
TEST(LintNotes, ReclaimOfAPageOffTheLruIsKeptInEveryRun) {
  nlohmann::json j = nlohmann::json::parse(R"({
    "name": "t", "summary": "reclaim of P alone", "kernel": "3.9",
    "initial": {
      "pages": [ { "name": "P", "flags": ["Anon", "Uptodate", "SwapCache"], "swap_entry": 1, "refcount": 1 } ],
      "mms": [ { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"],
                                          "anon_vma": "avA" } ] } ],
      "ptes": [ { "mm": "A", "address": "0x1000", "pte": "swap", "entry": 1 } ]
    },
    "threads": [ { "name": "R", "actor": "reclaim", "args": { "page": "P" } } ],
    "invariants": ["page_counts_consistent"],
    "expect": { "result": "pass" }
  })");
  for (const bool lru : {false, true}) {
    if (lru) j["initial"]["pages"][0]["flags"].push_back("LRU");
    model::LintReport r = lint_of(j);
    LONGS_EQUAL_TEXT(lru ? 0 : 1, r.notes.size(), r.notes.empty() ? "no note" : r.notes[0].c_str());
    if (!lru && !r.notes.empty())
      CHECK_TEXT(contains(r.notes[0], "thread R (reclaim) reclaims P, which is not on the LRU (no LRU flag): "
                                      "isolate_lru_page fails and the page is kept in every run"),
                 r.notes[0].c_str());
    std::shared_ptr<model::PathStats> paths;
    model::Scenario s = model::Scenario::parse(j, "t.json");
    checker::Report rep = model_test::explore_recording_paths(s, paths);
    CHECK(rep.verdict == checker::Verdict::Pass);
    UNSIGNED_LONGS_EQUAL(1, paths->finished(0));
    UNSIGNED_LONGS_EQUAL(lru ? 0 : 1, paths->count(0, model::Outcome::Kept));
  }
}

// Each migrate_pages pass takes a new target and the model never reuses a freed one:
// ksm/swapout-async-vs-migration-fixed declares four targets for M's four passes (no
// note, and M never ends -ENOMEM); with N alone, M's first pass that meets P under
// writeback (-EAGAIN) leaves no target for the next: the note says so, and some run
// ends -ENOMEM. Both searches stay clean.
TEST(LintNotes, MigrationRetriesNeedAFreePageEach) {
  for (const bool all : {true, false}) {
    nlohmann::json j = model::load_json_file("scenarios/ksm/swapout-async-vs-migration-fixed.json");
    if (!all) {
      auto& pages = j["initial"]["pages"];
      for (std::size_t i = pages.size(); i-- > 0;)
        if (pages[i]["name"] == "N2" || pages[i]["name"] == "N3" || pages[i]["name"] == "N4") pages.erase(i);
    }
    model::LintReport r = lint_of(j);
    LONGS_EQUAL_TEXT(all ? 0 : 1, r.notes.size(), r.notes.empty() ? "no note" : r.notes[0].c_str());
    if (!all && !r.notes.empty())
      CHECK_TEXT(contains(r.notes[0], "thread M (migrate_pages) may run 4 passes, each allocating a new target on "
                                      "node 1") &&
                     contains(r.notes[0], "declares 1 usable there: a pass after the 1st ends -ENOMEM"),
                 r.notes[0].c_str());
    std::shared_ptr<model::PathStats> paths;
    model::Scenario s = model::Scenario::parse(j, "t.json");
    checker::Report rep = model_test::explore_recording_paths(s, paths);
    CHECK(rep.verdict == checker::Verdict::Pass);
    CHECK(rep.stats.complete);
    CHECK_EQUAL(!all, paths->count(1, model::Outcome::Enomem) > 0);
    // Its -ENOMEM is new_page_node's failed allocation: the pool's, counted as such.
    CHECK_EQUAL(!all, paths->count(1, model::Outcome::NoFreePage) > 0);
  }
}

// stable_tree_insert's "unused" node: ksmd-merge-two-pages (PA and PB, both anon, mergeable)
// without its unused node gets the note; seed 000's state (K, a KSM page, is the only page
// mapped) with two exits beside ksmd has no merge candidate and no thread that may map one,
// so no note; a MADV_UNMERGEABLE there breaks K into a new anon page (break_ksm's COW): the note again.
TEST(LintNotes, KsmdWithoutAnUnusedStableNodeOnlyWhereTwoPagesMayMerge) {
  auto merge_note = [](const model::LintReport& r) {
    return std::count_if(r.notes.begin(), r.notes.end(),
                         [](const std::string& n) { return contains(n, "may merge two pages"); });
  };
  std::ifstream file("scenarios/ksm/ksmd-merge-two-pages.json");
  nlohmann::json two = nlohmann::json::parse(file);
  LONGS_EQUAL(0, merge_note(lint_of(two)));
  two["initial"].erase("stable_nodes");
  LONGS_EQUAL(1, merge_note(lint_of(two)));

  nlohmann::json j = model_test::seed000_scenario();
  j["threads"] = nlohmann::json::parse(R"([
    { "name": "XA", "actor": "exit", "args": { "mm": "A" } },
    { "name": "XB", "actor": "exit", "args": { "mm": "B" } },
    { "name": "KD", "actor": "ksmd", "args": { "pages": 2, "batches": 2 } }])");
  LONGS_EQUAL(0, merge_note(lint_of(j)));
  j["threads"][1] = nlohmann::json::parse(
      R"({ "name": "U", "actor": "madvise_unmergeable", "args": { "mm": "B", "start": "0x1000", "end": "0x2000" } })");
  LONGS_EQUAL(1, merge_note(lint_of(j)));
}
