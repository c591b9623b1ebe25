// progress.h: the Progress both search loops (sequential and parallel) hand to
// Options::on_progress, and the stop request both poll after each execution.
// Invariant: estimated_remaining_seconds is -1 when no estimate can be made,
// and never exceeds what a time budget leaves.
#pragma once

#include <algorithm>

#include "checker/explorer.h"

namespace checker::detail {

/// Options::stop_requested is set (a relaxed load: the flag only ever goes
/// from false to true, and nothing else is published through it).
inline bool stop_requested(const Options& options) {
  return options.stop_requested && options.stop_requested->load(std::memory_order_relaxed);
}

/// `max_executions` is the budget of this search (0: none); `fraction_done`
/// the strategy's estimate (0: none).
inline Progress make_progress(const Stats& st, double elapsed, double fraction_done,
                              std::uint64_t max_executions, const Options& options) {
  Progress p;
  p.executions = st.executions;
  p.sleep_blocked = st.sleep_blocked;
  p.elapsed_seconds = elapsed;
  // This piece of the search (a resumed one carries executions in).
  const std::uint64_t piece = st.executions - st.resumed_executions;
  p.executions_per_second = elapsed > 0 ? piece / elapsed : 0;
  p.fraction_done = fraction_done;
  if (p.fraction_done > 0) {
    p.estimated_remaining_seconds = elapsed * (1 - p.fraction_done) / p.fraction_done;
  } else if (max_executions && p.executions_per_second > 0) {
    p.estimated_remaining_seconds =
        static_cast<double>(max_executions - std::min(piece, max_executions)) / p.executions_per_second;
  }
  if (options.time_budget_seconds > 0) {
    double left = options.time_budget_seconds - elapsed;
    if (p.estimated_remaining_seconds < 0 || left < p.estimated_remaining_seconds)
      p.estimated_remaining_seconds = left;
  }
  return p;
}

}  // namespace checker::detail
