// trace_replay.h: TraceReplay, re-executing a golden trace against its
// scenario. Shared by `replay` and `regress`.
//
// Invariants: a trace is only replayed against a scenario whose content hash
// is the one recorded (otherwise model::InputError at
// /provenance/scenario/content_hash); the replay runs the recorded schedule
// with the recorded steps as `expected`, under the recorded max_steps; it
// reproduces the trace iff there is no divergence and the violation is the
// recorded one (see violation_difference()).
#pragma once

#include <optional>
#include <string>

#include <checker/checker.h>

#include "tool/trace.h"

namespace tool {

/// The scenario file a trace (or checkpoint) `file` records as `recorded`:
/// the path itself when absolute, else looked up relative to `base_dir` (when
/// not empty), the working directory, then each parent directory of `file`;
/// "" when none of those places has it.
std::string find_recorded_scenario(const std::string& file, const std::string& recorded,
                                   const std::string& base_dir = {});

struct TraceReplay {
  std::string trace_file;
  Trace trace;                 ///< as recorded
  std::string scenario_file;   ///< the scenario file it was replayed against
  checker::Report report;      ///< the replay (its counterexample holds the replayed log)
  std::string problem;         ///< "" when reproduced; else the divergence or the difference
  /// follow(): how closely the recorded thread order was followed (unset for run()).
  std::optional<checker::FollowStats> followed;

  bool reproduced() const { return problem.empty(); }

  /// Load `trace_file`, find its scenario and replay. The scenario is
  /// `scenario_override` when given, else the recorded path looked up relative
  /// to `base_dir` (when not empty), the working directory, then each parent
  /// directory of the trace file. Throws model::InputError / BadInput for bad
  /// input (unreadable trace or scenario, scenario changed since recording).
  static TraceReplay run(const std::string& trace_file,
                         const std::optional<std::string>& scenario_override,
                         const std::string& base_dir = {});

  /// Load `trace_file` and re-execute its schedule against another scenario,
  /// `against` (typically the trace's scenario with the fix applied): no content-hash
  /// check and no comparison of steps; the recorded thread order is followed where
  /// the other scenario's threads can run (checker::replay_following). The
  /// scenario must have the trace's threads, by name in the same order (else
  /// model::InputError at /threads). `problem` stays "": the report's verdict is
  /// the answer.
  static TraceReplay follow(const std::string& trace_file, const std::string& against);

  /// A trace of the replayed execution, with the recorded provenance.
  Trace replayed_trace() const;
};

}  // namespace tool
