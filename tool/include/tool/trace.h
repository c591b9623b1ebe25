// trace.h: Trace, a counterexample as a versioned JSON file (format_version 1).
//
// A trace holds the provenance (tool, scenario name/file/content hash, era,
// reverted fixes, the explore options as used), the schedule (thread and value
// choices: all that replay needs), the human steps (cpu, thread, kernel
// function, operation, object, note, source file:line), the violation and the
// statistics of the search that found it. The format is documented in
// traces/README.md.
//
// Invariants:
// * parse() accepts exactly what to_json() writes: unknown fields, missing
//   fields, wrong types and out-of-range values are model::InputError naming
//   the file and the JSON pointer; parse(to_json(t)) == t field for field.
// * log.steps[i].access.label points into storage this Trace (or the report it
//   was made from) keeps alive; copies share that storage.
// * every thread index (schedule, steps, violation) is < log.thread_names.size().
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <checker/checker.h>

namespace tool {

/// The most targets one reach query chains (run --reach/--reach-note given N times; a
/// witness trace's provenance.explore.reach with its "after" list).
inline constexpr std::size_t kMaxReachTargets = 8;

inline constexpr int kTraceFormatVersion = 1;

/// Where a trace came from.
struct Provenance {
  std::string tool = "mmcheck";
  std::string tool_version;
  std::string scenario_name;
  std::string scenario_file;   ///< as recorded: relative to the directory `run` ran in
  std::string content_hash;    ///< model::Scenario::content_hash() when recorded
  std::string era;
  std::vector<std::string> reverted;
  // The explore options as used (the scenario's, overridden by CLI flags).
  std::string strategy = "dfs";
  std::uint64_t max_steps = 10000;
  std::optional<unsigned> preemption_bound;
  std::uint64_t max_executions = 0;
  bool fewest_preemptions = false;
  std::uint64_t seed = 0;        ///< random and pct
  unsigned pct_depth = 3;        ///< pct
  /// run --reach: the step the trace is a witness for (its violation is FailureKind::Reached).
  std::optional<checker::ReachTarget> reach;
};

class Trace {
 public:
  Provenance provenance;
  checker::Schedule schedule;
  checker::StepLog log;               ///< thread names, object names, steps
  std::vector<std::string> sources;   ///< per step "file:line", "" when unknown
  checker::Violation violation;       ///< violation.loc is not kept: see violation_source
  std::string violation_source;       ///< "file:line" of the failing check, "" when unknown
  checker::Stats stats;

  /// A trace of the report's counterexample. Precondition: report.counterexample.
  static Trace from_report(Provenance provenance, const checker::Report& report);

  nlohmann::ordered_json to_json() const;
  /// to_json() as the file text: indented, but the schedule on one line and
  /// each step on its own line, so golden traces read and diff well.
  std::string text() const;
  /// Strict read; `file` names the source in errors. Throws model::InputError.
  static Trace parse(const nlohmann::json& j, const std::string& file);
  /// Read and parse a file. Throws model::InputError (or BadInput for a path
  /// that is missing or not a regular file).
  static Trace load(const std::string& path);
  /// Write text() atomically (output_file.h). Throws BadInput, with the
  /// system's reason, when the file cannot be written.
  void save(const std::string& path) const;

 private:
  /// Owns the label text of steps read from JSON (deque: stable addresses).
  std::shared_ptr<std::deque<std::string>> labels_;
};

/// The statistics as written in traces and reports.
nlohmann::ordered_json stats_to_json(const checker::Stats& stats);
/// One reach target as a trace's provenance and `run --format json` write it:
/// {"thread", "function"} (run --reach) or {"thread", "note"} (run --reach-note).
nlohmann::ordered_json reach_target_json(const checker::ReachTarget& target);

/// j.dump(2) that never throws on invalid UTF-8 (it is replaced), newline-terminated.
std::string dump_json(const nlohmann::ordered_json& j);

/// "file:line" of a source location, relative to the repository root when the
/// file lies inside it; "" for an empty location.
std::string source_text(const checker::SourceLoc& loc);

/// "" when `got` is the violation `recorded`, otherwise what differs, e.g.
/// "message: expected \"X\", got \"Y\"". Compares verdict, kind, message,
/// invariant, thread and step (not the source location).
std::string violation_difference(const checker::Violation& recorded,
                                 const checker::Violation& got);

}  // namespace tool
