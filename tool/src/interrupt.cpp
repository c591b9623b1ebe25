// interrupt.cpp: InterruptGuard (see interrupt.h).
#include "tool/interrupt.h"

#include <ctime>

namespace tool {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};
std::atomic<bool> g_int_caught{false}, g_term_caught{false};  // the handler is ours
std::atomic<long long> g_first_ns{0};  // CLOCK_MONOTONIC of the first signal, 0 before it
static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free &&
                  std::atomic<long long>::is_always_lock_free,
              "the signal handler needs lock-free atomics");

long long monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);  // async-signal-safe (POSIX)
  return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

extern "C" void on_stop_signal(int signo) {
  const long long now = monotonic_ns();
  long long none = 0;
  if (g_first_ns.compare_exchange_strong(none, now)) {
    InterruptGuard::request(signo);
    return;
  }
  // timeout(1) signals its child and then the child's process group, so one
  // timeout delivers SIGTERM twice within microseconds: a copy inside the
  // grace window is the same request. A later one ends the process at once.
  if (now - none < InterruptGuard::kSecondSignalGraceNs) return;
  std::signal(signo, SIG_DFL);
  std::raise(signo);
}

}  // namespace

InterruptGuard::InterruptGuard(bool install) {
  g_stop.store(false);
  g_signal.store(0);
  g_first_ns.store(0);
  if (!install) return;
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  // A signal ignored on entry (a background job of a shell, nohup) stays ignored.
  sigaction(SIGINT, nullptr, &old_int_);
  sigaction(SIGTERM, nullptr, &old_term_);
  g_int_caught.store(old_int_.sa_handler != SIG_IGN);
  g_term_caught.store(old_term_.sa_handler != SIG_IGN);
  if (g_int_caught.load()) sigaction(SIGINT, &sa, nullptr);
  if (g_term_caught.load()) sigaction(SIGTERM, &sa, nullptr);
  installed_ = true;
}

InterruptGuard::~InterruptGuard() {
  if (!installed_) return;
  if (g_int_caught.load()) sigaction(SIGINT, &old_int_, nullptr);
  if (g_term_caught.load()) sigaction(SIGTERM, &old_term_, nullptr);
  g_int_caught.store(false);
  g_term_caught.store(false);
}

const std::atomic<bool>* InterruptGuard::flag() const { return &g_stop; }

int InterruptGuard::signal_number() const { return g_signal.load(); }

void InterruptGuard::request(int signo) {
  int none = 0;
  g_signal.compare_exchange_strong(none, signo);  // the first signal names the exit code
  g_stop.store(true);
}

}  // namespace tool
