// scenario_run.h: ScenarioRun, one exploration of a scenario and how its
// outcome compares with the scenario's expectation. Shared by `run` and
// `regress`.
//
// Invariant: options are the scenario's "explore" section with the overrides
// applied, and exactly those options are recorded in provenance, so a trace
// written from this run replays under the bounds that found it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <checker/checker.h>
#include <model/lint.h>
#include <model/path_stats.h>
#include <model/scenario.h>

#include "tool/trace.h"

namespace tool {

/// Command-line overrides of a scenario's explore section.
/// Executions of plain DFS under preemption bounds 0, 1, ... that `run`,
/// `regress` and `check` spend before the search proper (iterative context
/// bounding: checker::Options::bounded_first). Enough for every race of the
/// repository's scenarios that needs at most one preemption; about 10 ms.
inline constexpr std::uint64_t kDefaultBoundedFirst = 1000;

struct ExploreOverrides {
  std::optional<std::uint64_t> max_steps;
  std::optional<unsigned> preemption_bound;
  std::optional<std::uint64_t> max_executions;
  std::optional<checker::StrategyKind> strategy;
  std::optional<unsigned> jobs;
  std::optional<bool> fewest_preemptions;
  std::optional<unsigned> check_commutation;  ///< checker::Options::check_commutation
  std::optional<double> time_budget_seconds;  ///< seconds, > 0 (checker::Options)
  /// checker::Options::bounded_first (`run --bounded-first N`); default the
  /// scenario's "explore": {"bounded_first"}, else kDefaultBoundedFirst.
  std::optional<std::uint64_t> bounded_first;
  /// checker::Options::past_unsupported: true unless `run --stop-at-limit`
  /// (a run that reaches a model limit then ends the search).
  bool past_unsupported = true;
  /// checker::Options::stop_requested (not an override of the scenario: the
  /// caller's way to interrupt the search, e.g. from a signal handler).
  const std::atomic<bool>* stop_requested = nullptr;
  /// checker::Options::checkpoint and ::resume (`run --checkpoint/--resume`).
  bool checkpoint = false;
  std::shared_ptr<const std::string> resume;
  /// checker::Options::reach (`run --reach [THREAD:]FUNCTION`).
  std::optional<checker::ReachTarget> reach;
};

struct ScenarioRun {
  Provenance provenance;    ///< ready for a trace of this run
  checker::Options options; ///< as used
  checker::Report report;
  bool met = false;         ///< the scenario's expectation holds for this report
  std::string expected;     ///< the expectation, e.g. "violation \"WARN_ON_ONCE(...)\""
  std::string got;          ///< the outcome in the same words, e.g. "violation (WARN_ON)"
  /// What `mmcheck check` says of the scenario (run prints it; with a finding, a pass does not
  /// meet an expected pass: the search may not have run what the scenario is about).
  model::LintReport check;
  /// How each thread's actor returned, counted over every run of the search.
  std::shared_ptr<model::PathStats> paths;

  /// The options `explore` searches with: the scenario's explore section
  /// with the overrides applied.
  static checker::Options options_for(const model::Scenario& scenario,
                                      const ExploreOverrides& overrides);

  /// Explore `scenario`. `recorded_file` is the scenario path to record in a
  /// trace (relative to where replay will look, see TraceReplay).
  static ScenarioRun explore(const model::Scenario& scenario, const ExploreOverrides& overrides,
                             const std::string& recorded_file,
                             std::function<void(const checker::Progress&)> on_progress = {});

  /// The counterexample as a trace. Precondition: report.counterexample.
  Trace trace() const { return Trace::from_report(provenance, report); }
};

/// The expectation in words ("pass (exhaustive)", "violation", "violation \"X\"").
std::string describe_expectation(const model::Expectation& e);

/// The outcome of a search in the words describe_expectation() uses.
std::string describe_outcome(const checker::Report& r);

/// Whether `r` meets `e`: a Violation expectation is met by a violation,
/// deadlock or step bound whose message contains e.violation; a Pass
/// expectation by a Pass that is complete when e.exhaustive and was not
/// interrupted (an interrupted search meets an expectation only by a failure
/// it found before the interruption).
bool expectation_met(const model::Expectation& e, const checker::Report& r);

/// "dfs", "dpor", "random", "pct": a strategy's name in scenario and trace files.
std::string strategy_name(checker::StrategyKind k);
/// The strategy of that name, if any.
std::optional<checker::StrategyKind> strategy_from_name(const std::string& name);

}  // namespace tool
