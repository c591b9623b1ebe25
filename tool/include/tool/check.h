// check.h: `mmcheck check SCENARIO`, the static findings of a scenario
// (model::lint) printed one line each.
//
// Invariant: a finding is printed as "mmcheck: FILE: at /json/pointer: what"
// on the output stream (it is the command's result, not an error); the exit
// code is kExitOk with no finding and kExitViolation with one or more; a
// scenario the loader refuses never gets here (kExitBadInput, from run_cli).
#pragma once

#include <ostream>
#include <string>

#include <model/scenario.h>

namespace tool {

/// Print the findings of `scenario` (loaded from `file`) in `format` ("text"
/// or "json"); return the exit code.
int print_check(const model::Scenario& scenario, const std::string& file, const std::string& format,
                std::ostream& out);

}  // namespace tool
