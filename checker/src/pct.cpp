// pct.cpp: PctStrategy. See pct.h.
#include "pct.h"

#include <algorithm>
#include <bit>

#include "random.h"

namespace checker::detail {

void PctStrategy::begin() {
  rng_.seed(splitmix64(seed_ + execution_));
  priority_.clear();
  change_.clear();
  for (unsigned i = 1; i < depth_; ++i) change_.push_back(rng_() % k_);
  std::sort(change_.begin(), change_.end());
  changes_done_ = 0;
  preemptions_ = 0;
}

std::optional<ThreadId> PctStrategy::pick_thread(const SchedulingPoint& sp) {
  // Threads get their random initial priority when first seen; the values are
  // depth_ + a random 32-bit key, so change-point priorities (1..d-1) are lower.
  for (ThreadMask m = sp.enabled | sp.waiting; m; m &= m - 1) {
    ThreadId t = static_cast<ThreadId>(std::countr_zero(m));
    if (t >= priority_.size()) priority_.resize(t + 1, 0);
    if (priority_[t] == 0) priority_[t] = depth_ + 1 + (rng_() >> 32);
  }
  auto best = [&] {
    ThreadId b = kNoThread;
    for (ThreadMask m = sp.enabled; m; m &= m - 1) {
      ThreadId t = static_cast<ThreadId>(std::countr_zero(m));
      if (b == kNoThread || priority_[t] > priority_[b]) b = t;
    }
    return b;
  };
  ThreadId t = best();
  while (changes_done_ < change_.size() && change_[changes_done_] <= sp.step) {
    priority_[t] = depth_ - ++changes_done_;  // the i-th change point: priority d - i
    t = best();
  }
  if (sp.previous != kNoThread && ((sp.enabled >> sp.previous) & 1) && t != sp.previous)
    ++preemptions_;
  return t;
}

std::optional<std::uint32_t> PctStrategy::pick_value(std::uint32_t n, ThreadId) {
  return static_cast<std::uint32_t>(rng_() % n);
}

bool PctStrategy::end(const ExecutionEnd& end) {
  ++execution_;
  k_ = std::max(k_, end.steps);
  return true;  // the budget ends the search
}

}  // namespace checker::detail
