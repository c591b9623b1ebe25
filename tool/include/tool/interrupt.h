// interrupt.h: InterruptGuard, SIGINT and SIGTERM turned into a stop request
// for the search of `mmcheck run` while the guard lives.
//
// Invariants: the handler only stores into lock-free atomics and restores the
// default actions of both signals (all async-signal-safe), so the first
// signal asks the search to stop at its next execution boundary and a second
// one ends the process at once. A signal ignored at construction (a shell's
// background job, nohup) stays ignored. The destructor puts back the actions
// found at construction. At most one guard lives at a time (the flag is process-wide).
#pragma once

#include <atomic>
#include <csignal>

namespace tool {

class InterruptGuard {
 public:
  /// With `install` false nothing is installed (in-process callers, tests):
  /// the guard's flag stays false unless request() is called.
  explicit InterruptGuard(bool install);
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  /// The flag for checker::Options::stop_requested.
  const std::atomic<bool>* flag() const;
  /// The signal that set the flag (SIGINT, SIGTERM), 0 when none came.
  int signal_number() const;
  /// What the handler does for `signo`, without a signal (tests).
  static void request(int signo);

 private:
  bool installed_ = false;
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

}  // namespace tool
