// cluster_bench.cpp: the classic programs under the distributed search. Run
// alone it is one process; under `mpirun -np N` rank 0 prints what N
// processes took. One line per program: name, processes, jobs, executions,
// seconds, hand-out messages per second, peak RSS of rank 0. bench/
// cluster_bench.sh runs it (and mmcheck on the largest scenarios) with 1 and
// 2 processes and prints the table the README quotes.
// Usage: cluster_bench [JOBS]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <string>

#include <checker/checker.h>
#include <checker/cluster.h>

#include "classic_programs.h"

using namespace checker;

int main(int argc, char** argv) {
  Cluster::join(&argc, &argv);
  const unsigned jobs = argc > 1 ? static_cast<unsigned>(std::stoul(argv[1])) : 1;
  struct Case {
    const char* name;
    ProgramFactory make;
  };
  const Case cases[] = {
      {"lastzero(12)", [] { return std::make_unique<bench::LastZero>(12); }},
      {"indexer(16)", [] { return std::make_unique<bench::Indexer>(16, false); }},
      {"filesystem(22)", [] { return std::make_unique<bench::FileSystem>(22, false); }},
  };
  for (const Case& c : cases) {
    Options o;
    o.strategy = StrategyKind::Dpor;
    o.jobs = jobs;
    auto t0 = std::chrono::steady_clock::now();
    Report r = explore(c.make, o);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (Cluster::rank() != 0) continue;
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("%s %d %u %llu %.2f %.0f %.1f\n", c.name, Cluster::size(), jobs,
                static_cast<unsigned long long>(r.stats.executions), s,
                s > 0 ? r.stats.messages / s : 0.0, ru.ru_maxrss / 1024.0);
  }
  Cluster::leave(0);
  return 0;
}
