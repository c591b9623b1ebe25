// random.h: RandomStrategy, a random walk: at every scheduling point a thread
// chosen uniformly among the enabled ones, at every value choice a uniform
// value. For programs too large to exhaust, under an execution or time budget.
//
// Invariant: execution i draws from its own generator, seeded with
// splitmix64(seed + i), never from global state: the same seed gives the same
// executions in the same order on every machine.
#pragma once

#include <cstdint>
#include <random>

#include "strategy.h"

namespace checker::detail {

/// splitmix64: a seed mixer (Steele et al.), for per-execution seeds.
std::uint64_t splitmix64(std::uint64_t x);

class RandomStrategy : public Strategy {
 public:
  explicit RandomStrategy(std::uint64_t seed) : seed_(seed) {}
  void begin() override;
  std::optional<ThreadId> pick_thread(const SchedulingPoint& sp) override;
  std::optional<std::uint32_t> pick_value(std::uint32_t n, ThreadId t) override;
  bool end(const ExecutionEnd& end) override;
  unsigned preemptions() const override { return preemptions_; }
  bool complete() const override { return false; }

 private:
  std::uint64_t seed_;
  std::uint64_t execution_ = 0;
  std::mt19937_64 rng_;
  unsigned preemptions_ = 0;
};

}  // namespace checker::detail
