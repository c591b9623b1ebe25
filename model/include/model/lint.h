// lint.h: the static check of a loaded scenario (`mmcheck check`): what can be
// told without running it. Three kinds of findings, each from a rule that
// reads only the validated initial state and the threads' arguments:
//   * free pages: the page allocations the threads may make (first attempts:
//     each COW copy, swap-in copy and migration target once) exceed the free
//     pages the scenario declares on a node;
//   * a thread that can never run: it waits (start_after, after_unmerge_store)
//     for something no thread can do;
//   * an invariant that cannot fire: what it checks never happens in the
//     scenario (no run=2 store for ksm_fully_unmerged, no migration for G1, ...).
//
// Invariant: lint() never runs the scenario and never fails on a scenario
// Scenario::load() accepted; a finding is a warning about the scenario, not an
// input error (those stay with the loader: an unknown start_after event or a
// cycle of waits is refused there).
#pragma once

#include <string>
#include <vector>

#include "model/scenario.h"

namespace model {

struct LintFinding {
  enum class Kind { FreePages, NeverRuns, InvariantCannotFire };
  Kind kind;
  std::string pointer;  ///< JSON pointer of what the finding is about ("/threads/2")
  std::string message;  ///< one line
};

struct LintReport {
  std::vector<LintFinding> findings;
  /// What the check did not judge (an actor without an allocation rule), one line each.
  std::vector<std::string> notes;
};

/// The static findings of a scenario, in a fixed order (free pages by node,
/// then threads by index, then invariants by index).
LintReport lint(const Scenario& scenario);

/// "free-pages", "never-runs", "invariant-cannot-fire".
const char* lint_kind_name(LintFinding::Kind k);

}  // namespace model
