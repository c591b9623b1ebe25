// interrupt.cpp: InterruptGuard (see interrupt.h).
#include "tool/interrupt.h"

namespace tool {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};
std::atomic<bool> g_int_caught{false}, g_term_caught{false};  // the handler is ours
static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free,
              "the signal handler needs lock-free atomics");

extern "C" void on_stop_signal(int signo) {
  // A second signal of either kind ends the process at once.
  if (g_int_caught.load()) std::signal(SIGINT, SIG_DFL);
  if (g_term_caught.load()) std::signal(SIGTERM, SIG_DFL);
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
