// scenario_bench.cpp: every scenario in scenarios/ under DFS and DPOR.
//
// For each scenario file (sorted): executions explored by plain DFS (capped)
// and by DPOR (with its sleep-set-blocked runs), the reduction ratio, DPOR executions per second, the time to the
// first counterexample for scenarios that fail, and DPOR's --jobs 2 speed-up on
// the scenarios whose search takes a quarter second or more (best of three runs
// each), beside the ceiling two cores give that search: two independent
// one-thread searches at once in one process against one alone (shared caches,
// memory and the allocator cost what they cost). The scenario's own
// max_steps is used (and its max_executions caps DPOR where it has one); preemption
// bounds and fewest_preemptions are not, so the numbers are those of the plain
// searches; like `run`, they go on past executions that reach a model limit
// (checker::Options::past_unsupported). Prints one Markdown table.
//
// Usage: scenario_bench [SCENARIO_DIR] [DFS_CAP]   (defaults: scenarios, 200000)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <checker/checker.h>
#include <model/scenario.h>

namespace fs = std::filesystem;

namespace {

struct Run {
  checker::Report report;
  double seconds = 0;
};

Run explore(const model::Scenario& s, checker::StrategyKind kind, std::uint64_t cap,
            unsigned jobs) {
  checker::Options o;
  o.strategy = kind;
  o.max_steps = s.options().max_steps;
  o.max_executions = cap;
  o.jobs = jobs;
  o.past_unsupported = true;
  auto t0 = std::chrono::steady_clock::now();
  Run r;
  r.report = checker::explore([&s] { return s.make_program(); }, o);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

std::string count(const checker::Report& r) {
  std::string c = std::to_string(r.stats.executions);
  if (r.verdict == checker::Verdict::Pass && !r.stats.complete) c = ">=" + c;
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir = argc > 1 ? argv[1] : "scenarios";
  std::uint64_t dfs_cap = argc > 2 ? std::stoull(argv[2]) : 200000;
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());

  std::printf("| scenario | verdict | DFS executions | DPOR executions | DPOR sleep-blocked | reduction "
              "| DPOR exec/s "
              "| first counterexample (DPOR) | jobs=2 speed-up | two cores' ceiling |\n"
              "|---|---|---|---|---|---|---|---|---|---|\n");
  for (const fs::path& f : files) {
    model::Scenario s = model::Scenario::load(f.string());
    Run dfs = explore(s, checker::StrategyKind::Dfs, dfs_cap, 1);
    // DPOR gets the scenario's own execution cap, if it has one (a scenario that is
    // not meant to be exhaustive, such as a random-strategy one): the count is then a bound.
    const std::uint64_t dpor_cap = s.options().max_executions;
    Run dpor = explore(s, checker::StrategyKind::Dpor, dpor_cap, 1);
    bool fails = dpor.report.verdict != checker::Verdict::Pass;
    std::string reduction = "-";
    if (dpor.report.stats.executions > 0) {
      double ratio = static_cast<double>(dfs.report.stats.executions) /
                     static_cast<double>(dpor.report.stats.executions);
      bool lower = dfs.report.verdict == checker::Verdict::Pass && !dfs.report.stats.complete;
      char buf[32];
      std::snprintf(buf, sizeof buf, "%s%.1fx", lower ? ">=" : "", ratio);
      reduction = fails ? "-" : buf;
      // A capped DFS below DPOR's count bounds nothing.
      if (!fails && lower && ratio < 1) reduction = "? (DFS capped)";
    }
    std::string speedup = "-", ceiling = "-";
    if (!fails && dpor.seconds >= 0.25 && dpor.report.stats.complete) {
      // Best of three for each (the machine is shared: the best run is the
      // one least disturbed), alternating so drift hits both alike.
      double one = dpor.seconds, two = 1e300;
      Run par;
      for (int rep = 0; rep < 3; ++rep) {
        if (rep > 0) one = std::min(one, explore(s, checker::StrategyKind::Dpor, 0, 1).seconds);
        par = explore(s, checker::StrategyKind::Dpor, 0, 2);
        two = std::min(two, par.seconds);
      }
      char buf[48];
      std::snprintf(buf, sizeof buf, "%.2fx", one / two);
      speedup = buf;
      if (par.report.stats.executions != dpor.report.stats.executions) speedup += " (COUNT DIFFERS)";
      // What two cores give this search at best: two independent one-thread
      // searches at once, in one process, against one alone.
      double twin = 1e300;
      for (int rep = 0; rep < 2; ++rep) {
        auto t0 = std::chrono::steady_clock::now();
        std::thread other([&] { explore(s, checker::StrategyKind::Dpor, 0, 1); });
        explore(s, checker::StrategyKind::Dpor, 0, 1);
        other.join();
        twin = std::min(
            twin, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      }
      std::snprintf(buf, sizeof buf, "%.2fx", 2 * one / twin);
      ceiling = buf;
    }
    char first[32] = "-";
    if (fails) std::snprintf(first, sizeof first, "%.1f ms", dpor.seconds * 1e3);
    std::printf("| %s | %s | %s | %s | %llu | %s | %.0f | %s | %s | %s |\n", s.name().c_str(),
                std::string(checker::to_string(dpor.report.verdict)).c_str(),
                count(dfs.report).c_str(), count(dpor.report).c_str(),
                static_cast<unsigned long long>(dpor.report.stats.sleep_blocked), reduction.c_str(),
                dpor.report.stats.executions / std::max(dpor.seconds, 1e-9), first,
                speedup.c_str(), ceiling.c_str());
    std::fflush(stdout);
  }
  return 0;
}
