// ksmd_sleeps_test.cpp: ksmd is a daemon; a run that ends with it asleep in
// wait_event_freezable (ksmd_should_run() false) is a normal end in both eras.
#include <string>

#include <nlohmann/json.hpp>

#include <checker/checker.h>
#include <model/scenario.h>

#include <CppUTest/TestHarness.h>

namespace {
checker::Report explore_json(const nlohmann::json& j, checker::StrategyKind kind) {
  model::Scenario s = model::Scenario::parse(j, "t.json");
  auto program = s.make_program();
  checker::Options o = s.options();
  o.strategy = kind;
  return checker::explore(*program, o);
}
}  // namespace

TEST_GROUP(KsmdSleeps){};

// 3.9: run=2 written; ksmd either scans first or sleeps for good. Both
// strategies agree: pass, complete (before idle waits: a deadlock).
TEST(KsmdSleeps, Run2IsNotADeadlock) {
  nlohmann::json j = model::load_json_file("scenarios/ksm/ksmd-sleeps-after-run2.json");
  for (checker::StrategyKind kind : {checker::StrategyKind::Dfs, checker::StrategyKind::Dpor}) {
    checker::Report r = explore_json(j, kind);
    CHECK(r.verdict == checker::Verdict::Pass);
    CHECK(r.stats.complete);
  }
}

// 2.6.33: ksm run=0 from the start; ksmd never wakes while mbind runs. The
// only thread that can block for good is ksmd, in its idle wait: pass.
TEST(KsmdSleeps, Era2633Run0IsNotADeadlock) {
  nlohmann::json j = model::load_json_file("scenarios/ksm/hotremove-only-A-fixed.json");
  j["initial"]["ksm"]["run"] = 0;
  checker::Report r = explore_json(j, checker::StrategyKind::Dpor);
  CHECK(r.verdict == checker::Verdict::Pass);
  CHECK(r.stats.complete);
}
