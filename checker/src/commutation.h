// commutation.h: CommutationCheck, the guard against wrong claims of
// independence (Options::check_commutation).
//
// Partial-order reduction explores one order of two independent steps and
// trusts that the other order reaches the same state. After each execution
// of a search, the check takes every pair of steps i < j of two threads on
// related objects (the same object, or one family: a parent and a child, two
// children) where step j could move to just before step i (every step from i
// to j - 1 is of another thread and independent of j: adjacent steps are the
// simplest case), runs the prefix and the steps i..j in both orders (j last,
// or j first), and compares what it sees after them: each step's kind,
// object and label (a refined kind included), what each of the two steps
// noted when it is a read (checker::note: the value it saw), the threads'
// next operations, and Program::state_fingerprint(). Any difference (or step j not enabled
// before step i, or a failure in one order only) is reported as a ModelError
// counterexample naming both steps.
// Invariant: the check only re-runs the Program (setup, threads, teardown);
// it changes nothing in the search it watches, and it is deterministic.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "checker/program.h"
#include "checker/report.h"
#include "execution.h"

namespace checker::detail {

class CommutationCheck {
 public:
  /// Each distinct pair of operations is checked at most `per_pair` times.
  CommutationCheck(Program& program, std::uint64_t max_steps, unsigned per_pair)
      : program_(program), max_steps_(max_steps), per_pair_(per_pair) {}

  /// Check the pairs of the last run of `ex` (up to its failing step).
  /// Returns the counterexample of the first pair that does not commute.
  std::optional<Counterexample> check(const Execution& ex, Stats& stats);

 private:
  Program& program_;
  std::uint64_t max_steps_;
  unsigned per_pair_;
  std::map<std::string, unsigned> seen_;
};

}  // namespace checker::detail
