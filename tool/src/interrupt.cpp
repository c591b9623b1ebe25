// interrupt.cpp: InterruptGuard (see interrupt.h).
#include "tool/interrupt.h"

namespace tool {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};
static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free,
              "the signal handler needs lock-free atomics");

extern "C" void on_stop_signal(int signo) {
  // A second signal of either kind ends the process at once.
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  InterruptGuard::request(signo);
}

}  // namespace

InterruptGuard::InterruptGuard(bool install) {
  g_stop.store(false);
  g_signal.store(0);
  if (!install) return;
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  sigaction(SIGINT, &sa, &old_int_);
  sigaction(SIGTERM, &sa, &old_term_);
  installed_ = true;
}

InterruptGuard::~InterruptGuard() {
  if (!installed_) return;
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
}

const std::atomic<bool>* InterruptGuard::flag() const { return &g_stop; }

int InterruptGuard::signal_number() const { return g_signal.load(); }

void InterruptGuard::request(int signo) {
  int none = 0;
  g_signal.compare_exchange_strong(none, signo);  // the first signal names the exit code
  g_stop.store(true);
}

}  // namespace tool
