// timeline.h: the column timeline of one execution, as kernel commit messages
// draw races: one column per simulated thread (CPU0, CPU1, ...), time going
// down, each cell the kernel function and below it the operation on an object
// with the state change the model noted.
//
// Invariants: every step of the log appears, in order, under its own step
// number; consecutive steps of one thread in the same kernel function share one
// function line; no cell line is wider than TimelineStyle::width unless it is
// a single word (identifiers are never split); every line holds one cell, so
// such a word overflows into empty space; the failing step is marked ">>"; the
// last line states the violation when there is one.
#pragma once

#include <string>

#include <checker/checker.h>

namespace tool {

struct TimelineStyle {
  std::size_t width = 30;  ///< text width of one column
  std::size_t gap = 2;     ///< spaces between columns
};

/// Render `log`; with `violation`, mark its step and end with describe_violation().
std::string render_timeline(const checker::StepLog& log, const checker::Violation* violation,
                            const TimelineStyle& style = {});

/// The title of a thread's column: "CPU<i> (<name>)".
std::string column_title(const checker::StepLog& log, checker::ThreadId t);

/// One line for a violation, e.g. "violation (WARN_ON) in CPU0 (unmerge) at step 57:
/// WARN_ON_ONCE(page_mapped(page))", or for an end-of-run check "violation
/// (invariant no_leftover_migration_entry) at the end of the execution: ...".
std::string describe_violation(const checker::Violation& v, const checker::StepLog& log);

}  // namespace tool
