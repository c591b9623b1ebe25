// explorer.h: run a Program under a search strategy, or replay one schedule.
//
// Determinism: for the same program and Options, explore() runs the same
// executions in the same order and returns the same first counterexample.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "checker/program.h"
#include "checker/report.h"

namespace checker {

enum class StrategyKind : std::uint8_t {
  Dfs,  ///< plain stateless DFS over every thread and value choice (the reference)
};

struct Progress {
  std::uint64_t executions = 0;
  double elapsed_seconds = 0;
};

struct Options {
  StrategyKind strategy = StrategyKind::Dfs;
  std::uint64_t max_steps = 10000;       ///< per execution; exceeding it is Verdict::StepBound
  std::optional<unsigned> preemption_bound;  ///< at most this many preemptions per execution
  std::uint64_t max_executions = 0;      ///< 0: unbounded; otherwise stop (incomplete) after this many
  bool stop_on_first = true;             ///< stop at the first failing execution
  /// Called about once a second of search (on the exploring thread).
  std::function<void(const Progress&)> on_progress;
};

/// Explore the program. Returns Pass with stats.complete when the space was
/// exhausted without a failure, Pass with !complete when a bound cut it short,
/// or the first failure with its counterexample.
Report explore(Program& program, const Options& options);

/// Re-execute one schedule. With `expected` steps (from a trace), each step is
/// compared with the recorded one and the first difference is reported in
/// Report::divergence as "diverged at step N: expected X, got Y".
Report replay(Program& program, const Schedule& schedule, std::uint64_t max_steps = 10000,
              const StepLog* expected = nullptr);

/// A one-line description of a step: "thread: label kind object [note]".
std::string describe_step(const StepLog& log, std::size_t index);

}  // namespace checker
