// scenario_run.cpp: exploring a scenario and judging it against its
// expectation (see scenario_run.h).
#include "tool/scenario_run.h"

#include <fmt/format.h>
#include <model/lint.h>

#include "tool/version.h"

namespace tool {

std::string strategy_name(checker::StrategyKind k) {
  switch (k) {
    case checker::StrategyKind::Dfs: return "dfs";
    case checker::StrategyKind::Dpor: return "dpor";
    case checker::StrategyKind::Random: return "random";
    case checker::StrategyKind::Pct: return "pct";
  }
  return "?";
}

std::optional<checker::StrategyKind> strategy_from_name(const std::string& name) {
  for (checker::StrategyKind k : {checker::StrategyKind::Dfs, checker::StrategyKind::Dpor,
                                  checker::StrategyKind::Random, checker::StrategyKind::Pct})
    if (strategy_name(k) == name) return k;
  return std::nullopt;
}

std::string describe_expectation(const model::Expectation& e) {
  if (e.result == model::Expectation::Result::Pass)
    return e.exhaustive ? "pass (exhaustive)" : "pass";
  return e.violation.empty() ? "violation" : fmt::format("violation \"{}\"", e.violation);
}

std::string describe_outcome(const checker::Report& r) {
  using checker::Verdict;
  if (r.verdict == Verdict::Pass && r.stats.interrupted) return "interrupted (no failure so far)";
  if (r.verdict == Verdict::Pass) return r.stats.complete ? "pass (exhaustive)" : "pass (incomplete)";
  std::string s(checker::to_string(r.verdict));
  if (r.verdict == Verdict::Violation && r.counterexample)
    s += fmt::format(" ({})", checker::to_string(r.counterexample->violation.kind));
  return s;
}

bool expectation_met(const model::Expectation& e, const checker::Report& r) {
  using checker::Verdict;
  if (e.result == model::Expectation::Result::Pass)
    return r.verdict == Verdict::Pass && !r.stats.interrupted &&
           (!e.exhaustive || r.stats.complete);
  if (r.verdict != Verdict::Violation && r.verdict != Verdict::Deadlock &&
      r.verdict != Verdict::StepBound)
    return false;
  return r.counterexample && (r.counterexample->violation.message.find(e.violation) != std::string::npos ||
                              r.counterexample->violation.invariant == e.violation);
}

checker::Options ScenarioRun::options_for(const model::Scenario& scenario,
                                          const ExploreOverrides& overrides) {
  checker::Options o = scenario.options();
  if (overrides.max_steps) o.max_steps = *overrides.max_steps;
  if (overrides.preemption_bound) o.preemption_bound = overrides.preemption_bound;
  if (overrides.max_executions) o.max_executions = *overrides.max_executions;
  if (overrides.strategy) o.strategy = *overrides.strategy;
  if (overrides.jobs) o.jobs = *overrides.jobs;
  if (overrides.fewest_preemptions) o.fewest_preemptions = *overrides.fewest_preemptions;
  if (overrides.check_commutation) o.check_commutation = *overrides.check_commutation;
  if (overrides.time_budget_seconds) o.time_budget_seconds = *overrides.time_budget_seconds;
  o.bounded_first = overrides.bounded_first.value_or(scenario.bounded_first().value_or(kDefaultBoundedFirst));
  o.stop_requested = overrides.stop_requested;
  o.stop_on_first = true;
  o.past_unsupported = overrides.past_unsupported;
  o.checkpoint = overrides.checkpoint;
  o.resume = overrides.resume;
  o.reach = overrides.reach;
  return o;
}

ScenarioRun ScenarioRun::explore(const model::Scenario& scenario, const ExploreOverrides& overrides,
                                 const std::string& recorded_file,
                                 std::function<void(const checker::Progress&)> on_progress) {
  ScenarioRun run;
  run.options = options_for(scenario, overrides);
  run.options.on_progress = std::move(on_progress);

  Provenance& p = run.provenance;
  p.tool_version = std::string(kVersion);
  p.scenario_name = scenario.name();
  p.scenario_file = recorded_file;
  p.content_hash = scenario.content_hash();
  p.era = scenario.era();
  p.reverted = scenario.reverted();
  p.strategy = strategy_name(run.options.strategy);
  p.max_steps = run.options.max_steps;
  p.preemption_bound = run.options.preemption_bound;
  p.max_executions = run.options.max_executions;
  p.fewest_preemptions = run.options.fewest_preemptions;
  p.seed = run.options.seed;
  p.pct_depth = run.options.pct_depth;
  p.reach = run.options.reach;

  // One Program per worker when the search runs on several OS threads.
  run.paths = std::make_shared<model::PathStats>(scenario.threads().size());
  run.report = checker::explore([&scenario, paths = run.paths] { return scenario.make_program(paths); },
                                run.options);
  run.met = expectation_met(scenario.expect(), run.report);
  run.expected = describe_expectation(scenario.expect());
  run.got = describe_outcome(run.report);
  // A pass beside a `check` finding (too few free pages, a thread that never runs, an invariant
  // that cannot fire) may not have run what the scenario is about: it never meets an expected pass.
  run.check = model::lint(scenario);
  const std::size_t findings = run.check.findings.size();
  if (findings && run.report.verdict == checker::Verdict::Pass &&
      scenario.expect().result == model::Expectation::Result::Pass) {
    run.met = false;
    run.got = fmt::format("pass with {} check finding{} (printed before the verdict): the search may not have run "
                          "what the scenario is about",
                          findings, findings == 1 ? "" : "s");
  }
  return run;
}

}  // namespace tool
