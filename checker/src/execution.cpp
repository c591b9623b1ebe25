// execution.cpp: one run of a Program. See execution.h.
#include "execution.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "dfs.h"

namespace checker::detail {

namespace {
thread_local Execution* tl_current = nullptr;

struct CurrentGuard {
  Execution* saved;
  explicit CurrentGuard(Execution* e) : saved(tl_current) { tl_current = e; }
  ~CurrentGuard() { tl_current = saved; }
};

std::string exception_text(std::exception_ptr p) {
  try {
    std::rethrow_exception(p);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}
}  // namespace

Execution* Execution::current() { return tl_current; }

Execution::Execution(Program& program, Strategy& strategy, std::uint64_t max_steps)
    : program_(program), strategy_(strategy), max_steps_(max_steps) {}

Execution::~Execution() { scheduler_.teardown(); }

void Execution::reset() {
  scheduler_.teardown();
  threads_.clear();
  pending_.clear();
  bodies_.clear();
  object_names_.clear();
  object_parents_.clear();
  lock_holders_.clear();
  final_checks_.clear();
  steps_.clear();
  schedule_.clear();
  violation_ = Violation{};
  failed_ = aborted_ = false;
  fail_steps_ = fail_choices_ = 0;
  fail_preemptions_ = 0;
  unsupported_steps_.clear();
  later_violation_.reset();
  violation_past_unsupported_.reset();
  running_ = previous_ = kNoThread;
  decided_.reset();
  pick_error_ = nullptr;
  stopped_at_mark_ = false;
  reached_ = kNoThread;
  reached_step_ = 0;
  reached_frame_ = nullptr;
  reach_stages_.assign(reach_ ? reach_->after.size() : 0, ReachStage{});
}

ThreadId Execution::spawn(std::string name, std::function<void()> body) {
  if (!in_setup_) fail(Verdict::ModelError, FailureKind::Assertion,
                       "checker::spawn(\"" + name + "\") called outside Program::setup()", {});
  if (threads_.size() >= kMaxThreads)
    fail(Verdict::ModelError, FailureKind::Assertion,
         "too many threads: at most " + std::to_string(kMaxThreads), {});
  ThreadId id = static_cast<ThreadId>(threads_.size());
  threads_.push_back(Thread{std::move(name), false, false, false, Guard{}, false});
  pending_.emplace_back();
  bodies_.push_back(std::move(body));
  return id;
}

ObjectId Execution::new_object(std::string name, ObjectId parent) {
  if (parent != kNoObject &&
      (parent >= object_names_.size() || object_parents_[parent] != kNoObject))
    fail(Verdict::ModelError, FailureKind::Assertion,
         "checker::new_object(\"" + name + "\", parent): the parent " +
             (parent >= object_names_.size() ? std::string("is not an object of this execution")
                                              : object_names_[parent] + " is itself a child"),
         {});
  ObjectId id = static_cast<ObjectId>(object_names_.size());
  object_names_.push_back(std::move(name));
  object_parents_.push_back(parent);
  lock_holders_.push_back(kNoThread);
  return id;
}

ObjectId Execution::new_element(const char* base, std::uint32_t index) {
  const std::size_t id = object_names_.size();
  if (indexed_names_.size() <= id) indexed_names_.resize(id + 1);
  IndexedName& cached = indexed_names_[id];
  if (cached.base != base || cached.index != index) {
    cached.base = base;
    cached.index = index;
    cached.name = std::string(base) + "[" + std::to_string(index) + "]";
  }
  return new_object(cached.name);
}

void Execution::refine(ObjectId child, AccessKind kind, SourceLoc loc, std::uint8_t groups) {
  if (running_ == kNoThread || steps_.empty() || steps_.back().thread != running_)
    fail(Verdict::ModelError, FailureKind::Assertion,
         "checker::refine called outside a step of a simulated thread", loc);
  Access& a = steps_.back().access;
  if (!a.may_refine)
    fail(Verdict::ModelError, FailureKind::Assertion,
         std::string("checker::refine in \"") + a.label +
             "\": the step was not announced refinable (checker::announce_refinable)",
         loc);
  if (child != kNoObject && child != a.object &&
      (child >= object_parents_.size() || object_parents_[child] != a.object))
    fail(Verdict::ModelError, FailureKind::Assertion,
         std::string("checker::refine in \"") + a.label + "\": " + object_name(child) +
             " is not a child of the announced " + object_name(a.object),
         loc);
  if (a.kind == AccessKind::CommutingUpdate && kind == AccessKind::CommutingUpdate &&
      (groups & a.groups) != a.groups)
    fail(Verdict::ModelError, FailureKind::Assertion,
         std::string("checker::refine in \"") + a.label +
             "\": the refined update leaves commutation groups it was announced in",
         loc);
  if (!refinable(a.kind, kind))
    fail(Verdict::ModelError, FailureKind::Assertion,
         std::string("checker::refine in \"") + a.label + "\": " + std::string(to_string(kind)) +
             " is not weaker than the announced " + std::string(to_string(a.kind)),
         loc);
  if (whole_objects_) return;
  if (child != kNoObject && child != a.object) {
    a.parent = a.object;
    a.object = child;
  }
  a.kind = kind;
  a.groups = kind == AccessKind::CommutingUpdate ? groups : std::uint8_t{1};
  strategy_.refined(a);
}

void Execution::final_check(std::string name, std::function<void()> body) {
  final_checks_.push_back(FinalCheck{std::move(name), std::move(body)});
}

const std::string& Execution::object_name(ObjectId id) const {
  static const std::string none = "-";
  return id < object_names_.size() ? object_names_[id] : none;
}

const std::string& Execution::thread_name(ThreadId id) const {
  static const std::string none = "-";
  return id < threads_.size() ? threads_[id].name : none;
}

void Execution::set_lock_holder(ObjectId object, ThreadId holder) {
  if (object < lock_holders_.size()) lock_holders_[object] = holder;
}

void Execution::start_threads() {
  for (ThreadId t = 0; t < threads_.size() && !failed_; ++t) {
    // Capture by index: bodies_ is not resized once threads start.
    scheduler_.create(t, [this, t] { bodies_[t](); });
    running_ = t;
    scheduler_.resume(t);
    running_ = kNoThread;
    after_resume(t);
  }
}

void Execution::after_resume(ThreadId t) {
  // Fast path: a thread that announced its next operation is still running.
  if (threads_[t].has_pending || !scheduler_.finished(t) || threads_[t].finished) return;
  threads_[t].finished = true;
  threads_[t].has_pending = false;
  // The step Options::reach asked for was the thread's last: the run ends after it.
  if (reached_ == t && !failed_)
    record_failure(Verdict::Violation, FailureKind::Reached, reached_message(), {}, t);
  if (auto err = scheduler_.error(t); err && !failed_) {
    failed_ = true;
    violation_.verdict = Verdict::ModelError;
    violation_.message = "exception escaped thread " + threads_[t].name + ": " + exception_text(err);
    violation_.thread = t;
    violation_.step = current_step();
  }
}

Verdict Execution::run() {
  CurrentGuard guard(this);
  reset();
  strategy_.begin();

  in_setup_ = true;
  try {
    program_.setup();
  } catch (const FailureOnEngineStack&) {
  } catch (const std::exception& e) {
    if (!failed_) {
      failed_ = true;
      violation_.verdict = Verdict::ModelError;
      violation_.message = std::string("exception in setup: ") + e.what();
    }
  }
  in_setup_ = false;
  if (!failed_) start_threads();

  // After a violation in a thread, a strategy may ask for the other threads to
  // run on (continue_after_violation_, and continue_after_unsupported_ after
  // an unmodelled path); the outcome stays the thread's failure.
  auto continuing = [this] {
    return fail_steps_ != 0 && !aborted_ &&
           ((continue_after_violation_ && violation_.verdict == Verdict::Violation) ||
            (continue_after_unsupported_ && violation_.verdict == Verdict::Unsupported));
  };
  while (!failed_ || continuing()) {
    std::optional<ThreadId> pick;
    if (decided_) {
      // The last thread decided this step on its own stack (announce()).
      pick = *std::exchange(decided_, std::nullopt);
    } else {
      if (steps_.size() == stop_after_ && !failed_) {
        stopped_at_mark_ = true;
        if (observe_) observe_();
        failed_ = aborted_ = true;
        violation_.verdict = Verdict::ModelError;
        violation_.message = "stopped after step " + std::to_string(stop_after_);
        violation_.step = steps_.size();
        break;
      }
      const Masks m = masks();
      if (m.enabled == 0) {
        if (failed_) break;
        // Only idle waits left (daemons asleep): a normal end, not a deadlock.
        if (m.busy_waiting != 0) describe_deadlock(m.waiting);
        else run_final_checks();
        break;
      }
      if (failed_ && steps_.size() >= max_steps_) break;
      if (steps_.size() >= max_steps_) {
        failed_ = true;
        violation_.verdict = Verdict::StepBound;
        violation_.message = "step bound of " + std::to_string(max_steps_) +
                             " exceeded: suspected livelock";
        violation_.step = steps_.size();
        break;
      }
      SchedulingPoint sp{steps_.size(), m.enabled, m.waiting, previous_, pending_, failed_};
      pick = strategy_.pick_thread(sp);
    }
    if (!pick && failed_) break;
    if (!pick) {
      failed_ = aborted_ = true;
      violation_.verdict = Verdict::ModelError;
      violation_.message = strategy_.abort_reason();
      violation_.step = steps_.size();
      break;
    }
    const ThreadId t = *pick;
    begin_step(t);
    running_ = t;
    scheduler_.resume(t);
    running_ = kNoThread;
    after_resume(t);
    if (pick_error_) std::rethrow_exception(std::exchange(pick_error_, nullptr));
  }

  scheduler_.teardown();
  program_.teardown();
  if (later_violation_) {
    std::vector<bool> past = causal_past(*later_violation_);
    if (std::none_of(unsupported_steps_.begin(), unsupported_steps_.end(),
                     [&](std::size_t u) { return past[u]; }))
      violation_past_unsupported_ = schedule_of(past);
  }
  if (fail_steps_ != 0 && steps_.size() > fail_steps_) {
    steps_.resize(fail_steps_);  // the record ends at the violation
    schedule_.resize(fail_choices_);
  }
  return failed_ ? violation_.verdict : Verdict::Pass;
}

Execution::Masks Execution::masks() const {
  Masks m;
  for (ThreadId t = 0; t < threads_.size(); ++t) {
    const Thread& th = threads_[t];
    if (!th.has_pending) continue;
    if (th.ready()) {
      m.enabled |= ThreadMask{1} << t;
    } else {
      m.waiting |= ThreadMask{1} << t;
      if (!th.idle) m.busy_waiting |= ThreadMask{1} << t;
    }
  }
  return m;
}

void Execution::begin_step(ThreadId t) {
  if (t >= threads_.size() || !threads_[t].has_pending || !threads_[t].ready()) {
    std::fprintf(stderr, "internal error: strategy picked thread %u, not enabled\n", t);
    std::abort();
  }
  schedule_.push_back(Choice{Choice::Kind::Thread, t, 0});
  steps_.push_back(StepRecord{t, pending_[t], {}});
  if (names_) {
    if (pending_[t].label) names_->insert(pending_[t].label);
    names_->insert(threads_[t].frames.begin(), threads_[t].frames.end());
  }
  if (reach_ && pending_[t].label) {  // one pointer test per step without Options::reach
    if (!reach_stages_.empty()) reach_after_step(t);
    if (!reach_label_seen_ && reach_match(t, /*any_thread=*/true)) reach_label_seen_ = true;
    if (reached_ == kNoThread && !failed_ && reach_after_done(t)) {
      if (const char* m = reach_match(t, /*any_thread=*/false)) {
        reached_ = t;
        reached_step_ = steps_.size() - 1;
        reached_frame_ = m == pending_[t].label ? nullptr : m;
      }
    }
  }
  threads_[t].has_pending = false;
  threads_[t].ready = Guard{};
  threads_[t].idle = false;
  previous_ = t;
}

bool Execution::decide_on_fiber(ThreadId t) {
  // Only the plain case: whatever else (a stop mark, the step bound, no thread
  // enabled, a failure) is for the engine's loop, on the engine's stack.
  // (Not while the threads are started: their first announces come before step 0.)
  if (failed_ || steps_.empty() || steps_.size() == stop_after_ || steps_.size() >= max_steps_)
    return false;
  const Masks m = masks();
  if (m.enabled == 0) return false;
  SchedulingPoint sp{steps_.size(), m.enabled, m.waiting, previous_, pending_, false};
  try {
    decided_ = strategy_.pick_thread(sp);
  } catch (...) {
    // Rethrown by the engine's loop, not taken for an exception of the thread.
    decided_.reset();
    pick_error_ = std::current_exception();
    return false;
  }
  if (*decided_ != t) return false;
  decided_.reset();
  begin_step(t);
  return true;
}

std::vector<bool> Execution::causal_past(std::size_t step) const {
  auto as_ran = [](Access a) {
    const bool blocking = a.kind == AccessKind::Wait || a.kind == AccessKind::LockAcquire ||
                          a.kind == AccessKind::LockAcquireShared || a.kind == AccessKind::LockRelease ||
                          a.kind == AccessKind::LockReleaseShared;
    if (a.may_refine && !blocking) {
      if (a.parent != kNoObject) a.object = a.parent;
      a.parent = kNoObject;
      a.kind = AccessKind::ReadModifyWrite;
    }
    return a;
  };
  std::vector<bool> in(step + 1, false);
  std::vector<Access> kept{as_ran(steps_[step].access)};
  std::vector<ThreadId> kept_threads{steps_[step].thread};
  in[step] = true;
  for (std::size_t i = step; i-- > 0;) {
    const Access a = as_ran(steps_[i].access);
    for (std::size_t j = 0; j < kept.size() && !in[i]; ++j)
      in[i] = kept_threads[j] == steps_[i].thread || dependent(a, kept[j]);
    if (in[i]) {
      kept.push_back(a);
      kept_threads.push_back(steps_[i].thread);
    }
  }
  return in;
}

Schedule Execution::schedule_of(const std::vector<bool>& steps) const {
  Schedule out;
  std::size_t step = 0;
  bool keep = true;  // the choices before the first step
  for (const Choice& c : schedule_) {
    if (c.kind == Choice::Kind::Thread) {
      keep = step < steps.size() && steps[step];
      ++step;
    }
    if (keep) out.push_back(c);
  }
  return out;
}

ThreadMask Execution::pending_mask() const {
  ThreadMask m = 0;
  for (ThreadId t = 0; t < threads_.size(); ++t)
    if (threads_[t].has_pending) m |= ThreadMask{1} << t;
  return m;
}

void Execution::describe_deadlock(ThreadMask waiting) {
  failed_ = true;
  violation_.verdict = Verdict::Deadlock;
  violation_.step = steps_.size();
  std::string msg = "deadlock:";
  const char* sep = " ";
  for (ThreadId t = 0; t < threads_.size(); ++t) {
    if (!(waiting & (ThreadMask{1} << t))) continue;
    const Access& a = pending_[t];
    msg += sep;
    msg += threads_[t].name + " waits in " + a.label + " on " + object_name(a.object);
    if (a.object < lock_holders_.size() && lock_holders_[a.object] != kNoThread)
      msg += " (held by " + threads_[lock_holders_[a.object]].name + ")";
    sep = "; ";
  }
  violation_.message = std::move(msg);
}

void Execution::run_final_checks() {
  for (FinalCheck& fc : final_checks_) {
    violation_.invariant = fc.name;
    try {
      fc.body();
    } catch (const FailureOnEngineStack&) {
      return;
    } catch (const std::exception& e) {
      failed_ = true;
      violation_.verdict = Verdict::ModelError;
      violation_.message = "exception in final check " + fc.name + ": " + e.what();
      return;
    }
  }
  violation_.invariant.clear();
  try {
    program_.at_end();
  } catch (const FailureOnEngineStack&) {
  } catch (const std::exception& e) {
    failed_ = true;
    violation_.verdict = Verdict::ModelError;
    violation_.message = std::string("exception in Program::at_end: ") + e.what();
  }
}

void Execution::announce(const Access& a, Guard ready, bool idle) {
  ThreadId t = running_;
  // The step Options::reach asked for has run (this announce ends it): the witness is complete.
  if (reached_ != kNoThread && reached_ == t && !failed_)
    fail(Verdict::Violation, FailureKind::Reached, reached_message(), a.loc);
  if (t == kNoThread)
    fail(Verdict::ModelError, FailureKind::Assertion,
         std::string("announce(\"") + a.label + "\") called outside a simulated thread", a.loc);
  if (a.object == kNoObject ? a.kind != AccessKind::Yield : a.object >= object_names_.size())
    fail(Verdict::ModelError, FailureKind::Assertion,
         std::string("announce(\"") + a.label +
             "\") on an object this execution did not create (a Shared or SharedArray not reset() in "
             "Program::setup()?)",
         a.loc);
  pending_[t] = a;
  if (a.object < object_parents_.size()) pending_[t].parent = object_parents_[a.object];
  if (whole_objects_) {
    Access& p = pending_[t];
    if (p.parent != kNoObject) p.object = std::exchange(p.parent, kNoObject);
    if (p.kind == AccessKind::CommutingUpdate) p.kind = AccessKind::ReadModifyWrite;
  }
  threads_[t].ready = ready;
  threads_[t].idle = idle && ready;
  threads_[t].has_pending = true;
  // Most steps are followed by another step of the same thread: decided here,
  // it begins without two switches through the engine's stack.
  if (decide_on_fiber(t)) return;
  scheduler_.yield(t);
}

std::uint32_t Execution::choose(std::uint32_t n, const char* label) {
  if (n == 0) fail(Verdict::ModelError, FailureKind::Assertion,
                   std::string("choose(0) at \"") + label + "\"", {});
  std::optional<std::uint32_t> v = strategy_.pick_value(n, running_);
  if (!v) {
    aborted_ = true;
    fail(Verdict::ModelError, FailureKind::Assertion, strategy_.abort_reason(), {});
  }
  schedule_.push_back(Choice{Choice::Kind::Value, *v, n});
  if (notes_ && n > 1 && running_ != kNoThread)
    note(std::string(label) + "=" + std::to_string(*v));
  return *v;
}

void Execution::note(std::string_view text) {
  if (!notes_ || steps_.empty() || running_ == kNoThread || steps_.back().thread != running_) return;
  std::string& n = steps_.back().note;
  if (!n.empty()) n += "; ";
  n += text;
  if (!reach_stages_.empty()) reach_after_note(text);
  if (reach_ && reach_->matches_note(text)) {  // Options::reach asks for a note
    reach_label_seen_ = true;
    if (reached_ == kNoThread && !failed_ && reach_after_done(running_) &&
        (reach_->thread.empty() || threads_[running_].name == reach_->thread)) {
      reached_ = running_;
      reached_step_ = steps_.size() - 1;
      reached_frame_ = nullptr;
    }
  }
}

void Execution::fail(Verdict v, FailureKind kind, std::string message, SourceLoc loc, std::string invariant) {
  if (running_ != kNoThread && !steps_.empty()) {
    if (v == Verdict::Unsupported) {
      unsupported_steps_.push_back(steps_.size() - 1);
    } else if (failed_ && v == Verdict::Violation && violation_.verdict == Verdict::Unsupported &&
               !later_violation_) {
      later_violation_ = steps_.size() - 1;
    }
  }
  if (!failed_) {
    record_failure(v, kind, std::move(message), loc, running_);
    if (!invariant.empty()) violation_.invariant = std::move(invariant);  // (a final check set its own)
  }
  if (running_ == kNoThread) throw FailureOnEngineStack{};
  stop_thread_forever();
}

void Execution::record_failure(Verdict v, FailureKind kind, std::string message, SourceLoc loc, ThreadId t) {
  failed_ = true;
  violation_.verdict = v;
  violation_.kind = kind;
  violation_.message = std::move(message);
  violation_.thread = t;
  violation_.step = current_step();
  violation_.loc = loc;
  if (t != kNoThread) {
    fail_steps_ = steps_.size();
    fail_choices_ = schedule_.size();
    fail_preemptions_ = strategy_.preemptions();
  }
}

const char* Execution::reach_match(ThreadId t, bool any_thread) const { return stage_match(*reach_, t, any_thread); }

const char* Execution::stage_match(const ReachTarget& target, ThreadId t, bool any_thread) const {
  if (!any_thread && !target.thread.empty() && threads_[t].name != target.thread) return nullptr;
  if (target.matches_label(pending_[t].label)) return pending_[t].label;
  const std::vector<const char*>& frames = threads_[t].frames;
  for (auto it = frames.rbegin(); it != frames.rend(); ++it)
    if (target.matches_label(*it)) return *it;
  return nullptr;
}

void Execution::ReachStage::add(ThreadId t, std::size_t step, bool by_dependence, const Access& a) {
  if (since2.size() <= t) since2.resize(t + 1, npos);
  if (since2[t] == npos) since2[t] = by_dependence ? 2 * step - 1 : 2 * step;
  for (const Access& b : accesses)
    if (b.object == a.object && b.kind == a.kind && b.groups == a.groups) return;
  accesses.push_back(a);
}

void Execution::reach_after_step(ThreadId t) {
  const std::size_t step = steps_.size() - 1;
  const Access& a = steps_.back().access;
  for (std::size_t k = 0; k < reach_stages_.size(); ++k) {
    ReachStage& st = reach_stages_[k];
    if (!(reach_after_seen_ & (1u << k)) && stage_match(reach_->after[k], t, /*any_thread=*/true))
      reach_after_seen_ |= 1u << k;
    if (st.joined(t))
      st.add(t, step, false, a);  // program order: the thread's later steps are after it
    else if (std::any_of(st.accesses.begin(), st.accesses.end(), [&a](const Access& b) { return dependent(a, b); }))
      st.add(t, step, true, a);  // ordered after a dependent step that is after a match
    else if ((k == 0 || reach_stages_[k - 1].after(t, step)) && stage_match(reach_->after[k], t, false))
      st.add(t, step, false, a);  // a match of this stage, after the previous one's
  }
}

void Execution::reach_after_note(std::string_view text) {
  const ThreadId t = running_;
  const std::size_t step = steps_.size() - 1;
  for (std::size_t k = 0; k < reach_stages_.size(); ++k) {
    const ReachTarget& target = reach_->after[k];
    if (!target.matches_note(text)) continue;
    reach_after_seen_ |= 1u << k;
    if (!target.thread.empty() && threads_[t].name != target.thread) continue;
    if (k > 0 && !reach_stages_[k - 1].after(t, step)) continue;
    reach_stages_[k].add(t, step, false, steps_.back().access);
  }
}

std::string Execution::reached_message() const {
  const std::string step = "step " + std::to_string(reached_step_);
  std::string after;  // a chained target: ", after X" (latest first)
  for (auto it = reach_->after.rbegin(); it != reach_->after.rend(); ++it) after += ", after " + it->text();
  if (reach_->in_note)
    return threads_[reached_].name + " reached a note containing \"" + reach_->label + "\" (" + step + ": " +
           steps_[reached_step_].access.label + after + ")";
  if (reached_frame_)  // a step inside the function asked for (checker::Frame)
    return threads_[reached_].name + " reached " + reached_frame_ + " (" + step + ": " +
           steps_[reached_step_].access.label + after + ")";
  return threads_[reached_].name + " reached " + steps_[reached_step_].access.label + " (" + step + after + ")";
}

void Execution::stop_thread_forever() {
  ThreadId t = running_;
  threads_[t].stopped = true;
  threads_[t].has_pending = false;
  for (;;) scheduler_.yield(t);  // never resumed; teardown unwinds this stack
}

Counterexample Execution::take_counterexample() {
  Counterexample c;
  c.violation = violation_;
  c.schedule = schedule_;
  c.log = take_log();
  c.preemptions = preemptions();
  return c;
}

StepLog Execution::take_log() {
  StepLog log;
  for (const Thread& t : threads_) log.thread_names.push_back(t.name);
  log.object_names = object_names_;
  log.steps = std::move(steps_);
  steps_.clear();
  return log;
}

RunKind classify_run(const Strategy& strategy, Verdict v, const Execution& ex) {
  if (strategy.last_was_redundant() && v != Verdict::Violation && v != Verdict::Unsupported)
    return RunKind::SleepBlocked;
  if (strategy.last_repeats_previous(ex.failure_step())) return RunKind::PostFailure;
  return RunKind::Execution;
}

bool count_failure(Program& program, Execution& ex, Verdict v, const Options& options, Report& report,
                   bool counted) {
  if (v == Verdict::Pass) return false;
  if (v == Verdict::Unsupported && options.past_unsupported) {
    if (counted) {
      ++report.stats.unsupported_executions;
      if (!report.unsupported) report.unsupported = recorded_counterexample(program, ex, options.max_steps);
    }
    if (report.counterexample || !ex.violation_past_unsupported()) return false;
    // A violation independent of every unmodelled path the run reached: its
    // causal past alone is an execution that fails with it.
    std::optional<Counterexample> c =
        replay_failure(program, *ex.violation_past_unsupported(), Verdict::Violation, options.max_steps,
                       options.reach ? &*options.reach : nullptr);
    if (!c)
      throw std::logic_error("a violation after an unmodelled path, run again as its causal past alone, "
                             "did not fail with it (a claim of commutation is wrong: "
                             "Options::check_commutation finds which)");
    report.verdict = Verdict::Violation;
    report.counterexample = std::move(c);
    return options.stop_on_first;
  }
  if (!counted) return false;
  if (report.counterexample) return false;
  report.verdict = v;
  report.counterexample = recorded_counterexample(program, ex, options.max_steps);
  return options.stop_on_first;
}

std::optional<Counterexample> replay_failure(Program& program, const Schedule& schedule, Verdict verdict,
                                             std::uint64_t max_steps, const ReachTarget* reach) {
  ReplayStrategy replay(schedule);
  Execution ex(program, replay, max_steps);
  ex.set_reach(reach);
  if (ex.run() != verdict || ex.aborted() || replay.unused() != 0) return std::nullopt;
  return ex.take_counterexample();
}

void settle_unsupported(Report& report) {
  if (report.verdict != Verdict::Pass || !report.unsupported) return;
  report.verdict = Verdict::Unsupported;
  report.counterexample = report.unsupported;
}

Counterexample recorded_counterexample(Program& program, Execution& ex, std::uint64_t max_steps) {
  Counterexample c = ex.take_counterexample();
  if (ex.notes() || ex.aborted()) return c;
  ReplayStrategy replay(c.schedule);
  Execution rx(program, replay, max_steps);
  rx.set_reach(ex.reach());
  rx.run();
  const Violation& v = rx.violation();
  if (v.verdict != c.violation.verdict || v.step != c.violation.step ||
      v.message != c.violation.message) {
    // Reported by the CLI as "internal error:" (a nondeterministic program
    // is caught earlier, by the search strategy itself).
    throw std::logic_error("the failing schedule, run again with notes, ended in \"" + v.message +
                           "\" at step " + std::to_string(v.step) + ", not \"" +
                           c.violation.message + "\" at step " +
                           std::to_string(c.violation.step));
  }
  c.log = rx.take_log();
  return c;
}

}  // namespace checker::detail
