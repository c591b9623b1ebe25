// execution.h: the state of one run: threads, their pending accesses, objects,
// the step log and the schedule. Drives the Scheduler (mechanics) with the
// decisions of a Strategy (policy) and records what happened.
//
// Invariant: at most one simulated thread runs at a time; while it runs,
// running_ names it and steps_.back() is the step it is performing. A thread
// that announced its next access asks the strategy itself (decide_on_fiber):
// picked again, it goes on without a switch; else the engine's loop resumes
// the thread picked. Stop marks, deadlocks, final checks and anything after a
// failure are decided on the engine's stack only.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "checker/api.h"
#include "checker/explorer.h"
#include "checker/program.h"
#include "checker/report.h"
#include "scheduler.h"
#include "strategy.h"

namespace checker::detail {

class Execution {
 public:
  Execution(Program& program, Strategy& strategy, std::uint64_t max_steps);
  ~Execution();

  /// Run one execution from Program::setup() to its end. Reusable.
  Verdict run();

  const Violation& violation() const { return violation_; }
  const Schedule& schedule() const { return schedule_; }
  std::size_t steps() const { return steps_.size(); }
  /// Move the step log out, with names resolved (after run()).
  StepLog take_log();
  /// The violation, schedule, step log and preemptions of this run (after run()).
  Counterexample take_counterexample();
  /// After run(): the threads left with a pending operation, and the accesses.
  ThreadMask pending_mask() const;
  std::span<const Access> pending() const { return pending_; }
  /// Let the other threads run on after a violation in a thread, so a search
  /// strategy sees what they would do (the record still ends at the violation).
  void set_continue_after_violation(bool on) { continue_after_violation_ = on; }
  /// Likewise after a thread reached checker::unsupported().
  void set_continue_after_unsupported(bool on) { continue_after_unsupported_ = on; }
  /// After a run that reached an unmodelled path and ran on: the schedule of
  /// a violation of another thread whose causal past (program order and
  /// dependent steps) holds no step that reached an unmodelled path. Those
  /// steps alone, in their order, are an execution of the program that fails
  /// with that violation, unmodelled path or not. Else empty.
  const std::optional<Schedule>& violation_past_unsupported() const { return violation_past_unsupported_; }
  /// Record checker::note() texts (on by default). A search turns them off
  /// and takes its counterexample through recorded_counterexample().
  void set_notes(bool on) { notes_ = on; }
  /// Collect every step's label and the Frame functions it runs inside into `names` (null: off).
  void set_name_sink(std::set<std::string>* names) { names_ = names; }
  bool notes() const { return notes_; }
  /// Index of the step in which a thread failed, if one did (else npos).
  std::size_t failure_step() const { return fail_steps_ ? fail_steps_ - 1 : npos; }
  /// Preemptions up to the failure (or the end).
  unsigned preemptions() const {
    return fail_steps_ ? fail_preemptions_ : strategy_.preemptions();
  }
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  /// True when the strategy aborted the run (divergence).
  bool aborted() const { return aborted_; }
  /// The thread and object names of the last run, without steps.
  StepLog names() const {
    StepLog log;
    for (const Thread& t : threads_) log.thread_names.push_back(t.name);
    log.object_names = object_names_;
    return log;
  }
  /// The steps of the last run (the record ends at a violation).
  const std::vector<StepRecord>& step_records() const { return steps_; }
  /// Stop the next runs once `steps` steps have run: call `observe` there (on
  /// the engine's stack, every thread suspended), then end the run as
  /// aborted. npos: never (the default).
  void set_stop_after(std::size_t steps, std::function<void()> observe) {
    stop_after_ = steps;
    observe_ = std::move(observe);
  }
  /// Options::whole_objects: announce children as their parents, commuting
  /// updates as read-modify-writes, and ignore refinements.
  void set_whole_objects(bool on) { whole_objects_ = on; }
  /// Options::reach for the next runs (null: none); the target must outlive them.
  /// A note target (ReachTarget::in_note) turns notes on: the match is made in note().
  void set_reach(const ReachTarget* reach) {
    reach_ = reach;
    reach_label_seen_ = false;
    reach_after_seen_ = 0;
    if (reach_ && reach_->in_note) notes_ = true;
    if (reach_)
      for (const ReachTarget& a : reach_->after)
        if (a.in_note) notes_ = true;
  }
  const ReachTarget* reach() const { return reach_; }
  /// Since set_reach: a step of some thread bore the target's label in some run (sticky
  /// across runs; the search copies it into Stats::reach_label_seen).
  bool reach_label_seen() const { return reach_label_seen_; }
  /// Since set_reach: bit k set when a step of some thread matched earlier target k
  /// (ReachTarget::after), in any order (sticky across runs, as reach_label_seen).
  std::uint32_t reach_after_seen() const { return reach_after_seen_; }
  /// After a run: true when it reached the stop set by set_stop_after.
  bool stopped_at_mark() const { return stopped_at_mark_; }

  /// The execution running on this OS thread, or null.
  static Execution* current();

  // Implementation of api.h.
  ThreadId spawn(std::string name, std::function<void()> body);
  ObjectId new_object(std::string name, ObjectId parent = kNoObject);
  void refine(ObjectId child, AccessKind kind, SourceLoc loc, std::uint8_t groups = 1);
  /// "base[index]", its text kept across executions in indexed_names_.
  ObjectId new_element(const char* base, std::uint32_t index);
  void final_check(std::string name, std::function<void()> body);
  void announce(const Access& a, Guard ready, bool idle = false);
  std::uint32_t choose(std::uint32_t n, const char* label);
  void note(std::string_view text);
  /// `invariant`: the step check that failed (fail_check), kept in the violation.
  [[noreturn]] void fail(Verdict v, FailureKind kind, std::string message, SourceLoc loc,
                         std::string invariant = {});
  ThreadId running() const { return running_; }
  const std::string& object_name(ObjectId id) const;
  const std::string& thread_name(ThreadId id) const;
  void set_lock_holder(ObjectId object, ThreadId holder);
  std::size_t current_step() const { return steps_.empty() ? 0 : steps_.size() - 1; }
  /// checker::Frame: thread t entered / left a function.
  void push_frame(ThreadId t, const char* function) { threads_[t].frames.push_back(function); }
  void pop_frame(ThreadId t) {
    if (t < threads_.size() && !threads_[t].frames.empty()) threads_[t].frames.pop_back();
  }

 private:
  struct Thread {
    std::string name;
    bool finished = false;
    bool has_pending = false;
    bool stopped = false;  ///< failed or aborted: never resumed again
    Guard ready;
    bool idle = false;  ///< the pending access is an announce_idle() wait
    std::vector<const char*> frames = {};  ///< checker::Frame functions it is inside, outermost first
  };
  struct FinalCheck {
    std::string name;
    std::function<void()> body;
  };

  struct Masks {
    ThreadMask enabled = 0, waiting = 0, busy_waiting = 0;  ///< busy: waiting, not idle
  };
  Masks masks() const;
  /// Record the start of thread t's pending step (it is enabled).
  void begin_step(ThreadId t);
  /// From inside thread t, its next access just announced: ask the strategy
  /// for the next step here when nothing needs the engine's stack. True when
  /// it picked t (the step has begun); else the pick, if one was made, waits
  /// in decided_ (or its exception in pick_error_) for the engine's loop.
  bool decide_on_fiber(ThreadId t);

  void reset();
  void start_threads();
  void after_resume(ThreadId t);
  void run_final_checks();
  [[noreturn]] void stop_thread_forever();  // from inside a fiber
  /// Record the first failure of the run (fail() without the stop): in thread t, its last step.
  void record_failure(Verdict v, FailureKind kind, std::string message, SourceLoc loc, ThreadId t);
  /// The Options::reach step of thread reached_ has run: the run fails with FailureKind::Reached.
  std::string reached_message() const;
  /// The Options::reach match of thread t's pending step: its label, else the innermost
  /// frame it was announced in whose function matches; null when neither does.
  /// `any_thread`: the label test alone, whatever the thread.
  const char* reach_match(ThreadId t, bool any_thread) const;
  /// The label match of `target` for thread t's pending step (as reach_match).
  const char* stage_match(const ReachTarget& target, ThreadId t, bool any_thread) const;
  /// ReachTarget::after at thread t's step just begun (steps_.back()): each earlier stage's
  /// "happens after" set grows by program order and dependence, and a label match of a
  /// stage whose predecessor the step is after seeds it.
  void reach_after_step(ThreadId t);
  /// A note of the running thread's step matched against the earlier stages.
  void reach_after_note(std::string_view text);
  /// Thread t's current step (steps_.back()) happens after a match of every earlier stage, in order.
  bool reach_after_done(ThreadId t) const {
    return reach_stages_.empty() || reach_stages_.back().after(t, steps_.size() - 1);
  }
  void describe_deadlock(ThreadMask waiting);
  /// The steps in the causal past of steps_[step] (it included): program
  /// order and dependent accesses, a step that may refine taken as a
  /// read-modify-write of its whole object (whatever it refined to).
  std::vector<bool> causal_past(std::size_t step) const;
  /// The schedule that runs only the steps marked (with their value choices)
  /// after the choices made before the first step.
  Schedule schedule_of(const std::vector<bool>& steps) const;

  Program& program_;
  Strategy& strategy_;
  std::uint64_t max_steps_;
  Scheduler scheduler_;

  std::vector<Thread> threads_;
  std::vector<Access> pending_;  ///< by ThreadId, parallel to threads_
  std::vector<std::function<void()>> bodies_;
  std::vector<std::string> object_names_;
  /// By ObjectId, across executions (reset() keeps it): the (base, index) an
  /// indexed object was last created with and its name, so an execution that
  /// creates the same element under the same id copies the name, never formats it.
  struct IndexedName {
    const char* base = nullptr;
    std::uint32_t index = 0;
    std::string name;
  };
  std::vector<IndexedName> indexed_names_;
  std::vector<ObjectId> object_parents_;  ///< by ObjectId: kNoObject or the parent
  std::vector<ThreadId> lock_holders_;  ///< by ObjectId
  std::vector<FinalCheck> final_checks_;
  std::vector<StepRecord> steps_;
  Schedule schedule_;
  Violation violation_;
  bool failed_ = false;
  bool continue_after_violation_ = false;
  bool continue_after_unsupported_ = false;
  std::vector<std::size_t> unsupported_steps_;  ///< steps in which a thread reached an unmodelled path
  std::optional<std::size_t> later_violation_;  ///< the step of a violation after an unmodelled path
  std::optional<Schedule> violation_past_unsupported_;
  bool notes_ = true;
  std::size_t fail_steps_ = 0;    ///< steps_.size() when a thread failed (0: none)
  std::size_t fail_choices_ = 0;  ///< schedule_.size() then
  unsigned fail_preemptions_ = 0;
  bool aborted_ = false;
  bool in_setup_ = false;
  ThreadId running_ = kNoThread;
  ThreadId previous_ = kNoThread;
  /// A pick made on a thread's stack for the engine's loop to carry out
  /// (nullopt inside: the strategy aborted the execution).
  std::optional<std::optional<ThreadId>> decided_;
  std::exception_ptr pick_error_;
  std::size_t stop_after_ = npos;
  std::function<void()> observe_;
  bool stopped_at_mark_ = false;
  bool whole_objects_ = false;
  const ReachTarget* reach_ = nullptr;
  std::set<std::string>* names_ = nullptr;  ///< set_name_sink
  /// The thread whose step matched reach_ (the run ends at its next announce or its end).
  ThreadId reached_ = kNoThread;
  std::size_t reached_step_ = 0;
  const char* reached_frame_ = nullptr;  ///< the frame function that matched, when not the label
  bool reach_label_seen_ = false;
  std::uint32_t reach_after_seen_ = 0;
  /// Per earlier stage of reach_->after (this run): the threads whose latest step happens
  /// after one of its matches, and the accesses of those steps (deduplicated) that later
  /// dependent steps of other threads are ordered after.
  struct ReachStage {
    /// By thread: twice the index of its first step that matched the stage (2i), or that
    /// happens after a match through a dependent step (2i - 1); npos when none yet.
    std::vector<std::size_t> since2;
    std::vector<Access> accesses;
    /// Step `step` of thread t happens strictly after a match (a later step of the
    /// matching thread, or one ordered after it).
    bool after(ThreadId t, std::size_t step) const { return t < since2.size() && since2[t] < 2 * step; }
    bool joined(ThreadId t) const { return t < since2.size() && since2[t] != npos; }
    /// Thread t joins at step `step` (a match: by_dependence false), or adds its access.
    void add(ThreadId t, std::size_t step, bool by_dependence, const Access& a);
  };
  std::vector<ReachStage> reach_stages_;
};

/// The search loop: run executions of `program` under `strategy` until it is
/// exhausted, a failure stops it (options.stop_on_first), or a budget ends it
/// (max_executions when non-zero, options.time_budget_seconds). Adds to
/// report.stats and sets the first counterexample.
void run_search(Program& program, Strategy& strategy, const Options& options, Report& report,
                std::uint64_t max_executions);

/// How a run of a search counts. Sleep-set blocked: cut short with no verdict
/// of its own (a run that failed before it was blocked keeps its failure and
/// counts). Post-failure: the run repeats the previous one up to its failing
/// step (Strategy::last_repeats_previous). Otherwise an execution.
enum class RunKind { Execution, SleepBlocked, PostFailure };
RunKind classify_run(const Strategy& strategy, Verdict v, const Execution& ex);

/// The counterexample of ex's last run (which failed), with its step notes:
/// when ex ran without notes, the failing schedule is run once more with them
/// (not when the strategy aborted the run: its schedule stops short).
Counterexample recorded_counterexample(Program& program, Execution& ex, std::uint64_t max_steps);

/// Run `schedule` once on `program`, with notes: its counterexample when the run
/// ends in `verdict` having used every choice, else nothing (it does not replay).
/// `reach`: the search's Options::reach (a witness ends at its step), or null.
std::optional<Counterexample> replay_failure(Program& program, const Schedule& schedule, Verdict verdict,
                                             std::uint64_t max_steps, const ReachTarget* reach);

/// Count the failure of an execution of a search (verdict v, counted as an
/// execution) in `report`: with options.past_unsupported an unmodelled path
/// goes to Report::unsupported (the first) and Stats::unsupported_executions;
/// any other failure is the counterexample if it is the first. True when the
/// search stops here (options.stop_on_first and a failure counted).
/// `counted`: the run is an execution (else a post-failure run, where only a
/// violation independent of the unmodelled paths counts, see
/// Execution::violation_past_unsupported).
bool count_failure(Program& program, Execution& ex, Verdict v, const Options& options, Report& report,
                   bool counted = true);

/// Options::past_unsupported, the search over: without a failure, the first
/// unmodelled path is the verdict and counterexample.
void settle_unsupported(Report& report);

/// Thrown on the engine's own stack by fail() in setup() or a final check.
struct FailureOnEngineStack {};

}  // namespace checker::detail
