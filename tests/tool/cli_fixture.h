// cli_fixture.h: running the mmcheck command line in-process for the tool
// tests: tool::run_cli with the exit code and what it wrote to each stream.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include <tool/cli.h>

namespace tool_test {

struct Result {
  int code;
  std::string out, err;
};

inline Result cli(std::vector<std::string> args) {
  std::ostringstream out, err;
  int code = tool::run_cli(std::move(args), out, err);
  return {code, out.str(), err.str()};
}

}  // namespace tool_test
