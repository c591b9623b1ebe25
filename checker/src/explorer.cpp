// explorer.cpp: the search loop (execution after execution until the strategy
// is exhausted, a bound is hit, or a failure is found) and replay.
#include "checker/explorer.h"

#include <chrono>

#include "dfs.h"
#include "execution.h"

namespace checker {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

Counterexample make_counterexample(detail::Execution& ex, const detail::Strategy& s) {
  Counterexample c;
  c.violation = ex.violation();
  c.schedule = ex.schedule();
  c.log = ex.take_log();
  c.preemptions = s.preemptions();
  return c;
}

}  // namespace

Report explore(Program& program, const Options& options) {
  Report report;
  auto t0 = Clock::now();
  auto last_progress = t0;
  detail::DfsStrategy strategy(options.preemption_bound);
  detail::Execution ex(program, strategy, options.max_steps);
  report.stats.preemption_bound = options.preemption_bound;

  for (;;) {
    Verdict v = ex.run();
    Stats& st = report.stats;
    ++st.executions;
    st.total_steps += ex.steps();
    if (ex.steps() > st.max_depth) st.max_depth = ex.steps();
    if (v != Verdict::Pass && !report.counterexample) {
      report.verdict = v;
      report.counterexample = make_counterexample(ex, strategy);
      if (options.stop_on_first) break;
    }
    if (!strategy.end(detail::ExecutionEnd{v, ex.steps()})) {
      st.complete = !strategy.bound_hit();
      break;
    }
    if (options.max_executions && st.executions >= options.max_executions) break;
    if (options.on_progress && (st.executions & 255) == 0) {
      auto now = Clock::now();
      if (now - last_progress >= std::chrono::seconds(1)) {
        last_progress = now;
        options.on_progress(Progress{st.executions, seconds_since(t0)});
      }
    }
  }
  report.stats.elapsed_seconds = seconds_since(t0);
  return report;
}

namespace {
std::string step_key(const StepLog& log, const StepRecord& s) {
  std::string name = s.thread < log.thread_names.size() ? log.thread_names[s.thread] : "?";
  std::string obj = s.access.object < log.object_names.size() ? log.object_names[s.access.object]
                                                               : "-";
  return name + " " + s.access.label + " " + std::string(to_string(s.access.kind)) + " " + obj;
}
}  // namespace

std::string describe_step(const StepLog& log, std::size_t i) {
  const StepRecord& s = log.steps.at(i);
  std::string out = step_key(log, s);
  if (!s.note.empty()) out += " [" + s.note + "]";
  return out;
}

Report replay(Program& program, const Schedule& schedule, std::uint64_t max_steps,
              const StepLog* expected) {
  Report report;
  auto t0 = Clock::now();
  detail::ReplayStrategy strategy(schedule);
  detail::Execution ex(program, strategy, max_steps);
  Verdict v = ex.run();
  report.stats.executions = 1;
  report.stats.total_steps = report.stats.max_depth = ex.steps();
  report.stats.complete = true;
  bool aborted = ex.aborted();
  Counterexample c = make_counterexample(ex, strategy);
  // The first difference wins: a recorded step that differs comes before the
  // schedule running out (or a choice becoming impossible) later on.
  if (expected) {
    std::size_t n = std::min(expected->steps.size(), c.log.steps.size());
    for (std::size_t i = 0; i < n; ++i) {
      std::string want = step_key(*expected, expected->steps[i]);
      std::string got = step_key(c.log, c.log.steps[i]);
      if (want != got) {
        report.divergence = "diverged at step " + std::to_string(i) + ": expected " + want +
                            ", got " + got;
        break;
      }
    }
  }
  if (!report.divergence.empty()) {
  } else if (aborted) {
    report.divergence = c.violation.message;
  } else if (strategy.unused() != 0) {
    report.divergence = "diverged at step " + std::to_string(c.log.steps.size()) +
                        ": expected " + std::to_string(strategy.unused()) +
                        " more choices, got the end of the execution";
  } else if (expected && expected->steps.size() != c.log.steps.size()) {
    report.divergence = "diverged at step " + std::to_string(c.log.steps.size()) +
                        ": expected " + std::to_string(expected->steps.size()) + " steps, got " +
                        std::to_string(c.log.steps.size());
  }
  report.verdict = aborted ? Verdict::ModelError : v;
  report.counterexample = std::move(c);  // replay always returns its log
  report.stats.elapsed_seconds = seconds_since(t0);
  return report;
}

}  // namespace checker
