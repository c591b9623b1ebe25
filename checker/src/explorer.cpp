// explorer.cpp: the search loop (execution after execution until the strategy
// is exhausted, a bound is hit, or a failure is found) and replay.
#include "checker/explorer.h"

#include <chrono>

#include "checker/cluster.h"
#include "checkpoint.h"
#include "link.h"
#include "commutation.h"
#include "dfs.h"
#include "progress.h"
#include "dpor.h"
#include "parallel.h"
#include "pct.h"
#include "random.h"
#include "execution.h"

namespace checker {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::unique_ptr<detail::Strategy> make_strategy(const Options& o) {
  switch (o.strategy) {
    case StrategyKind::Dfs: return std::make_unique<detail::DfsStrategy>(o.preemption_bound);
    case StrategyKind::Dpor:
      // Partial-order reduction under a preemption bound is not exact (a trace
      // with few preemptions may be represented by a run with many): bounded
      // searches are plain DFS, exact for the bound.
      if (o.preemption_bound) return std::make_unique<detail::DfsStrategy>(o.preemption_bound);
      return std::make_unique<detail::DporStrategy>();
    case StrategyKind::Random: return std::make_unique<detail::RandomStrategy>(o.seed);
    case StrategyKind::Pct: return std::make_unique<detail::PctStrategy>(o.seed, o.pct_depth);
  }
  return std::make_unique<detail::DfsStrategy>(o.preemption_bound);
}

}  // namespace

namespace detail {

void run_search(Program& program, Strategy& strategy, const Options& options, Report& report,
                std::uint64_t max_executions) {
  auto t0 = Clock::now();
  auto last_progress = t0;
  Execution ex(program, strategy, options.max_steps);
  ex.set_continue_after_violation(!options.stop_on_first && strategy.wants_continuation());
  ex.set_continue_after_unsupported(options.past_unsupported && strategy.wants_continuation());
  ex.set_notes(false);
  ex.set_whole_objects(options.whole_objects);
  ex.set_reach(options.reach ? &*options.reach : nullptr);
  Stats& st = report.stats;
  std::uint64_t runs = 0;
  const std::uint64_t carried = begin_piece(program, strategy, options, report);
  bool replaying = options.resume != nullptr;  // the first run replays the checkpoint's path
  bool cut = false;  // a budget or a stop request ended the search
  std::optional<CommutationCheck> commutation;
  if (options.check_commutation)
    commutation.emplace(program, options.max_steps, options.check_commutation);
  for (;;) {
    Verdict v = ex.run();
    ++runs;
    if (ex.reach_label_seen()) st.reach_label_seen = true;
    st.reach_after_seen |= ex.reach_after_seen();
    if (replaying) {
      check_replayed(ex, strategy);
      replaying = false;
    }
    RunKind kind = classify_run(strategy, v, ex);
    if (kind == RunKind::SleepBlocked) {
      ++st.sleep_blocked;
    } else if (kind == RunKind::PostFailure) {
      ++st.post_failure_runs;
      if (count_failure(program, ex, v, options, report, false)) break;
    } else {
      ++st.executions;
      st.total_steps += ex.steps();
      if (ex.steps() > st.max_depth) st.max_depth = ex.steps();
      if (count_failure(program, ex, v, options, report)) break;
      if (commutation) {
        if (std::optional<Counterexample> c = commutation->check(ex, st)) {
          report.verdict = Verdict::ModelError;
          report.counterexample = std::move(c);
          break;
        }
      }
    }
    if (!strategy.end(ExecutionEnd{v, ex.steps(), ex.pending_mask(), ex.pending(),
                                   ex.failure_step()})) {
      st.complete = strategy.complete();
      break;
    }
    if (max_executions && st.executions - carried >= max_executions) {
      cut = true;
      break;
    }
    if (stop_requested(options)) {
      st.interrupted = cut = true;
      break;
    }
    if ((runs & 63) == 0 &&
        (options.time_budget_seconds > 0 || options.on_progress)) {
      auto now = Clock::now();
      double elapsed = std::chrono::duration<double>(now - t0).count();
      if (options.time_budget_seconds > 0 && elapsed >= options.time_budget_seconds) {
        cut = true;
        break;
      }
      if (options.on_progress && std::chrono::duration<double>(now - last_progress).count() >=
                                     options.progress_interval_seconds) {
        last_progress = now;
        Progress p = make_progress(st, elapsed, strategy.progress(), max_executions, options);
        options.on_progress(p);
      }
    }
  }
  if (!st.complete && report.verdict == Verdict::Pass) st.fraction_done = strategy.progress();
  if (cut && options.checkpoint) report.checkpoint = write_checkpoint(strategy, options, report);
}

}  // namespace detail

namespace {

// The options of a plain bounded DFS pass run beside the search proper.
Options bounded_pass_options(const Options& options) {
  Options o = options;
  o.stop_on_first = true;
  o.check_commutation = 0;
  o.resume = nullptr;  // a search of its own, from its start
  o.checkpoint = false;
  o.on_progress = nullptr;
  return o;
}

bool bounded_first_applies(const Options& o) {
  return o.bounded_first > 0 && o.stop_on_first && !o.preemption_bound && !o.resume && !o.checkpoint &&
         !o.check_commutation &&
         (o.strategy == StrategyKind::Dpor || o.strategy == StrategyKind::Dfs);
}

// Options::bounded_first: plain DFS under preemption bounds 0, 1, ... until a
// failure, the budget or a bound that cuts nothing (the whole space searched).
// True when it found the failure reported.
bool search_bounded_first(Program& program, const Options& options, Report& report) {
  const Options o = bounded_pass_options(options);
  std::uint64_t left = options.bounded_first;
  for (unsigned b = 0; left > 0; ++b) {
    Report r;
    detail::DfsStrategy dfs(b);
    detail::run_search(program, dfs, o, r, left);
    report.stats.bounded_first_executions += r.stats.executions;
    report.stats.bounded_first_unsupported += r.stats.unsupported_executions;
    report.stats.reach_label_seen = report.stats.reach_label_seen || r.stats.reach_label_seen;
    report.stats.reach_after_seen |= r.stats.reach_after_seen;
    // Options::past_unsupported: the pass's first unmodelled path comes
    // before any of the search proper (it is kept if nothing fails).
    if (r.unsupported && !report.unsupported) report.unsupported = std::move(r.unsupported);
    if (r.stats.interrupted) {
      report.stats.interrupted = true;
      return false;
    }
    if (r.counterexample) {
      report.verdict = r.verdict;
      report.counterexample = std::move(r.counterexample);
      report.stats.found_bounded_first = true;
      return true;
    }
    if (r.stats.executions >= left) return false;  // the budget ran out inside bound b
    left -= r.stats.executions;
    report.stats.bounded_first_exhausted = static_cast<int>(b);
    if (!dfs.bound_hit()) return false;  // bound b cut nothing: no larger bound differs
  }
  return false;
}

// Re-search under preemption bounds 0, 1, ... below the counterexample's own
// count (from the first bound the bounded-first pass did not exhaust); the
// first bound with a failure gives the reported counterexample.
void minimize_preemptions(Program& program, const Options& options, Report& report) {
  if (!report.counterexample || report.stats.found_bounded_first) return;
  // A model limit reported by a search that went past them is its first (in the
  // search's order, the bounded-first pass's first if it met one: the fewest
  // preemptions then); the bounds the pass exhausted were not searched for it.
  if (report.verdict == Verdict::Unsupported && options.past_unsupported) return;
  unsigned found = report.counterexample->preemptions;
  for (unsigned b = static_cast<unsigned>(report.stats.bounded_first_exhausted + 1); b < found; ++b) {
    const Options o = bounded_pass_options(options);
    Report r;
    detail::DfsStrategy dfs(b);
    detail::run_search(program, dfs, o, r, options.max_executions);
    report.stats.minimize_executions += r.stats.executions;
    if (r.stats.interrupted) {  // keep the counterexample found so far
      report.stats.interrupted = true;
      return;
    }
    if (r.counterexample) {
      report.verdict = r.verdict;
      report.counterexample = std::move(r.counterexample);
      return;
    }
  }
}

}  // namespace

namespace {
void check_reach(const Options& options) {
  if (options.reach && options.reach->after.size() > kMaxReachAfter)
    throw std::invalid_argument("checker::explore: Options::reach has " + std::to_string(options.reach->after.size()) +
                                " earlier targets, at most " + std::to_string(kMaxReachAfter));
}
}  // namespace

Report explore(Program& program, const Options& options) {
  check_reach(options);
  if (options.jobs > 1)
    throw std::invalid_argument(
        "checker::explore(Program&, options) runs one job, options.jobs = " + std::to_string(options.jobs) +
        ": a parallel search needs one Program per worker, explore(ProgramFactory, options)");
  Report report;
  auto t0 = Clock::now();
  std::unique_ptr<detail::Strategy> strategy = make_strategy(options);
  report.stats.preemption_bound = options.preemption_bound;
  report.stats.seed = options.seed;
  std::uint64_t budget = options.max_executions;
  if ((options.strategy == StrategyKind::Random || options.strategy == StrategyKind::Pct) &&
      budget == 0 && options.time_budget_seconds <= 0)
    budget = kDefaultSamplingExecutions;
  const bool found_first = bounded_first_applies(options) && search_bounded_first(program, options, report);
  if (!found_first && !report.stats.interrupted) detail::run_search(program, *strategy, options, report, budget);
  detail::settle_unsupported(report);
  if (options.fewest_preemptions) minimize_preemptions(program, options, report);
  report.stats.elapsed_seconds = seconds_since(t0);
  if (report.stats.elapsed_seconds > 0)
    report.stats.executions_per_second =
        (report.stats.executions - report.stats.resumed_executions) / report.stats.elapsed_seconds;
  return report;
}

Report explore(const ProgramFactory& factory, const Options& options) {
  check_reach(options);
  const bool spreads = options.strategy == StrategyKind::Dpor && !options.preemption_bound &&
                       !options.check_commutation && !options.whole_objects;
  if (Cluster::size() > 1 && !spreads) {
    // A search that does not spread over processes runs on rank 0 alone.
    detail::cluster_link();  // taken part: the other ranks end normally
    if (Cluster::rank() != 0) return Report{};
  }
  if (!spreads || (options.jobs <= 1 && Cluster::size() == 1)) {
    // Parallel search is DPOR's; the other strategies run on one thread.
    std::unique_ptr<Program> program = factory();
    Options o = options;
    o.jobs = 1;
    return explore(*program, o);
  }
  auto t0 = Clock::now();
  // The bounded-first pass is deterministic: in a distributed search every
  // process runs it and comes to the same end, so none waits for another.
  Report first;
  if (bounded_first_applies(options)) {
    std::unique_ptr<Program> program = factory();
    if (search_bounded_first(*program, options, first) || first.stats.interrupted) {
      detail::cluster_link();  // taken part: every rank ends here, normally
      if (Cluster::rank() != 0) return Report{};
      first.stats.jobs = options.jobs;
      first.stats.processes = static_cast<unsigned>(Cluster::size());
      first.stats.elapsed_seconds = seconds_since(t0);
      detail::settle_unsupported(first);
      return first;
    }
  }
  Report report = detail::ParallelSearch(factory, options).run();
  if (first.unsupported) report.unsupported = std::move(first.unsupported);
  detail::settle_unsupported(report);
  report.stats.bounded_first_executions = first.stats.bounded_first_executions;
  report.stats.bounded_first_unsupported = first.stats.bounded_first_unsupported;
  report.stats.bounded_first_exhausted = first.stats.bounded_first_exhausted;
  report.stats.seed = options.seed;
  if (Cluster::rank() == 0 && options.fewest_preemptions && report.counterexample) {
    std::unique_ptr<Program> program = factory();
    minimize_preemptions(*program, options, report);
  }
  report.stats.elapsed_seconds = seconds_since(t0);
  return report;
}

bool ReachTarget::matches(std::string_view thread_name, std::string_view step_label) const {
  return (thread.empty() || thread_name == thread) && matches_label(step_label);
}

bool ReachTarget::matches_note(std::string_view note_text) const {
  return in_note && note_text.find(label) != std::string_view::npos;
}

std::string ReachTarget::text() const {
  const std::string what = in_note ? "note \"" + label + "\"" : label;
  std::string t = thread.empty() ? what : thread + ":" + what;
  for (auto it = after.rbegin(); it != after.rend(); ++it) t += " after " + it->text();
  return t;
}

bool ReachTarget::matches_label(std::string_view step_label) const {
  if (in_note) return false;
  if (step_label.size() < label.size() || step_label.compare(0, label.size(), label) != 0) return false;
  if (step_label.size() == label.size()) return true;
  const char next = step_label[label.size()];
  return next == ':' || next == ' ' || next == '(';
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

namespace {

/// One execution of `program` under `strategy` (replay, replay_following): the
/// report's statistics, its verdict and whether the engine aborted; returns the
/// execution's counterexample (its step log, whatever the verdict).
Counterexample run_once(Program& program, detail::Strategy& strategy, std::uint64_t max_steps, Report& report,
                        Verdict& verdict, bool& aborted, const ReachTarget* reach) {
  detail::Execution ex(program, strategy, max_steps);
  ex.set_reach(reach);
  verdict = ex.run();
  report.stats.executions = 1;
  report.stats.total_steps = report.stats.max_depth = ex.steps();
  report.stats.complete = true;
  aborted = ex.aborted();
  return ex.take_counterexample();
}

}  // namespace

Report replay_following(Program& program, const Schedule& schedule, std::uint64_t max_steps,
                        FollowStats* stats, const ReachTarget* reach) {
  Report report;
  auto t0 = Clock::now();
  detail::FollowStrategy strategy(schedule);
  Verdict v = Verdict::Pass;
  bool aborted = false;
  Counterexample c = run_once(program, strategy, max_steps, report, v, aborted, reach);
  if (aborted) report.divergence = c.violation.message;  // an engine abort, not a kernel verdict
  report.verdict = aborted ? Verdict::ModelError : v;
  report.counterexample = std::move(c);  // always returns its log, as replay()
  report.stats.elapsed_seconds = seconds_since(t0);
  if (stats) *stats = strategy.stats();
  return report;
}

std::set<std::string> names_in_one_execution(Program& program, std::uint64_t max_steps) {
  return names_in_executions(program, max_steps, 1);
}

std::set<std::string> names_in_executions(Program& program, std::uint64_t max_steps, std::uint64_t executions) {
  std::set<std::string> names;
  {
    const Schedule none;  // (the strategy keeps a reference)
    detail::FollowStrategy strategy(none);
    detail::Execution ex(program, strategy, max_steps);
    ex.set_name_sink(&names);
    ex.run();
  }
  if (executions <= 1) return names;
  detail::RandomStrategy random(/*seed=*/0);  // deterministic: the same names on every machine
  detail::Execution ex(program, random, max_steps);
  ex.set_name_sink(&names);
  for (std::uint64_t i = 1; i < executions; ++i) ex.run();
  return names;
}

Report replay(Program& program, const Schedule& schedule, std::uint64_t max_steps,
              const StepLog* expected, const ReachTarget* reach) {
  Report report;
  auto t0 = Clock::now();
  detail::ReplayStrategy strategy(schedule);
  Verdict v = Verdict::Pass;
  bool aborted = false;
  Counterexample c = run_once(program, strategy, max_steps, report, v, aborted, reach);
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
  if (report.divergence.empty()) {
    if (aborted) {
      report.divergence = c.violation.message;
    } else if (strategy.unused() != 0) {
      report.divergence = "diverged at step " + std::to_string(c.log.steps.size()) +
                          ": expected " + std::to_string(strategy.unused()) +
                          " more choices, got the end of the execution";
    } else if (expected && expected->steps.size() != c.log.steps.size()) {
      report.divergence = "diverged at step " + std::to_string(c.log.steps.size()) +
                          ": expected " + std::to_string(expected->steps.size()) +
                          " steps, got " + std::to_string(c.log.steps.size());
    }
  }
  report.verdict = aborted ? Verdict::ModelError : v;
  report.counterexample = std::move(c);  // replay always returns its log
  report.stats.elapsed_seconds = seconds_since(t0);
  return report;
}

}  // namespace checker
