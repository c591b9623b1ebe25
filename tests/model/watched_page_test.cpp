// watched_page_test.cpp: pages allocated during the run. A new page a fault loses its
// race with goes back to the free pool (Kernel::free_new_page), and a reclaim or a
// migration of a page that is free at load, which another thread allocates during the run (issue 13; probe 31's reclaim of a
// COW page, probe 32's migration there and back). Such a page is watched
// (Page::watched): the step that puts it on the LRU is a write of the whole page,
// so the search orders the reclaimer's or migrator's isolate_lru_page against it.
// The watcher is thread 0, which the search runs first: without that step DPOR
// would take its failed isolation as independent of the allocating thread and never
// run it after the page joined the LRU. Each test checks, by hand from the v3.9
// code, that both orders happen, and that every final state of plain DFS under a
// preemption bound of 2 is one DPOR's exhaustive search ends in too (unbounded DFS
// runs millions of interleavings here).
#include <algorithm>
#include <string>

#include "model_fixture.h"
#include <model/lint.h>
#include <model/path_stats.h>
#include <model/scenario.h>

#include <CppUTest/TestHarness.h>

using namespace model;
using namespace model_test;

namespace {

/// A's vma at 0x1000 with no page yet (a none pte); C1 and C2 free on node 0. R reclaims
/// C1 (thread 0) while S stores 9 at A:0x1000 (thread 1): do_anonymous_page allocates C1
/// (and a swap-in after a reclaim between the fault and the store reads it into C2).
nlohmann::json reclaim_of_a_new_page() {
  return nlohmann::json::parse(R"({
    "name": "t/reclaim-new-page",
    "summary": "s",
    "kernel": "3.9",
    "initial": {
      "pages": [ { "name": "C1", "free": true }, { "name": "C2", "free": true } ],
      "mms": [ { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"],
                                          "anon_vma": "av" } ] } ],
      "ptes": [ { "mm": "A", "address": "0x1000", "pte": "none" } ]
    },
    "threads": [
      { "name": "R", "actor": "reclaim", "args": { "page": "C1" } },
      { "name": "S", "actor": "store", "args": { "mm": "A", "address": "0x1000", "value": 9 } }
    ],
    "invariants": ["page_counts_consistent", "no_lost_write"],
    "expect": { "result": "pass", "exhaustive": true }
  })");
}

/// P (anon, node 0) mapped by A; N1 free on node 1, N0 free on node 0. M1 migrates P to
/// node 1 (new page N1, thread 0 is M2) and M2 migrates N1 back to node 0 (new page N0).
nlohmann::json there_and_back() {
  return nlohmann::json::parse(R"({
    "name": "t/there-and-back",
    "summary": "s",
    "kernel": "3.9",
    "initial": {
      "numa_nodes": 2,
      "pages": [
        { "name": "P", "nid": 0, "flags": ["Anon", "Uptodate", "LRU"], "mapcount": 1, "refcount": 1, "content": 7 },
        { "name": "N1", "nid": 1, "free": true },
        { "name": "N0", "nid": 0, "free": true }
      ],
      "mms": [ { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"],
                                          "anon_vma": "av" } ] } ],
      "ptes": [ { "mm": "A", "address": "0x1000", "pte": "present", "page": "P", "writable": false } ]
    },
    "threads": [
      { "name": "M2", "actor": "migrate_pages", "args": { "page": "N1", "to_node": 0 } },
      { "name": "M1", "actor": "migrate_pages", "args": { "page": "P", "to_node": 1 } }
    ],
    "invariants": ["page_counts_consistent", "no_leftover_migration_entry"],
    "expect": { "result": "pass", "exhaustive": true }
  })");
}

/// P (node 0) mapped read-only by fork pair A and B, C1 the only free page of node 0, N free
/// on node 1. W stores 9 at A:0x1000 (do_wp_page's COW copies P into C1), M migrates P to N.
nlohmann::json cow_beside_migration() {
  return nlohmann::json::parse(R"({
  "name": "t/cow-lost-race-reuses-its-page",
  "summary": "s",
  "kernel": "3.9",
  "initial": {
    "numa_nodes": 2,
    "pages": [
      { "name": "P", "nid": 0, "flags": ["Anon", "Uptodate", "LRU"], "mapcount": 2, "refcount": 2, "content": 7 },
      { "name": "C1", "nid": 0, "free": true },
      { "name": "N", "nid": 1, "free": true }
    ],
    "mms": [
      { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "AV" } ] },
      { "name": "B", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "AV" } ] }
    ],
    "ptes": [
      { "mm": "A", "address": "0x1000", "pte": "present", "page": "P", "writable": false },
      { "mm": "B", "address": "0x1000", "pte": "present", "page": "P", "writable": false }
    ]
  },
  "threads": [
    { "name": "W", "actor": "store", "args": { "mm": "A", "address": "0x1000", "value": 9 } },
    { "name": "M", "actor": "migrate_pages", "args": { "page": "P", "to_node": 1 } }
  ],
  "invariants": ["page_counts_consistent", "no_lost_write", "no_leftover_migration_entry"],
  "expect": { "result": "pass", "exhaustive": true }
})");
}

/// DPOR's exhaustive search ends in more than one final state, and in every final state of
/// plain DFS under a preemption bound of 2 (more than one too).
void check_dpor_ends_in_every_bounded_dfs_state(const nlohmann::json& j) {
  const std::set<std::string> dpor = final_states_of(j, checker::StrategyKind::Dpor);
  CHECK(dpor.size() > 1);
  const std::set<std::string> dfs = final_states_of(j, checker::StrategyKind::Dfs, 2u);
  CHECK(dfs.size() > 1);
  CHECK(std::includes(dpor.begin(), dpor.end(), dfs.begin(), dfs.end()));
}

}  // namespace

TEST_GROUP(WatchedPage){};

// R before S's lru_cache_add (S has not allocated C1, or has but not yet added it):
// isolate_lru_page finds no PG_lru, the page is kept. R after it: C1 is mapped by A
// (refcount 1, on the LRU): add_to_swap, try_to_unmap (A:0x1000 becomes swap(1)),
// pageout, __remove_mapping: reclaimed (ok). Both happen; the DPOR search is
// exhaustive and clean, and ends in every final state of bounded DFS.
TEST(WatchedPage, AReclaimOfAPageAllocatedDuringTheRunSeesBothOrders) {
  const nlohmann::json j = reclaim_of_a_new_page();
  const auto paths = explore_clean_with_paths(j);
  CHECK(paths->count(0, Outcome::Kept) > 0);
  CHECK(paths->count(0, Outcome::Ok) > 0);
  check_dpor_ends_in_every_bounded_dfs_state(j);
}

// M2 before M1's putback of N1: N1 is free or not yet on the LRU (putback_lru_page sets
// PG_lru), isolate_lru_page fails: -EBUSY. M2 after M1: N1 is mapped by A, on the LRU:
// migrated to N0 (A maps N0, content 7 kept; N1 and P freed): ok. Both happen, clean,
// and DPOR ends in every final state of bounded DFS.
TEST(WatchedPage, AMigrationOfAnotherMigrationsNewPageSeesBothOrders) {
  const nlohmann::json j = there_and_back();
  const auto paths = explore_clean_with_paths(j);
  CHECK(paths->count(0, Outcome::Ebusy) > 0);
  CHECK(paths->count(0, Outcome::Ok) > 0);
  CHECK(paths->count(1, Outcome::Ok) == paths->finished(1));
  check_dpor_ends_in_every_bounded_dfs_state(j);
}

// Only a page free at load that a reclaim or a migration names is watched: the store's
// page in a scenario without them is not, and its lru_cache_add is no step of its own.
TEST(WatchedPage, OnlyANamedFreePageIsWatched) {
  nlohmann::json j = reclaim_of_a_new_page();
  const Scenario with = Scenario::parse(j, "t.json");
  CHECK(with.initial_kernel().pages[0].watched);
  j["threads"].erase(0);
  const Scenario without = Scenario::parse(j, "t.json");
  CHECK_FALSE(without.initial_kernel().pages[0].watched);
}

// `check` before the run: a reclaim or a migration of a page free at load that no other
// thread allocates (no demand on its node) finds it off the LRU in every run: a note. With
// the allocating thread there is none. A thread starting after such a migration's
// unlock_page can never run: a finding at its start_after.
TEST(WatchedPage, CheckNamesAFreePageNoThreadAllocates) {
  nlohmann::json reclaim = reclaim_of_a_new_page();
  LONGS_EQUAL(0, lint(Scenario::parse(reclaim, "t.json")).notes.size());
  reclaim["threads"].erase(1);  // no store: nothing allocates C1
  reclaim["invariants"] = {"page_counts_consistent"};
  const LintReport r = lint(Scenario::parse(reclaim, "t.json"));
  LONGS_EQUAL(1, r.notes.size());
  CHECK_TEXT(contains(r.notes[0], "thread R (reclaim) reclaims C1, which is free at load, and no other thread "
                                  "allocates a page of node 0"),
             r.notes[0].c_str());

  nlohmann::json back = there_and_back();
  LONGS_EQUAL(0, lint(Scenario::parse(back, "t.json")).notes.size());
  back["threads"].erase(1);  // no M1: nothing allocates N1 on node 1
  back["threads"].push_back({{"name", "F"},
                             {"actor", "store"},
                             {"args", {{"mm", "A"}, {"address", "0x1000"}, {"value", 5}}},
                             {"start_after", {{"thread", "M2"}, {"event", "unlock_page"}}}});
  const LintReport m = lint(Scenario::parse(back, "t.json"));
  LONGS_EQUAL(1, m.notes.size());
  CHECK_TEXT(contains(m.notes[0], "thread M2 (migrate_pages) migrates N1, which is free at load"), m.notes[0].c_str());
  LONGS_EQUAL(1, m.findings.size());
  STRCMP_EQUAL("/threads/1/start_after", m.findings[0].pointer.c_str());
}

// A COW that loses its race goes back to the pool: when M's try_to_unmap replaces A's pte
// by a migration entry between W's unlocked copy into C1 and its ptl recheck, !pte_same, and
// W's page_cache_release(new_page) frees C1, which no pte, cache or other thread ever saw:
// it returns to the head of node 0's pool. W's retry (migration_entry_wait, then the COW of
// N) takes C1 again, so the one free page of node 0 serves every run: no allocation fails
// and W returns success in every run (the model before this handed C1 out once and failed
// the retry with VM_FAULT_OOM). The path is reached (a witness of W's note).
TEST(WatchedPage, ALostRaceNewPageGoesBackToThePool) {
  const nlohmann::json j = cow_beside_migration();
  const auto paths = explore_clean_with_paths(j);
  LONGS_EQUAL(0, paths->count(0, Outcome::NoFreePage));
  LONGS_EQUAL(paths->finished(0), paths->count(0, Outcome::Ok));
  model::Scenario s = Scenario::parse(j, "t.json");
  auto program = s.make_program();
  checker::Options o = s.options();
  o.reach = checker::ReachTarget{"W", "C1 freed, back to the free pool", true};
  const checker::Report r = checker::explore(*program, o);
  CHECK(r.verdict == checker::Verdict::Violation);
  CHECK(r.counterexample->violation.kind == checker::FailureKind::Reached);
}
