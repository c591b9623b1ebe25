// fuzz_run.cpp: `mmcheck run` on arbitrary bytes as the scenario file, with a
// small budget (16 executions of at most 2000 steps, the first counterexample
// found), through tool::run_cli as main() calls it. Exit 0, 1, 2 or 4 only; exit
// 2 and 4 (unsupported) with exactly one error line; never exit 3 (an internal or
// model error: the model met a state validation should have refused), a crash or a hang.
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <tool/cli.h>

#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/mmcheck-fuzz-run-" + std::to_string(::getpid()) + ".json";
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!f) fuzz::fail("cannot write " + path);
  }
  std::ostringstream out, err;
  int code = tool::run_cli({"run", path, "--max-executions", "16", "--max-steps", "2000", "--first-found",
                            "--format", "json"},
                           out, err);
  const std::string e = err.str();
  if (code == 3) fuzz::fail("exit 3: " + e);
  if (code < 0 || code > 4) fuzz::fail("exit " + std::to_string(code));
  if (code == 2) {
    if (e.rfind("mmcheck: ", 0) != 0 || e.find('\n') != e.size() - 1)
      fuzz::fail("bad input not reported as one line: " + e.substr(0, 2000));
  }
  // Exit 4, unsupported (a path the model does not have, refused at load or met in the run):
  // one line, `unsupported` after the file name, as the README documents.
  if (code == 4 && (e.rfind("mmcheck: ", 0) != 0 || e.find('\n') != e.size() - 1 || e.find(": unsupported") == std::string::npos))
    fuzz::fail("unsupported not reported as one line: " + e.substr(0, 2000));
  return 0;
}
