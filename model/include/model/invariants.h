// invariants.h: the one catalogue of named checks a scenario can pick:
// end-of-run invariants (registered as checker::final_check) and step checks
// (assertions inside kernel paths, switched on per scenario).
//
// Kernel WARN/BUG assertions are not in the catalogue: they are always on,
// as in the kernel.
// Invariant: every name in invariant_catalogue() is handled by install_invariant().
#pragma once

#include <string>
#include <vector>

#include "model/kernel.h"

namespace model {

struct InvariantInfo {
  const char* name;
  const char* description;
  bool end_of_run;  ///< true: checked when every thread has finished; false: a step check
  /// The eras whose model checks it (a step check lives in an era's code path;
  /// an end-of-run check reads only state and usually serves every era).
  EraSet eras;
};

const std::vector<InvariantInfo>& invariant_catalogue();
const InvariantInfo* find_invariant(const std::string& name);

/// Switch on invariant `name` for this execution: register its final check
/// or enable its step check. Call from Program::setup(), after create_objects().
/// `k` must outlive the execution.
void install_invariant(Kernel& k, const std::string& name);

}  // namespace model
