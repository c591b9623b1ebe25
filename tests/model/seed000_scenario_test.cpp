// seed000_scenario_test.cpp: the seed-000 scenario files meet their
// expectations through the model alone (the CLI's regress covers the same
// files end to end), and exploration is deterministic.
#include <optional>
#include <string>

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
