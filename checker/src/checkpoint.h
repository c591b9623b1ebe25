// checkpoint.h: the engine's checkpoint document, what a search cut short
// keeps so that a later search continues it (Options::checkpoint, ::resume).
//
// The document is JSON text:
//   {"format": "mmcheck-engine-checkpoint", "version": 1, "strategy": "dpor",
//    "preemption_bound": null | N, "stats": {...}, "failure": null |
//    {"verdict": V, "schedule": [[kind, value, range], ...]}, "unsupported": null |
//    [[kind, value, range], ...], "state": {...}}
// "state" is the strategy's own (Strategy::save). It is taken between two
// executions, after the strategy's end() chose the next one, so the resumed
// search starts with exactly the execution the cut one would have run next.
//
// Invariant: read_checkpoint() accepts only what write_checkpoint() can have
// written: every index, thread id and kind is range-checked, so a damaged or
// hand-made document throws CheckpointError (naming its JSON pointer), never
// reaches the search with a state it could crash on.
#pragma once

#include <optional>
#include <string>

#include "checker/explorer.h"
#include "checker/report.h"
#include "checker/schedule.h"
#include "dpor.h"
#include "strategy.h"

namespace checker::detail {

/// The checkpoint of `s` (between executions) with the report so far.
/// Throws CheckpointError when the strategy cannot be saved.
std::string write_checkpoint(const Strategy& s, const Options& options, const Report& report);

/// What a checkpoint carries besides the strategy's state.
struct Resumed {
  Stats stats;                      ///< counts so far (executions, steps, ...)
  Verdict verdict = Verdict::Pass;  ///< of the first failure, if any
  std::optional<Schedule> failure;  ///< the first failure's schedule (searches going on after one)
  std::optional<Schedule> unsupported;  ///< Options::past_unsupported: the first unmodelled path's
};

/// Load `text` into the fresh strategy `s` made for `options`.
Resumed read_checkpoint(const std::string& text, const Options& options, Strategy& s);

class Execution;

// ---- the hand-out's messages (a distributed search, parallel.cpp) -----------
// A task travels as its branch and prefix; its result as the counts, the
// first failure's verdict and schedule (the receiver runs it again for the
// log) and what the branch changes above it. Text is JSON; a message that
// does not parse or fit throws CheckpointError (an engine fault between
// processes of one build, reported as an internal error).

std::string task_to_text(const DporStrategy::Task& t);
DporStrategy::Task task_from_text(const std::string& text);

/// A task's outcome as it travels back.
struct TaskOutcome {
  Stats stats;
  Verdict verdict = Verdict::Pass;
  std::optional<Schedule> failure;
  std::optional<Schedule> unsupported;  ///< Report::unsupported's schedule
  DporStrategy::TaskResult result;
  std::string error;  ///< an exception the task's search threw (else "")
};
std::string outcome_to_text(const TaskOutcome& o);
TaskOutcome outcome_from_text(const std::string& text);

/// Start a piece of a search: with options.resume, load the strategy and put
/// the checkpoint's counts and first failure (run again on `program`, with
/// its notes) in `report`. Returns the executions carried in (0 without).
std::uint64_t begin_piece(Program& program, Strategy& s, const Options& options, Report& report);

/// After the first execution of a resumed piece: the loaded path replayed,
/// else CheckpointError.
void check_replayed(const Execution& ex, const Strategy& s);

}  // namespace checker::detail
