// strategy.h: the policy interface. A Strategy decides which enabled thread
// runs next and which value a choose() returns; it never switches stacks.
//
// Invariant: a strategy's decisions depend only on what it is shown (the
// scheduling points of this execution and its own record of earlier ones),
// so searches are deterministic.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "checker/access.h"
#include "checker/report.h"

namespace checker::detail {

/// Bit i set means thread i.
using ThreadMask = std::uint64_t;

/// What a strategy sees when it must pick a thread.
struct SchedulingPoint {
  std::size_t step = 0;           ///< index of the step about to run
  ThreadMask enabled = 0;         ///< threads that may run now (non-empty)
  ThreadMask waiting = 0;         ///< threads with a pending but blocked operation
  ThreadId previous = kNoThread;  ///< the thread that ran the last step
  std::span<const Access> pending;  ///< by ThreadId; valid where enabled|waiting
  bool after_violation = false;     ///< the execution failed; threads run on for the strategy
};

/// Why an execution ended, as the strategy is told.
struct ExecutionEnd {
  Verdict verdict = Verdict::Pass;
  std::size_t steps = 0;
  ThreadMask pending = 0;           ///< threads left with an announced, unperformed operation
  std::span<const Access> accesses; ///< by ThreadId; valid where `pending`
  std::size_t failure_step = static_cast<std::size_t>(-1);  ///< step of a thread's violation
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  /// A new execution starts.
  virtual void begin() = 0;
  /// Pick one thread of sp.enabled. nullopt aborts the execution with
  /// abort_reason() (replay divergence, or a program found nondeterministic).
  virtual std::optional<ThreadId> pick_thread(const SchedulingPoint& sp) = 0;
  /// Pick a value in [0, n) for thread `t` (kNoThread in setup).
  virtual std::optional<std::uint32_t> pick_value(std::uint32_t n, ThreadId t) = 0;
  /// The execution ended; prepare the next one. False when the search is over.
  virtual bool end(const ExecutionEnd& end) = 0;
  /// Why the last pick returned nullopt.
  virtual std::string abort_reason() const { return {}; }
  /// Preemptions in the execution so far (for counterexamples).
  virtual unsigned preemptions() const { return 0; }
  /// Executions cut short without a verdict of their own (sleep-set blocked).
  virtual bool last_was_redundant() const { return false; }
  /// After a run that failed at step `failure_step` (and ran on after it):
  /// true when the run is the previous one up to and including that step, so
  /// it repeats an execution already counted and was run only to see what the
  /// other threads do after the failure.
  virtual bool last_repeats_previous(std::size_t /*failure_step*/) const { return false; }
  /// After end() returned false: true when every execution was explored (no
  /// bound or budget cut the search short).
  virtual bool complete() const { return true; }
  /// Estimated fraction of the search done, in [0, 1]; negative when unknown.
  virtual double progress() const { return -1; }
  /// The step being performed turned out to be the access `a` (checker::
  /// refine: a weaker kind, on the announced object or one of its children).
  virtual void refined(const Access& /*a*/) {}
  /// True when the strategy wants threads to run on after a violation.
  virtual bool wants_continuation() const { return false; }
  /// Checkpoints (checkpoint.h), between executions (after end() returned
  /// true): the strategy's whole state as JSON, and back. A strategy that
  /// cannot be checkpointed returns false / throws CheckpointError.
  virtual bool save(nlohmann::json& /*out*/) const { return false; }
  virtual void load(const nlohmann::json& in);
};

}  // namespace checker::detail
