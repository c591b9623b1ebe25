// report.h: what a search or a replay returns.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "checker/schedule.h"
#include "checker/step.h"
#include "checker/violation.h"

namespace checker {

struct Stats {
  std::uint64_t executions = 0;          ///< executions run to their end
  std::uint64_t sleep_blocked = 0;       ///< executions cut short by a sleep set (DPOR)
  /// DPOR exploring every failure: runs that repeat a counted execution up to
  /// its failure and differ only after it (the other threads ran on to show
  /// their races). Not executions: up to its first failure each is one already counted.
  std::uint64_t post_failure_runs = 0;
  /// Options::past_unsupported: executions that reached an unmodelled path
  /// (counted in `executions` too).
  std::uint64_t unsupported_executions = 0;
  /// The same among the bounded-first pass's executions (Options::bounded_first).
  std::uint64_t bounded_first_unsupported = 0;
  std::uint64_t total_steps = 0;         ///< steps over all executions
  /// Options::reach: some step of some thread bore the target's label, or ran inside a
  /// checker::Frame of that function, in some run (with the target not reached, the
  /// thread never ran it; without it, no step is so named or so placed).
  bool reach_label_seen = false;
  /// Options::reach's earlier targets (ReachTarget::after): bit k set when some step of some
  /// run matched target k, in any thread and any order (a clear bit: no step so named).
  std::uint32_t reach_after_seen = 0;
  std::uint64_t max_depth = 0;           ///< most steps in one execution
  double elapsed_seconds = 0;
  bool complete = false;                 ///< true when the search space was exhausted
  /// Options::stop_requested ended the search: never complete, and a Pass
  /// verdict means only "no failure found so far".
  bool interrupted = false;
  /// A search cut short by a budget without a failure: the strategy's estimate
  /// of the share of its search space explored, in [0, 1] (DFS, DPOR; rough:
  /// branches left at each point of the last path, weighted as if the
  /// subtrees were alike); -1 when none can be made.
  double fraction_done = -1;
  std::optional<unsigned> preemption_bound;  ///< the bound in force when it ended, if any
  double executions_per_second = 0;      ///< executions / elapsed_seconds
  std::uint64_t seed = 0;                ///< Random/Pct: the seed used
  std::uint64_t minimize_executions = 0; ///< fewest_preemptions: executions of the bounded re-search
  /// Options::bounded_first: executions of the bounded pass before the search
  /// proper (not counted in `executions`).
  std::uint64_t bounded_first_executions = 0;
  /// Options::bounded_first: preemption bounds 0..N were searched completely
  /// without a failure (-1: none was).
  int bounded_first_exhausted = -1;
  /// Options::bounded_first: the counterexample was found by the bounded pass
  /// (the search proper did not run: `executions` is 0).
  bool found_bounded_first = false;
  unsigned jobs = 1;                     ///< worker threads used
  std::uint64_t tasks_taken = 0;         ///< jobs > 1: branches whose exploration by a worker was used
  std::uint64_t tasks_redone = 0;        ///< jobs > 1: branches a worker explored in vain (changed since)
  std::uint64_t task_executions = 0;     ///< jobs > 1: executions explored in tasks (of `executions`)
  std::uint64_t commutation_checks = 0;  ///< check_commutation: pairs run in both orders
  /// Options::resume: the executions explored before the checkpoint (counted
  /// in `executions`; the other counts include theirs too). 0 otherwise.
  std::uint64_t resumed_executions = 0;
  /// A distributed search (checker/cluster.h): its processes, and the
  /// hand-out messages this process sent and received.
  unsigned processes = 1;
  std::uint64_t messages = 0;
};

/// One failing execution, with all that replay needs and all people read.
struct Counterexample {
  Violation violation;
  Schedule schedule;  ///< thread and value choices, in order
  StepLog log;        ///< steps with resolved names
  unsigned preemptions = 0;
};

struct Report {
  Verdict verdict = Verdict::Pass;
  Stats stats;
  std::optional<Counterexample> counterexample;  ///< set unless verdict == Pass
  /// Options::past_unsupported: the first execution that reached an
  /// unmodelled path, whatever the verdict (with verdict Unsupported it is
  /// the counterexample too).
  std::optional<Counterexample> unsupported;
  std::string divergence;  ///< replay only: "diverged at step N: expected X, got Y"
  /// Options::checkpoint and the search cut short: its unexplored frontier,
  /// for Options::resume (JSON text in the engine's checkpoint format).
  std::optional<std::string> checkpoint;
};

}  // namespace checker
