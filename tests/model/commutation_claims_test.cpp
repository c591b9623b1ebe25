// commutation_claims_test.cpp: the model's claims that two steps commute (its
// objects and fields, commuting updates, refined kinds) hold on real scenarios:
// checked step by step with Options::check_commutation, and by the final
// states of the exhaustive search against the whole-object equivalence of
// before issue 12, which orders every two steps on one page.
#include <fstream>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include <model/scenario.h>

#include "model_fixture.h"

#include <CppUTest/TestHarness.h>

namespace {

// The final states of every execution of an exhaustive DPOR search of the
// scenario, under today's equivalence or the whole-object one of before issue
// 12 (Options::whole_objects: a struct page is one object, every count update
// a read-modify-write, no refined kinds).
std::set<std::string> final_states(const nlohmann::json& j, bool whole_objects) {
  return model_test::final_states_of(j, checker::StrategyKind::Dpor, std::nullopt, whole_objects);
}

// A scenario's DPOR search (at most max_executions, 0: all) under check_commutation,
// which must pass: every pair of steps it takes as independent commutes.
checker::Report checked_search(const char* path, std::uint64_t max_executions) {
  model::Scenario s = model::Scenario::load(path);
  auto program = s.make_program();
  checker::Options o = s.options();
  o.check_commutation = 4;
  o.fewest_preemptions = false;
  o.bounded_first = 0;
  o.max_executions = max_executions;
  const checker::Report r = checker::explore(*program, o);
  CHECK_TEXT(r.verdict == checker::Verdict::Pass, r.counterexample ? r.counterexample->violation.message.c_str() : path);
  return r;
}

nlohmann::json load_json(const char* path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

}  // namespace

TEST_GROUP(CommutationClaims){};

// The refined kinds the model declares (get_ksm_page's step refined to a
// commuting get of the whole page once it took its reference, which commutes
// with other gets, with puts that cannot free, and with mapcount updates) lose
// no outcome: the final states of the exhaustive search are those of the
// whole-object search, which orders every two steps on one page. On seed 000
// with one mm (the scaling bench's n = 1: the migrated page N is freed before
// or after get_ksm_page takes it, both ways) and on seed 003's combined
// scenario (get_ksm_page over stale nodes and a page under migration).
TEST(CommutationClaims, RefinedKindsKeepEveryFinalStateOfTheWholeObjectSearch) {
  nlohmann::json one = load_json("scenarios/ksm/foll-migration-fixed.json");
  nlohmann::json& init = one["initial"];
  init["mms"].erase(1);   // B
  init["ptes"].erase(1);  // B's pte of K
  init["rmap_items"].erase(1);
  init["pages"][0]["mapcount"] = 1;
  init["pages"][0]["refcount"] = 1;
  init["ksm"]["mm_slots"] = {"A"};
  init["ksm"]["pages_sharing"] = 0;
  for (const nlohmann::json& j : {one, load_json("scenarios/ksm/stale-nodes-combined-fixed.json")}) {
    const std::set<std::string> refined = final_states(j, false);
    const std::set<std::string> whole = final_states(j, true);
    CHECK(refined.size() > 1);
    CHECK(refined == whole);
  }
}

// The same claims checked step by step (Options::check_commutation): at each
// pair of steps the search takes as independent, the other order too, with the
// same state and kinds after both. Seed 000 as in the repository (two mms: a
// get_ksm_page beside putback_lru_page's put of the new page, which frees it
// once every pte is COWed away, and beside remove_migration_pte's get and
// mapcount update) and seed 003's combined scenario.
TEST(CommutationClaims, TheKsmSeedScenariosHold) {
  for (const char* path : {"scenarios/ksm/foll-migration-fixed.json", "scenarios/ksm/stale-nodes-combined-fixed.json"})
    CHECK_TEXT(checked_search(path, 0).stats.complete, path);
}

// Two scenarios where the check once failed, each with an execution budget:
// 2.6.33 reclaim beside the unmerge (before reclaim took its LRU isolation
// reference, break_ksm's put freed K under try_to_free_swap's write of its
// flags) and 4.19's HMM snapshot beside a COW and MADV_DONTNEED (the walker's
// return note read range->valid, which no step of the walker reads).
TEST(CommutationClaims, ScenariosWhereTheCheckOnceFailedHold) {
  for (const char* path : {"scenarios/ksm/unmerge-vs-swapout-2.6.33-fixed.json",
                           "scenarios/thp/huge-zero-cow-vs-dontneed-4.19-fixed.json"})
    checked_search(path, 3000);
}
