// random.cpp: RandomStrategy. See random.h.
#include "random.h"

#include <bit>

namespace checker::detail {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

void RandomStrategy::begin() {
  rng_.seed(splitmix64(seed_ + execution_));
  preemptions_ = 0;
}

std::optional<ThreadId> RandomStrategy::pick_thread(const SchedulingPoint& sp) {
  unsigned n = static_cast<unsigned>(std::popcount(sp.enabled));
  unsigned k = static_cast<unsigned>(rng_() % n);
  ThreadMask m = sp.enabled;
  for (unsigned i = 0; i < k; ++i) m &= m - 1;
  ThreadId t = static_cast<ThreadId>(std::countr_zero(m));
  if (sp.previous != kNoThread && ((sp.enabled >> sp.previous) & 1) && t != sp.previous)
    ++preemptions_;
  return t;
}

std::optional<std::uint32_t> RandomStrategy::pick_value(std::uint32_t n, ThreadId) {
  return static_cast<std::uint32_t>(rng_() % n);
}

bool RandomStrategy::end(const ExecutionEnd&) {
  ++execution_;
  return true;  // the budget ends the search
}

}  // namespace checker::detail
