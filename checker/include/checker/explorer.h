// explorer.h: run a Program under a search strategy, or replay one schedule.
//
// Determinism: for the same program and Options, explore() runs the same
// executions in the same order and returns the same first counterexample.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <optional>
#include <stdexcept>
#include <string>

#include "checker/program.h"
#include "checker/report.h"

namespace checker {

enum class StrategyKind : std::uint8_t {
  Dfs,     ///< plain stateless DFS over every thread and value choice (the reference)
  Dpor,    ///< optimal DPOR: one execution per Mazurkiewicz trace (same verdicts as Dfs)
  Random,  ///< random walk: uniform choice at every point, from Options::seed
  Pct,     ///< PCT (Burckhardt et al. 2010): random priorities, pct_depth - 1 change points
};

struct Progress {
  std::uint64_t executions = 0;
  std::uint64_t sleep_blocked = 0;
  double elapsed_seconds = 0;
  double executions_per_second = 0;
  /// Estimated fraction of the search done, in [0, 1]; negative when unknown.
  double fraction_done = -1;
  /// Estimated seconds left (from fraction_done or the budgets); negative when unknown.
  double estimated_remaining_seconds = -1;
};

/// Random and Pct without a budget: this many executions.
inline constexpr std::uint64_t kDefaultSamplingExecutions = 10000;

/// A step to reach (Options::reach): a step of thread `thread` (of any thread when
/// empty) whose label is `label`, or begins with `label` followed by ':', ' ' or '('
/// ("user store" matches "user store: page walk"); or a step announced inside a
/// checker::Frame whose function so matches `label`. With `in_note`, instead a
/// step one of whose checker::note() texts contains `label` (the search then runs
/// with notes on, which costs time on every execution).
/// The most earlier targets one ReachTarget may have (Stats::reach_after_seen's bits).
inline constexpr std::size_t kMaxReachAfter = 32;

struct ReachTarget {
  std::string thread;
  std::string label;
  bool in_note = false;
  /// "X then Y": targets (their own `after` empty) that must be reached first, in this
  /// order, each step happening before the next one's and the last before this target's
  /// (the same thread later, or a chain of dependent steps: an order every interleaving
  /// of the run's trace keeps, so the reduction loses no witness).
  std::vector<ReachTarget> after = {};  ///< at most kMaxReachAfter
  bool matches(std::string_view thread_name, std::string_view step_label) const;
  /// The label test alone (any thread); false with in_note.
  bool matches_label(std::string_view step_label) const;
  /// The note test alone (any thread): `in_note` and `note_text` contains `label`.
  bool matches_note(std::string_view note_text) const;
  /// "THREAD:LABEL", or "LABEL" for any thread; a note target in quotes after "note ";
  /// then " after " and the earlier targets' texts, latest first.
  std::string text() const;
};

struct Options {
  StrategyKind strategy = StrategyKind::Dfs;
  std::uint64_t max_steps = 10000;       ///< per execution; exceeding it is Verdict::StepBound
  /// At most this many preemptions per execution. Exact with Dfs; with Dpor the
  /// bounded search runs as Dfs (reduction under a bound is not exact).
  std::optional<unsigned> preemption_bound;
  std::uint64_t max_executions = 0;      ///< 0: unbounded; otherwise stop (incomplete) after this many
  bool stop_on_first = true;             ///< stop at the first failing execution
  /// An execution that reaches checker::unsupported() (a path the program
  /// does not model) does not end the search: its thread stops there, the
  /// others run on (DPOR, to show their races) and the search goes on, so a
  /// failure elsewhere is still found. The first such execution in the
  /// search's order is kept in Report::unsupported, their number in
  /// Stats::unsupported_executions. At the end a failure found is the verdict
  /// as usual; without one the verdict is Unsupported, with the first such
  /// execution as the counterexample. false: an unsupported execution is a
  /// failure like any other (stop_on_first stops at it).
  bool past_unsupported = false;
  /// After a failure is found, search again under preemption bounds 0, 1, 2, ...
  /// (plain DFS, exact for each bound) below the failure's own preemption count,
  /// so the counterexample reported has the fewest preemptions possible.
  bool fewest_preemptions = false;
  /// Iterative context bounding first (Musuvathi and Qadeer, "Iterative
  /// Context Bounding for Systematic Testing of Multithreaded Programs", PLDI
  /// 2007): before an unbounded Dpor or Dfs search that stops at its first
  /// failure, run plain DFS under preemption bounds 0, 1, 2, ... sharing this
  /// many executions. A failure found there is the one reported, with the
  /// fewest preemptions possible (every smaller bound was searched completely;
  /// the same one fewest_preemptions' re-search would pick). Otherwise the
  /// search proper runs exactly as without it (same executions, same first
  /// counterexample), and fewest_preemptions re-searches only the bounds not
  /// exhausted yet. A race that needs a preemption or two is then found in tens
  /// of executions even where DPOR's order reaches it late. Its executions are
  /// counted apart (Stats::bounded_first_executions). 0 (the default): off.
  /// Not with a checkpointed or resumed search (the pieces are of the search
  /// proper) or check_commutation. In a distributed search every process runs
  /// the pass (it is deterministic, so all come to the same end).
  std::uint64_t bounded_first = 0;
  /// Random and Pct: the seed of the strategy's own PRNG (recorded in Stats).
  /// Execution i uses the generator seeded with splitmix64(seed + i).
  std::uint64_t seed = 0;
  /// Pct: the bug depth d (d - 1 priority change points per execution).
  unsigned pct_depth = 3;
  /// Stop (incomplete) after this many seconds of search; 0: no time budget.
  /// Random and Pct run kDefaultSamplingExecutions executions when neither
  /// this nor max_executions is set. Not deterministic: prefer max_executions
  /// where reproducible counts matter.
  double time_budget_seconds = 0;
  /// A stop request from outside the search (e.g. a signal handler that sets
  /// the flag): read after every execution, where the budgets are checked;
  /// once it reads true the search ends, incomplete, with Stats::interrupted
  /// (a failure found before it is still reported). With jobs > 1 the
  /// workers stop at their next execution too. nullptr: never.
  const std::atomic<bool>* stop_requested = nullptr;
  /// Worker OS threads. > 1 needs explore(factory, options) (one Program per
  /// worker); explore(Program&, ...) refuses it (std::invalid_argument). The executions explored, the
  /// counts, the verdict and the counterexample are the same as with 1.
  /// Parallel search is DPOR's (unbounded); other strategies use one thread.
  unsigned jobs = 1;
  /// Called about once every progress_interval_seconds of search (on the
  /// exploring thread), at most once per 64 executions.
  std::function<void(const Progress&)> on_progress;
  double progress_interval_seconds = 1.0;
  /// Check the claims of commutation the search relies on: for each pair of
  /// steps i < j of two threads on related objects (the same object, or one
  /// family) where step j is declared independent of step i and of every step
  /// between them, run the steps with j moved before i too and compare the
  /// threads' operations, the steps' kinds and Program::state_fingerprint();
  /// a difference ends the search with Verdict::ModelError naming both steps. 0: off; N: each distinct pair of
  /// operations (thread, object, kind, label, source line) is checked at most
  /// N times. Runs on one thread (jobs is ignored).
  unsigned check_commutation = 0;
  /// The trace equivalence of before issue 12, for comparisons (bench/): a
  /// child object counts as its parent, a CommutingUpdate as a
  /// ReadModifyWrite, and checker::refine is ignored (a failed
  /// compare-and-swap stays a ReadModifyWrite). Same verdicts, more executions.
  bool whole_objects = false;
  /// jobs > 1: every task handed out and its outcome go through the text a
  /// distributed search's processes exchange (checker/cluster.h), as if to
  /// another process: a test of that form without MPI. Same results, slower.
  bool wire_check = false;
  /// Checkpoint (Dpor without a preemption bound, and Dfs): a search that
  /// ends incomplete because max_executions, the time budget or
  /// stop_requested cut it leaves its unexplored frontier in
  /// Report::checkpoint (JSON text, engine format; the caller adds what names
  /// the program and the options). Not with fewest_preemptions' re-search.
  bool checkpoint = false;
  /// Continue the search a Report::checkpoint describes, taken from a search
  /// of the same program under the same options (strategy, max_steps,
  /// preemption_bound, stop_on_first, whole_objects): the executions of the
  /// pieces add up to those of the search never cut, explored in the same
  /// order, with the same verdict and first counterexample. Report::stats
  /// count from the start of the whole search (Stats::resumed_executions of
  /// them before this piece); max_executions and the time budget count for
  /// this piece only. A checkpoint that does not fit (damaged, another
  /// strategy or options, a path this program does not take) throws
  /// CheckpointError before any execution of this piece is counted.
  std::shared_ptr<const std::string> resume;
  /// A reachability query: the search looks for an execution in which a step
  /// matching the target runs. That execution ends right after the step (at
  /// the thread's next announce or its end), with Verdict::Violation of
  /// FailureKind::Reached, its counterexample the witness; the search treats
  /// it as any failure (stop_on_first, bounded_first, fewest_preemptions: the
  /// witness with the fewest preemptions). A failure of the program met first
  /// is reported as usual. A search that ends Pass and complete shows that no
  /// execution runs such a step (under the reduction: reaching it is a
  /// property of the thread's own path, which every trace preserves).
  std::optional<ReachTarget> reach;
};

/// A checkpoint given in Options::resume cannot continue this search. what():
/// "at /json/pointer: reason" (the place in the checkpoint's JSON text) or a reason.
class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Explore the program. Returns Pass with stats.complete when the space was
/// exhausted without a failure, Pass with !complete when a bound cut it short,
/// or the first failure with its counterexample.
Report explore(Program& program, const Options& options);

/// Makes one fresh Program per worker (called once per worker, on the caller's
/// thread, before the search starts).
using ProgramFactory = std::function<std::unique_ptr<Program>()>;

/// Like explore(Program&, ...), with options.jobs workers, each on its own
/// Program from `factory`.
Report explore(const ProgramFactory& factory, const Options& options);

/// Re-execute one schedule. With `expected` steps (from a trace), each step is
/// compared with the recorded one and the first difference is reported in
/// Report::divergence as "diverged at step N: expected X, got Y".
/// `reach`: the Options::reach the schedule was found under (a witness), or null.
Report replay(Program& program, const Schedule& schedule, std::uint64_t max_steps = 10000,
              const StepLog* expected = nullptr, const ReachTarget* reach = nullptr);

/// How replay_following() mapped the schedule onto the program.
struct FollowStats {
  std::size_t in_order = 0;      ///< steps that took the next recorded thread choice
  std::size_t out_of_order = 0;  ///< steps that took a later one (the earlier ones' threads could not run)
  std::size_t free = 0;          ///< steps with no recorded choice left for any enabled thread
  std::size_t unused = 0;        ///< recorded thread choices never taken
  std::size_t values_free = 0;   ///< value choices with no recorded one of their range left (0 taken)
};

/// Re-execute a schedule recorded on another program (the same threads, in spawn
/// order: a scenario with a fix applied against the trace of its reverted twin) as
/// closely as that program allows: the recorded thread order where its threads can
/// run (see FollowStats). Never diverges: the report is the execution's verdict and
/// log; `stats`, when given, says how closely the schedule was followed.
Report replay_following(Program& program, const Schedule& schedule, std::uint64_t max_steps = 10000,
                        FollowStats* stats = nullptr, const ReachTarget* reach = nullptr);

/// The names Options::reach can match in one execution of the program: every step's
/// label and every Frame function a step runs inside, for the first schedule (the
/// lowest enabled thread first). For a "not reached" answer whose name no step bore.
std::set<std::string> names_in_one_execution(Program& program, std::uint64_t max_steps = 10000);
/// The same over `executions` runs: the first schedule, then random schedules from a fixed
/// seed (deterministic), so names only some schedules run (a path after a lost race) show too.
std::set<std::string> names_in_executions(Program& program, std::uint64_t max_steps, std::uint64_t executions);

/// A one-line description of a step: "thread: label kind object [note]".
std::string describe_step(const StepLog& log, std::size_t index);

}  // namespace checker
