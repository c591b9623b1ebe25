// pct.h: PctStrategy, probabilistic concurrency testing (Burckhardt, Kothari,
// Musuvathi, Nagarakatte, ASPLOS 2010). Each execution gives the threads
// distinct random priorities d, d+1, ... and picks d - 1 change points among
// the first k steps; the enabled thread with the highest priority runs, and at
// the i-th change point the running thread's priority drops to d - i (below every
// initial one). A bug of depth d is found with probability at least
// 1 / (n k^(d-1)) per execution. k is the longest execution seen so far.
//
// Invariant: as RandomStrategy, execution i draws only from a generator seeded
// with splitmix64(seed + i).
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "strategy.h"

namespace checker::detail {

class PctStrategy : public Strategy {
 public:
  PctStrategy(std::uint64_t seed, unsigned depth) : seed_(seed), depth_(depth ? depth : 1) {}
  void begin() override;
  std::optional<ThreadId> pick_thread(const SchedulingPoint& sp) override;
  std::optional<std::uint32_t> pick_value(std::uint32_t n, ThreadId t) override;
  bool end(const ExecutionEnd& end) override;
  unsigned preemptions() const override { return preemptions_; }
  bool complete() const override { return false; }

 private:
  std::uint64_t seed_;
  unsigned depth_;
  std::uint64_t execution_ = 0;
  std::size_t k_ = 16;                   ///< steps to place change points in
  std::mt19937_64 rng_;
  std::vector<std::uint64_t> priority_;  ///< by ThreadId, assigned on first sight
  std::vector<std::size_t> change_;      ///< sorted change-point steps
  std::size_t changes_done_ = 0;
  unsigned preemptions_ = 0;
};

}  // namespace checker::detail
