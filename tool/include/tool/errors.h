// errors.h: the exit codes of mmcheck and the errors that map onto them.
//
// Invariant: every failure the CLI reports is one line on stderr starting with
// "mmcheck: " and ends the command with exactly one of these codes. Bad input
// (files, JSON, usage) is 2; only engine or tool bugs are 3 and say
// "internal error:".
#pragma once

#include <stdexcept>
#include <string>

namespace tool {

enum ExitCode : int {
  kExitOk = 0,          ///< no violation / every expectation met
  kExitViolation = 1,   ///< a violation was found / an expectation was missed
  kExitBadInput = 2,    ///< bad input or usage (files, JSON, options, stale traces)
  kExitInternal = 3,    ///< an internal error (engine or tool bug) or a model error
  kExitUnsupported = 4, ///< the scenario reached a kernel path the model does not have (a model limit)
};

/// Bad input that has no JSON location: a missing path, a directory given as a
/// file, an unusable option. what() is the whole line after "mmcheck: ".
class BadInput : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Throws BadInput unless `path` names an existing regular file.
/// `what` says what it should be ("scenario", "trace") for the message.
void require_file(const std::string& path, const char* what);

}  // namespace tool
