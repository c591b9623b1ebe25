// interrupt.h: InterruptGuard, SIGINT and SIGTERM turned into a stop request
// for the search of `mmcheck run` while the guard lives.
//
// Invariants: the handler only reads the monotonic clock, stores into
// lock-free atomics, and at a second signal restores the default action and
// raises it (all async-signal-safe). The first signal asks the search to stop
// at its next execution boundary; another one within kSecondSignalGraceNs is
// taken as a copy of it (timeout(1) signals its child and then the child's
// process group); a later one ends the process at once. A signal ignored at construction (a shell's
// background job, nohup) stays ignored. The destructor puts back the actions
// found at construction. At most one guard lives at a time (the flag is process-wide).
#pragma once

#include <atomic>
#include <csignal>

namespace tool {

class InterruptGuard {
 public:
  /// A signal this soon after the first is a copy of it, not a second request.
  static constexpr long long kSecondSignalGraceNs = 500'000'000;

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
