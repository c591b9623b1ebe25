// execution.h: the state of one run: threads, their pending accesses, objects,
// the step log and the schedule. Drives the Scheduler (mechanics) with the
// decisions of a Strategy (policy) and records what happened.
//
// Invariant: at most one simulated thread runs at a time; while it runs,
// running_ names it and steps_.back() is the step it is performing.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "checker/api.h"
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
  /// True when the strategy aborted the run (divergence).
  bool aborted() const { return aborted_; }

  /// The execution running on this OS thread, or null.
  static Execution* current();

  // Implementation of api.h.
  ThreadId spawn(std::string name, std::function<void()> body);
  ObjectId new_object(std::string name);
  void final_check(std::string name, std::function<void()> body);
  void announce(const Access& a, Guard ready);
  std::uint32_t choose(std::uint32_t n, const char* label);
  void note(std::string_view text);
  [[noreturn]] void fail(Verdict v, FailureKind kind, std::string message, SourceLoc loc);
  ThreadId running() const { return running_; }
  const std::string& object_name(ObjectId id) const;
  const std::string& thread_name(ThreadId id) const;
  void set_lock_holder(ObjectId object, ThreadId holder);
  std::size_t current_step() const { return steps_.empty() ? 0 : steps_.size() - 1; }

 private:
  struct Thread {
    std::string name;
    bool finished = false;
    bool has_pending = false;
    bool stopped = false;  ///< failed or aborted: never resumed again
    Guard ready;
  };
  struct FinalCheck {
    std::string name;
    std::function<void()> body;
  };

  void reset();
  void start_threads();
  void after_resume(ThreadId t);
  void run_final_checks();
  [[noreturn]] void stop_thread_forever();  // from inside a fiber
  void describe_deadlock(ThreadMask waiting);

  Program& program_;
  Strategy& strategy_;
  std::uint64_t max_steps_;
  Scheduler scheduler_;

  std::vector<Thread> threads_;
  std::vector<Access> pending_;  ///< by ThreadId, parallel to threads_
  std::vector<std::function<void()>> bodies_;
  std::vector<std::string> object_names_;
  std::vector<ThreadId> lock_holders_;  ///< by ObjectId
  std::vector<FinalCheck> final_checks_;
  std::vector<StepRecord> steps_;
  Schedule schedule_;
  Violation violation_;
  bool failed_ = false;
  bool aborted_ = false;
  bool in_setup_ = false;
  ThreadId running_ = kNoThread;
  ThreadId previous_ = kNoThread;
};

/// Thrown on the engine's own stack by fail() in setup() or a final check.
struct FailureOnEngineStack {};

}  // namespace checker::detail
