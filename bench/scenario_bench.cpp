// scenario_bench.cpp: every scenario in scenarios/ under DFS and DPOR.
//
// For each scenario file (sorted): executions explored by plain DFS (capped)
// and by DPOR, the reduction ratio, DPOR executions per second, the time to the
// first counterexample for scenarios that fail, and DPOR's --jobs 2 speed-up on
// the scenarios whose search takes long enough to measure. The scenario's own
// max_steps is used; preemption bounds and fewest_preemptions are not, so the
// numbers are those of the plain searches. Prints one Markdown table.
//
// Usage: scenario_bench [SCENARIO_DIR] [DFS_CAP]   (defaults: scenarios, 200000)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
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

  std::printf("| scenario | verdict | DFS executions | DPOR executions | reduction | DPOR exec/s "
              "| first counterexample (DPOR) | jobs=2 speed-up |\n"
              "|---|---|---|---|---|---|---|---|\n");
  for (const fs::path& f : files) {
    model::Scenario s = model::Scenario::load(f.string());
    Run dfs = explore(s, checker::StrategyKind::Dfs, dfs_cap, 1);
    Run dpor = explore(s, checker::StrategyKind::Dpor, 0, 1);
    bool fails = dpor.report.verdict != checker::Verdict::Pass;
    std::string reduction = "-";
    if (dpor.report.stats.executions > 0) {
      double ratio = static_cast<double>(dfs.report.stats.executions) /
                     static_cast<double>(dpor.report.stats.executions);
      bool lower = dfs.report.verdict == checker::Verdict::Pass && !dfs.report.stats.complete;
      char buf[32];
      std::snprintf(buf, sizeof buf, "%s%.1fx", lower ? ">=" : "", ratio);
      reduction = fails ? "-" : buf;
    }
    std::string speedup = "-";
    if (!fails && dpor.seconds >= 0.5) {
      Run par = explore(s, checker::StrategyKind::Dpor, 0, 2);
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.2fx", dpor.seconds / par.seconds);
      speedup = buf;
      if (par.report.stats.executions != dpor.report.stats.executions) speedup += " (COUNT DIFFERS)";
    }
    char first[32] = "-";
    if (fails) std::snprintf(first, sizeof first, "%.1f ms", dpor.seconds * 1e3);
    std::printf("| %s | %s | %s | %s | %s | %.0f | %s | %s |\n", s.name().c_str(),
                std::string(checker::to_string(dpor.report.verdict)).c_str(),
                count(dfs.report).c_str(), count(dpor.report).c_str(), reduction.c_str(),
                dpor.report.stats.executions / std::max(dpor.seconds, 1e-9), first,
                speedup.c_str());
    std::fflush(stdout);
  }
  return 0;
}
