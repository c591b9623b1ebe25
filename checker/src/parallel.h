// parallel.h: ParallelSearch, DPOR on Options::jobs OS threads that explores
// exactly the executions of the sequential search, in effect in the same order.
//
// The master runs the sequential DPOR search. Idle workers take "tasks": a
// wakeup-tree branch waiting at a shallow point of the master's path, with the
// sleep sets the master will have when it gets there, explored on the worker's
// own Program and strategy; what that exploration would change above its
// branch (wakeup-tree insertions) is recorded, not applied. When the master
// reaches the branch it checks the task saw the same branch and the same sleep
// sets; if so it takes the task's executions, counts and first counterexample
// in place of exploring the branch, and applies the recorded insertions; if not
// it explores the branch itself. While it waits for a task it runs queued ones
// and counts as idle, so the explorer of that task (on another thread) hands it
// branches of its own: every explorer, the master's or a task's, splits its
// path the same way, shallowest branch first, one at a time to idle threads.
//
// Invariant: the master accepts task results in the order the sequential
// search would have explored their branches, so counts, verdict and the first
// counterexample equal those of jobs = 1. With stop_on_first, an explorer that
// takes a task result holding a failure takes no result ordered after it in the
// same backtrack (several branches can be finished by tasks in one end()) and
// counts nothing after it: exactly the executions the sequential search runs
// before its first failure. Only budgets (max_executions, time) may end a
// parallel search at a different point.
#pragma once

#include "checker/explorer.h"

namespace checker::detail {

class ParallelSearch {
 public:
  ParallelSearch(const ProgramFactory& factory, const Options& options);
  Report run();

 private:
  const ProgramFactory& factory_;
  const Options& options_;
};

}  // namespace checker::detail
