// step.h: the human record of one step of an execution.
#pragma once

#include <string>
#include <vector>

#include "checker/access.h"

namespace checker {

/// One scheduled operation: who ran, what they announced, and the notes the
/// model attached while performing it (state changes such as a pte transition).
struct StepRecord {
  ThreadId thread = kNoThread;
  Access access{};
  std::string note;  ///< "; "-joined notes from checker::note() during the step
};

/// Names resolved at the end of an execution, so a step log reads on its own.
struct StepLog {
  std::vector<std::string> thread_names;  ///< by ThreadId
  std::vector<std::string> object_names;  ///< by ObjectId
  std::vector<StepRecord> steps;
};

}  // namespace checker
