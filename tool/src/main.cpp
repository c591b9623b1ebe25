// main.cpp: the mmcheck executable; everything else lives in the tool library.
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>

#include <fstream>

#include <checker/cluster.h>

#include "tool/cli.h"

int main(int argc, char** argv) {
  // Under mpirun or srun: one process of a distributed search (a no-op otherwise).
  try {
    checker::Cluster::join(&argc, &argv);
  } catch (const std::exception& e) {
    std::cerr << "mmcheck: " << e.what() << "\n";
    return 3;
  }
  tool::CliEnvironment env;
  const char* ci = std::getenv("CI");
  const bool rank0 = checker::Cluster::rank() == 0;
  env.progress = rank0 && isatty(STDERR_FILENO) && !(ci && std::strcmp(ci, "true") == 0);
  env.handle_signals = true;
  std::vector<std::string> args(argv + 1, argv + argc);
  // Rank 0 reports; the other processes of a distributed search print
  // nothing but their own errors.
  std::ofstream quiet;
  int code = tool::run_cli(std::move(args), rank0 ? std::cout : quiet, std::cerr, env);
  checker::Cluster::leave(code);
  return code;
}
