// seed000_scenario_test.cpp: the seed-000 scenario files meet their
// expectations through the model alone (the CLI's regress covers the same
// files end to end), and exploration is deterministic.
#include <fstream>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include <model/scenario.h>

#include <CppUTest/TestHarness.h>

namespace {

checker::Report explore_file(const std::string& path, std::optional<unsigned> bound_override = std::nullopt,
                             std::optional<checker::StrategyKind> strategy = std::nullopt) {
  model::Scenario s = model::Scenario::load(path);
  auto program = s.make_program();
  checker::Options options = s.options();
  if (bound_override) options.preemption_bound = bound_override;
  if (strategy) {
    options.strategy = *strategy;
    options.fewest_preemptions = false;
  }
  return checker::explore(*program, options);
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// A scenario's program that keeps the kernel state every execution ends in.
class FinalStates : public checker::Program {
 public:
  explicit FinalStates(checker::Program& inner) : inner_(inner) {}
  void setup() override { inner_.setup(); }
  void at_end() override { inner_.at_end(); }
  void teardown() override {
    states.insert(inner_.state_fingerprint());
    inner_.teardown();
  }
  std::string state_fingerprint() override { return inner_.state_fingerprint(); }
  std::set<std::string> states;

 private:
  checker::Program& inner_;
};

// The final states of every execution of an exhaustive DPOR search of the
// scenario, under today's equivalence or the whole-object one of before issue
// 12 (Options::whole_objects: a struct page is one object, every count update
// a read-modify-write, no refined kinds).
std::set<std::string> final_states(const nlohmann::json& j, bool whole_objects) {
  model::Scenario s = model::Scenario::parse(j, "t.json");
  auto program = s.make_program();
  FinalStates recording(*program);
  checker::Options o = s.options();
  o.whole_objects = whole_objects;
  o.fewest_preemptions = false;
  o.bounded_first = 0;
  const checker::Report r = checker::explore(recording, o);
  CHECK(r.verdict == checker::Verdict::Pass);
  CHECK(r.stats.complete);
  return recording.states;
}

nlohmann::json load_json(const char* path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

}  // namespace

TEST_GROUP(Seed000){};

// 5117b3b835f2 reverted: the WARN of cbf86cfe04a6 fires in remove_stable_node.
TEST(Seed000, RevertedFindsTheWarn) {
  checker::Report r = explore_file("scenarios/ksm/foll-migration-reverted.json");
  CHECK(r.verdict == checker::Verdict::Violation);
  CHECK(r.counterexample->violation.kind == checker::FailureKind::WarnOn);
  CHECK(contains(r.counterexample->violation.message, "WARN_ON_ONCE(page_mapped(page))"));
}

// The same race caught where it starts: break_ksm returns over a migration entry.
TEST(Seed000, RevertedBreaksTheBreakKsmPostcondition) {
  checker::Report r = explore_file("scenarios/ksm/foll-migration-reverted-postcondition.json");
  CHECK(r.verdict == checker::Verdict::Violation);
  CHECK(r.counterexample->violation.kind == checker::FailureKind::Assertion);
  CHECK(contains(r.counterexample->violation.message, "break_ksm postcondition"));
  CHECK(contains(r.counterexample->violation.message, "migration(K,r)"));
}

// With the fix the file's own search (DPOR) is exhaustive and clean.
TEST(Seed000, FixedIsExhaustivelyClean) {
  checker::Report r = explore_file("scenarios/ksm/foll-migration-fixed.json");
  CHECK(r.verdict == checker::Verdict::Pass);
  CHECK_TRUE(r.stats.complete);
}

// The reference strategy agrees where it can finish: plain DFS within two
// preemptions finds no violation with the fix and finds one without it.
TEST(Seed000, DfsWithinTwoPreemptionsAgrees) {
  checker::Report fixed = explore_file("scenarios/ksm/foll-migration-fixed.json", 2u, checker::StrategyKind::Dfs);
  CHECK(fixed.verdict == checker::Verdict::Pass);
  checker::Report reverted =
      explore_file("scenarios/ksm/foll-migration-reverted.json", 2u, checker::StrategyKind::Dfs);
  CHECK(reverted.verdict == checker::Verdict::Violation);
}

// Two explorations of the same scenario: the same executions and the same counterexample.
TEST(Seed000, ExplorationIsDeterministic) {
  checker::Report a = explore_file("scenarios/ksm/foll-migration-reverted.json");
  checker::Report b = explore_file("scenarios/ksm/foll-migration-reverted.json");
  UNSIGNED_LONGS_EQUAL(a.stats.executions, b.stats.executions);
  UNSIGNED_LONGS_EQUAL(a.stats.total_steps, b.stats.total_steps);
  CHECK(a.counterexample->schedule == b.counterexample->schedule);
  STRCMP_EQUAL(a.counterexample->violation.message.c_str(), b.counterexample->violation.message.c_str());
}

// The refined kinds the model declares (get_ksm_page's step refined to a
// commuting get of the whole page once it took its reference, which commutes
// with other gets, with puts that cannot free, and with mapcount updates) lose
// no outcome: the final states of the exhaustive search are those of the
// whole-object search, which orders every two steps on one page. On seed 000
// with one mm (the scaling bench's n = 1: the migrated page N is freed before
// or after get_ksm_page takes it, both ways) and on seed 003's combined
// scenario (get_ksm_page over stale nodes and a page under migration).
TEST(Seed000, RefinedKindsKeepEveryFinalStateOfTheWholeObjectSearch) {
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
TEST(Seed000, EveryCommutationTheKsmScenariosClaimHolds) {
  for (const char* path : {"scenarios/ksm/foll-migration-fixed.json", "scenarios/ksm/stale-nodes-combined-fixed.json"}) {
    model::Scenario s = model::Scenario::load(path);
    auto program = s.make_program();
    checker::Options o = s.options();
    o.check_commutation = 4;
    o.fewest_preemptions = false;
    o.bounded_first = 0;
    const checker::Report r = checker::explore(*program, o);
    CHECK_TEXT(r.verdict == checker::Verdict::Pass,
               r.counterexample ? r.counterexample->violation.message.c_str() : path);
    CHECK_TEXT(r.stats.complete, path);
  }
}
