// main.cpp: the mmcheck executable; everything else lives in the tool library.
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>

#include "tool/cli.h"

int main(int argc, char** argv) {
  tool::CliEnvironment env;
  const char* ci = std::getenv("CI");
  env.progress = isatty(STDERR_FILENO) && !(ci && std::strcmp(ci, "true") == 0);
  env.handle_signals = true;
  std::vector<std::string> args(argv + 1, argv + argc);
  return tool::run_cli(std::move(args), std::cout, std::cerr, env);
}
