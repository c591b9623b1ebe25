// cli.h: the mmcheck command line, callable in-process (main() only forwards).
//
// Invariants: run_cli never throws and never exits the process; it returns
// one of the ExitCode values (errors.h); every error is one line on `err`
// starting with "mmcheck: "; results go to `out`.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace tool {

struct CliEnvironment {
  /// Show a live progress line on `err` during long searches (main() sets it
  /// when stderr is a terminal and CI is not "true").
  bool progress = false;
  /// During `run`'s search, catch SIGINT and SIGTERM (main() sets it): the
  /// first ends the search at its next execution, prints what it found so far
  /// and returns 128 + the signal's number; a second ends the process at once.
  bool handle_signals = false;
};

/// Run mmcheck with `args` (without the program name), e.g. {"run", "x.json"}.
int run_cli(std::vector<std::string> args, std::ostream& out, std::ostream& err,
            const CliEnvironment& env = {});

}  // namespace tool
