// dpor.h: optimal dynamic partial-order reduction (Abdulla, Aronis, Jonsson,
// Sagonas, POPL 2014: source sets + wakeup trees), extended to blocking
// operations and to value choices.
//
// The search explores one execution per Mazurkiewicz trace of the announced
// accesses, where two accesses are ordered when dependent(a, b) holds.
//  * Races: at the end of each execution every pair e < e' in a race (different
//    threads, dependent, e happens-before e' with nothing in between) gives the
//    sequence v = notdep(e, E).e' that reverses it; v is inserted into the
//    wakeup tree at the scheduling point before e unless a sleeping thread is a
//    weak initial of v.
//  * Blocking: a lock release never races with a later acquire or wait on the
//    same lock (the acquire could not run before the release); the race is
//    taken with the release's matching acquire instead. Pending operations of
//    threads that never ran again (deadlock, violation, step bound) take part
//    in race detection as if they ran last. An operation announced blocking
//    (of any kind: a wait, a lock, a blocking read) whose guard is taken to
//    read only its object: when it was pending and disabled just before e
//    and nothing the reversal runs before it touches its object, the race
//    is not reversed (it is disabled there too).
//  * Waits announced after the write that enables them: when the waiting
//    thread ran other steps after that write, its guard was never evaluated
//    where the reversal would run it. The engine cannot know it (guards are
//    opaque), so it tries the reversal; when the wait turns out disabled
//    there, only sleeping threads are left and the run is sleep-set blocked.
//    That is the cost of learning the guard, not a lost or repeated trace
//    (tests/checker/dpor_test.cpp: WaitAnnouncedAfterItsWriteCostsOneBlockedRun,
//    and the random programs with waits on variables, checked against DFS).
//    A wait for a change (checker::announce_wait_for_change: its guard is
//    false while nobody wrote its object since its thread's last step on it)
//    avoids that run: when, in the reversal, no other thread writes the
//    object after the thread's last step on it, the race is not reversed.
//    A write that leaves such a guard false still costs one (3000 random
//    programs whose every write changes the value: exact, none blocked).
//  * Value choices: the choose() calls made during a step belong to that step;
//    an event is (thread, value vector). A step chosen freely explores every
//    value vector (its thread then sleeps for all values); a step placed by a
//    wakeup tree explores the vectors the tree names (its thread then sleeps
//    for those vectors only: `psleep`). The event a reversal moves is "open":
//    its reads change, so its choices are explored afresh. Choices made before
//    the first step (setup, threads running to their first announcement) are
//    enumerated in an outer loop. A thread whose partial entries cover every
//    vector (known from the choices' ranges) sleeps for all values.
//    A branch named for some vectors covers a reversal independent of it, or
//    ending with its own event with open values, only once it is widened to
//    every vector (Group::every). Checked against DFS on 6000 random
//    programs (tests/checker/dpor_test.cpp built with -DN_RANDOM=3000): the
//    same traces everywhere, no sleep-set-blocked run.
//  * Refined kinds: a step may say what it turned out to do (checker::refine:
//    a failed compare-and-swap or trylock is a Read; a weaker kind only, on
//    the announced object or one of its children).
//    Race detection orders the events by the kinds they ran with; an event a
//    reversal moves (open) and sleep-set propagation (the sleeper's next step
//    and the step that ran) use the announced kind, which over-approximates
//    whatever the step will do elsewhere. What a refinable step turns out to
//    be can depend on the steps before it: when the first event of a race was
//    announced refinable (checker::announce_refinable), a sleeping thread or a
//    wakeup-tree branch that would run before the reversal and whose step
//    depends on that event does not cover the reversal (it may make the event
//    weaker, and the race vanish, in its subtree: a get_page before the
//    put_page that frees a page). Such a branch still gets the reversal in its
//    subtree, and the reversal gets a branch of its own. Without the rule a
//    program whose put refines to the count field when it does not free
//    loses an outcome (tests/checker/dpor_test.cpp, random refined puts #17).
//    Every trace is explored (DFS agreement on 3000 random programs with
//    failing CAS and trylock), but a trace may be explored more than once (7%
//    of the runs there).
//    Which kinds may refine is the model's promise: a refinement must not
//    depend on the order of two steps declared independent (two puts that
//    commute must not refine by which one frees; random puts #39 shows the
//    loss when they do). Families of objects (a parent and its
//    children): an event is checked against the events on its own object and
//    on its parent, and an event on a parent against those on its children.
//  * Violations: with stop_on_first off, the other threads run on after a
//    violation (the failing thread halts), so races with what they would do
//    are seen; the recorded execution still ends at the violation. A run that
//    differs from the previous one only after its violation (a branch taken
//    past the failing step) is the same execution up to the failure, so it
//    counts as a post-failure run, not an execution: executions are then at
//    most DFS's, which also ends each execution at its first failure.
//    Options::past_unsupported: the same after an unmodelled path
//    (checker::unsupported()), whatever stop_on_first says; a violation of
//    another thread in the rest of such a run whose causal past holds no
//    unmodelled path is a failure of the execution that runs that past alone
//    (Execution::violation_past_unsupported): the one trace may run the path
//    first. Checked against every interleaving DFS runs (dpor_test.cpp,
//    PastUnsupported).
//
// Invariant: path_[0..depth_) replays the current prefix; path_[k].thread and
// path_[k].vals are the branch being explored at point k, path_[k].later the
// wakeup-tree branches still to explore there (in order), path_[k].sleep the
// threads whose traces from point k are already covered. Alternatives are tried
// in a fixed order, so the order of executions is deterministic.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "strategy.h"

namespace checker::detail {

class DporStrategy : public Strategy {
 public:
  DporStrategy() = default;

  void begin() override;
  std::optional<ThreadId> pick_thread(const SchedulingPoint& sp) override;
  std::optional<std::uint32_t> pick_value(std::uint32_t n, ThreadId t) override;
  bool end(const ExecutionEnd& end) override;
  std::string abort_reason() const override { return abort_; }
  unsigned preemptions() const override { return preemptions_; }
  bool last_was_redundant() const override { return blocked_; }
  /// The run shares points [0, fresh_from_) with the previous one, which
  /// therefore failed at the same step (and was counted: a run that fails and
  /// is then sleep-set blocked counts too, see classify_run). A task's first
  /// run shares them with the master's run that handed it out.
  bool last_repeats_previous(std::size_t failure_step) const override {
    return failure_step != static_cast<std::size_t>(-1) && fresh_from_ > failure_step;
  }
  double progress() const override;
  bool wants_continuation() const override { return true; }
  bool save(nlohmann::json& out) const override;  // checkpoint.cpp
  void load(const nlohmann::json& in) override;
  void refined(const Access& a) override {
    if (in_step_ && depth_ > 0) path_[depth_ - 1].ran = a;
  }

  /// Wakeup-tree branches dropped because their thread was not enabled where
  /// the tree said it would be (a reversal through a guard the race analysis
  /// could not see). 0 on programs whose blocking goes through locks.
  std::uint64_t infeasible() const { return infeasible_; }
  /// Reversals that named a value vector already explored at their point
  /// (expected 0; a witness that a trace may have been missed).
  std::uint64_t lost() const { return lost_; }

  using Vals = std::vector<std::uint32_t>;
  struct Group;
  using Forest = std::vector<Group>;
  /// One value vector of a group's step, and the wakeup tree after it.
  struct Variant {
    Vals vals;
    Forest sub;
    Vals ranges;  ///< seen when this vector ran (for the sleep set)
    friend bool operator==(const Variant& a, const Variant& b) {
      return a.vals == b.vals && a.sub == b.sub;
    }
  };
  /// A wakeup-tree child: thread `thread` runs its pending `access`; every
  /// value vector of the step is explored; `variants` holds the subtrees
  /// known for particular vectors (none: a leaf).
  struct Group {
    ThreadId thread = kNoThread;
    Access access{};
    std::vector<Variant> variants;
    bool every = false;  ///< explore every value vector, not only the named ones
    friend bool operator==(const Group& a, const Group& b) {
      return a.thread == b.thread && a.access.object == b.access.object &&
             a.access.kind == b.access.kind && a.variants == b.variants && a.every == b.every;
    }
  };
  /// A covered (thread, value vector) event, with the ranges of its choices.
  struct Slept {
    ThreadId thread = kNoThread;
    Vals vals;
    Vals ranges;  ///< 0 where unknown
    friend bool operator==(const Slept&, const Slept&) = default;
  };
  using PSleep = std::vector<Slept>;
  struct Node;
  /// One event of an execution, as race detection and wakeup trees see it.
  struct Event {
    ThreadId thread = kNoThread;
    Access access{};
    Vals vals;
    /// Values not fixed: a pending operation that never ran, or the event a
    /// reversal moves (its reads change, so its choices may too).
    bool open = false;
  };


  // ---- parallel search (see parallel.h) ----------------------------------
  /// One wakeup-tree branch explored apart: at point `depth` (after the
  /// prefix `key` of thread and value choices), `group` runs with the sleep
  /// sets predicted for when the sequential search would start it.
  /// A branch's place: the root values, then (thread, vals) per point above
  /// it, then (its thread, {}).
  using Key = std::vector<std::pair<ThreadId, Vals>>;
  struct Task {
    Key key;  ///< root values, then (thread, vals) per point
    std::size_t depth = 0;
    Group group;
    ThreadMask sleep = 0;
    PSleep psleep;
    std::vector<Node> prefix;  ///< points 0..depth, wakeup data dropped
  };
  /// What a task's strategy hands back beside its Report.
  struct TaskResult {
    std::vector<std::pair<std::size_t, std::vector<Event>>> exports;  ///< insertions above it
    ThreadMask sleep_add = 0;  ///< what the branch adds to the sleep sets at its point
    PSleep psleep_add;
    std::uint64_t infeasible = 0, lost = 0;
  };
  /// Master: branches a task could explore now, shallowest first, at points
  /// up to max_depth; `taken(key)` filters those already handed out.
  std::vector<Task> candidates(std::size_t max_depth, std::size_t max_count,
                               const std::function<bool(const Task&)>& taken) const;
  /// Worker: a strategy that explores exactly the task's branch. `stop` ends it early.
  static std::unique_ptr<DporStrategy> for_task(Task task, const std::atomic<bool>* stop);
  /// Worker, after the search: the result to hand to the master.
  TaskResult take_result();
  /// Master: before starting `g` at point `depth` (with those sleep sets) the
  /// strategy asks the hook; when the hook returns a result (a task explored
  /// it, and it checked the task saw the same branch and sleep sets), the
  /// branch counts as done. Called once per branch start: keep it cheap.
  using Hook = std::function<std::optional<TaskResult>(std::size_t depth, const Group& g,
                                                       ThreadMask sleep, const PSleep& psleep)>;
  void set_hook(Hook h, std::size_t max_depth) { hook_ = std::move(h); hook_depth_ = max_depth; }
  /// A task's point (0 for the master).
  std::size_t floor() const { return floor_ == npos_ ? 0 : floor_; }
  /// The key of the branch `thread` at point `depth` of the current path.
  Key key_at(std::size_t depth, ThreadId thread) const;
  /// True when the current path passes through the point `key` names
  /// (allocation-free; key_at(d, t) is on the path while path_[0..d) stays).
  bool on_path(const Key& key) const;
 private:
  friend struct Task;

 public:
  struct Node {
    ThreadMask enabled = 0;
    ThreadMask sleep = 0;             ///< covered threads, all values (inherited + done here)
    PSleep psleep;                    ///< covered (thread, value vector) events
    ThreadId previous = kNoThread;
    std::vector<Access> pending;      ///< snapshot by ThreadId, as announced
    ThreadId thread = kNoThread;      ///< branch under exploration
    Access ran{};                     ///< its access as performed (checker::refine)
    Vals vals;                        ///< its value vector
    std::vector<std::uint32_t> ranges;
    bool all_values = true;           ///< DFS over every vector (else: the variants, in order)
    std::size_t variant = 0;          ///< !all_values: index of the current variant
    std::vector<Variant> variants;    ///< subtrees known for vectors of `thread`
    Forest later;                     ///< sibling branches still to explore
    unsigned preemptions = 0;         ///< before this point
    std::uint32_t done = 0;           ///< branches finished here (for progress)
  };

 private:
  void contribution(const Node& n, ThreadMask* sleep, PSleep* psleep) const;
  static void group_contribution(const Group& g, ThreadMask* sleep, PSleep* psleep);
  void absorb(Node& n, TaskResult& r);

  void detect_races(const ExecutionEnd& end);
  void insert(std::size_t k, std::vector<Event> v);
  static void insert_forest(Forest& f, std::vector<Event>& v, const Access* guard);
  /// True when `a` depends on a race's guard (its first event, when that may
  /// refine): a thread about to run `a` does not cover the race's reversal.
  static bool guarded(const Access& a, const Access* guard);
  static bool weak_initial(ThreadId p, const Access& next, const std::vector<Event>& v,
                           std::size_t* index);
  /// True when, in the execution of points [0, i) followed by v (the events
  /// of scratch_.ev), thread t's last step on o (with its parent `parent`,
  /// or a child of o) comes after every other thread's write of o.
  bool seen_unchanged(ThreadId t, ObjectId o, ObjectId parent, std::size_t i,
                      const std::vector<Event>& v) const;
  bool backtrack();
  bool asleep(const Node& n, ThreadId t, const Vals& v) const;
  /// True when n's partial sleep entries for t cover every value vector.
  static bool covers(const PSleep& ps, ThreadId t, Vals& prefix);
  static void promote(ThreadMask* sleep, const PSleep& ps);
  void start_group(Node& n, Group&& g);
  /// Resuming: check a loaded point against the program's and take its
  /// accesses (with their labels); false (abort_ set) when they differ.
  bool refresh_loaded(Node& n, const SchedulingPoint& sp);

  /// detect_races' buffers, kept between executions (no allocation per run).
  /// The clocks, positions and object lists of events [0, valid) are those of
  /// the current path's prefix (stride: threads per clock).
  struct Scratch {
    std::size_t valid = 0, stride = 0;
    std::vector<Event> ev;
    std::vector<std::uint32_t> vc, idx, count;
    std::vector<long> last;
    std::vector<std::size_t> deps, cands;
    std::vector<std::vector<std::size_t>> by_object;
    std::vector<std::vector<std::size_t>> by_parent;  ///< events on a child, by parent
  };
  Scratch scratch_;
  std::vector<Node> path_;
  std::size_t depth_ = 0;       ///< points reached in this execution
  std::size_t val_pos_ = 0;     ///< value choices made in the current step
  bool in_step_ = false;        ///< a thread step is running (else: setup)
  Vals root_vals_;              ///< choices before the first step
  std::vector<std::uint32_t> root_ranges_;
  std::size_t root_pos_ = 0;
  unsigned preemptions_ = 0;
  bool blocked_ = false;
  /// Threads enabled where a run was sleep-set blocked at a scheduling point
  /// (all of them when it was blocked inside a step's value choice).
  ThreadMask blocked_enabled_ = ~ThreadMask{0};
  std::size_t fresh_from_ = 0;  ///< first point whose event is new in this execution
  std::uint64_t infeasible_ = 0;
  std::uint64_t lost_ = 0;
  // Parallel search.
  std::size_t floor_ = npos_;           ///< worker: the point of its branch (never backtracks above)
  const std::atomic<bool>* stop_ = nullptr;
  TaskResult result_;
  Hook hook_;
  std::size_t hook_depth_ = 0;
  static constexpr std::size_t npos_ = static_cast<std::size_t>(-1);
  std::string abort_;
  /// Set by load() until the next end(): the execution replays a loaded
  /// path, whose accesses must be the program's (they are refreshed from it:
  /// a checkpoint keeps no labels or source locations).
  bool resuming_ = false;
};

}  // namespace checker::detail
