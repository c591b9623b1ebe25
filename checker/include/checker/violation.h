// violation.h: what can go wrong in one execution, as closed enums + a message.
#pragma once

#include <string>
#include <string_view>

#include "checker/ids.h"

namespace checker {

/// How model code classifies a failure it reports with checker::fail().
enum class FailureKind : std::uint8_t {
  BugOn,      ///< a kernel BUG_ON / VM_BUG_ON
  WarnOn,     ///< a kernel WARN_ON / WARN_ON_ONCE
  Assertion,  ///< a model assertion (a postcondition, a step invariant)
  Invariant,  ///< an end-of-execution invariant
  /// Not a failure of the program: the step Options::reach asked for ran (the
  /// execution, ended right after it, is the witness that it is reachable).
  Reached,
};

/// The outcome of one execution, or of a whole search (the first non-Pass one).
enum class Verdict : std::uint8_t {
  Pass,        ///< every execution finished and every check held
  Violation,   ///< model code reported a failure (see FailureKind)
  Deadlock,    ///< no thread enabled while some have not finished
  StepBound,   ///< an execution exceeded max_steps: a suspected livelock
  ModelError,  ///< an exception escaped a simulated thread or a final check
  /// The program reached a path it does not model (checker::unsupported()):
  /// a limit of the model, never a bug of the program modelled.
  Unsupported,
};

std::string_view to_string(FailureKind k);
std::string_view to_string(Verdict v);

/// A failed execution's reason. For Deadlock, `message` lists every waiter.
struct Violation {
  Verdict verdict = Verdict::Pass;
  FailureKind kind = FailureKind::Assertion;  ///< meaningful for Verdict::Violation
  std::string message;
  std::string invariant;        ///< name of the final check or step check (fail_check) that failed, if any
  ThreadId thread = kNoThread;  ///< the thread that failed, if any
  std::size_t step = 0;         ///< index of the step during which it failed
  SourceLoc loc{};
};

}  // namespace checker
