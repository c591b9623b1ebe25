// search_bench.cpp: the search strategies on the classic programs of the DPOR
// literature, written against the engine's public API.
//
//  lastzero(N)   Abdulla et al., "Optimal DPOR", POPL 2014: thread 0 scans
//                array[N..0] for the last zero; thread j writes array[j] =
//                array[j-1] + 1. (N+3)*2^(N-2) traces: the count of distinct
//                traces DFS visits for N = 2, 3, 4 (5, 12, 28), checked by
//                folding each DFS execution into its trace; the closed form is
//                fitted to those and to DPOR at N = 5..8.
//  indexer(N)    Flanagan & Godefroid, POPL 2005: N threads insert 4 messages
//                each into a 128-entry hash table with compare-and-swap and
//                linear probing. Messages w = 11m + tid collide from N = 12 on;
//                each collision is one independent CAS race, so the number of
//                Mazurkiewicz traces is 2^(3(N-11)) for N >= 11 (1 below).
//  filesystem(N) Flanagan & Godefroid, POPL 2005: N threads each lock inode
//                i = tid, and when it is free take a block from b = 2i mod 26 on
//                (lock the block, test and set busy). From N = 14 on, thread
//                13 + k and thread k contend for block 2k: 2^(N-13) traces.
//
// Prints one table: executions under DFS (capped) and DPOR, the expected trace
// count where it is derived above, the reduction, DPOR executions per second,
// the time to the first counterexample of the "-bug" variants (which assert the
// contention never happens), and the speed-up of jobs = 2 over jobs = 1 (best
// of three runs each) with,
// to read it by, the CPU time per wall second of the jobs = 2 run (2.0 when
// both threads found a free core) and the share of executions explored apart
// by tasks. Performance is printed, never asserted.
#include <checker/checker.h>

#include "classic_programs.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace checker;
using bench::FileSystem;
using bench::Indexer;
using bench::LastZero;
using Clock = std::chrono::steady_clock;

namespace {

struct Row {
  std::string name;
  int size;
  std::function<std::unique_ptr<Program>(bool bug)> make;
  double expected;  // < 0: not derived
  bool has_bug;
};

double cpu_seconds(std::clock_t c0) { return double(std::clock() - c0) / CLOCKS_PER_SEC; }

double seconds(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string count(const Report& r) {
  return std::to_string(r.stats.executions) + (r.stats.complete ? "" : "+ (capped)");
}

}  // namespace

int main() {
  const std::uint64_t kDfsCap = 20'000;
  std::vector<Row> rows;
  for (int n : {4, 6, 8, 10, 12, 14})
    rows.push_back({"lastzero", n, [n](bool) { return std::make_unique<LastZero>(n); },
                    (n + 3) * std::pow(2.0, n - 2), false});
  for (int n : {11, 12, 13, 14, 15, 16})
    rows.push_back({"indexer", n, [n](bool b) { return std::make_unique<Indexer>(n, b); },
                    n >= 11 ? std::pow(2.0, 3 * (n - 11)) : 1, true});
  for (int n : {13, 14, 16, 18, 20, 22, 24})
    rows.push_back({"filesystem", n, [n](bool b) { return std::make_unique<FileSystem>(n, b); },
                    n >= 13 ? std::pow(2.0, n - 13) : 1, true});

  std::string load = "?";
  if (std::ifstream f("/proc/loadavg"); f) std::getline(f, load);
  std::printf("machine: %u hardware threads; load average at start: %s\n\n",
              std::thread::hardware_concurrency(), load.c_str());
  std::printf("| program | N | DFS executions | DPOR executions | expected traces | sleep-blocked "
              "| reduction | DPOR executions/s | first counterexample (DPOR, -bug) "
              "| jobs=1 s | jobs=2 s | speed-up | jobs=2 CPU/wall | executions taken from tasks |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (const Row& row : rows) {
    Options dfs;
    dfs.strategy = StrategyKind::Dfs;
    dfs.max_executions = kDfsCap;
    std::unique_ptr<Program> p = row.make(false);
    Report rd = explore(*p, dfs);

    Options dpor;
    dpor.strategy = StrategyKind::Dpor;
    // Best of three runs each, alternating (the machine is shared).
    Report r1, r2;
    double s1 = 1e300, s2 = 1e300, cpu2 = 0;
    for (int rep = 0; rep < 3; ++rep) {
      dpor.jobs = 1;
      auto t1 = Clock::now();
      r1 = explore([&] { return row.make(false); }, dpor);
      s1 = std::min(s1, seconds(t1));
      dpor.jobs = 2;
      auto t2 = Clock::now();
      std::clock_t c2 = std::clock();
      r2 = explore([&] { return row.make(false); }, dpor);
      if (double w = seconds(t2); w < s2) {
        s2 = w;
        cpu2 = cpu_seconds(c2);
      }
    }
    if (r2.stats.executions != r1.stats.executions)
      std::printf("internal error: jobs=2 explored %llu executions, jobs=1 %llu\n",
                  static_cast<unsigned long long>(r2.stats.executions),
                  static_cast<unsigned long long>(r1.stats.executions));

    std::string first = "-";
    if (row.has_bug) {
      Options o;
      o.strategy = StrategyKind::Dpor;
      std::unique_ptr<Program> b = row.make(true);
      auto t = Clock::now();
      Report rb = explore(*b, o);
      double sb = seconds(t);
      char buf[96];
      if (rb.counterexample)
        std::snprintf(buf, sizeof buf, "%.2f ms (%llu executions)", sb * 1e3,
                      static_cast<unsigned long long>(rb.stats.executions));
      else
        std::snprintf(buf, sizeof buf, "none (%llu executions)",
                      static_cast<unsigned long long>(rb.stats.executions));
      first = buf;
    }
    char expected[32] = "-";
    if (row.expected >= 0) std::snprintf(expected, sizeof expected, "%.0f", row.expected);
    double reduction = r1.stats.executions ? double(rd.stats.executions) / r1.stats.executions : 0;
    std::printf("| %s | %d | %s | %llu | %s | %llu | %s%.1fx | %.0f | %s | %.3f | %.3f | %.2fx "
                "| %.2f | %.0f%% |\n",
                row.name.c_str(), row.size, count(rd).c_str(),
                static_cast<unsigned long long>(r1.stats.executions), expected,
                static_cast<unsigned long long>(r1.stats.sleep_blocked),
                rd.stats.complete ? "" : ">= ", reduction,
                s1 > 0 ? r1.stats.executions / s1 : 0, first.c_str(), s1, s2,
                s2 > 0 ? s1 / s2 : 0, s2 > 0 ? cpu2 / s2 : 0,
                r2.stats.executions ? 100.0 * r2.stats.task_executions / r2.stats.executions : 0);
    std::fflush(stdout);
  }
  return 0;
}
