// scaling_bench.cpp: how DPOR's searches grow with the number of mms mapping
// the KSM page, before and after issue 12's equivalence (fields of struct
// page, commuting updates, failed compare-and-swaps as reads).
//
// From the seed-000 scenarios (scenarios/ksm/foll-migration-fixed.json and
// -reverted.json) it generates the same scenario for n mms A, B, C, ...: each
// maps K read-only at 0x1000 through its own vma and anon_vma, has a stable
// rmap_item on K's stable node S and an mm_slot; K's mapcount and refcount
// are n; ksm_pages_sharing is n - 1; node 0 has n + 2 free pages for the COW
// copies. For each n and for stale-nodes-combined-fixed it runs DPOR twice on
// one core: "before" (Options::whole_objects: the trace equivalence of
// before issue 12, every field of a page one object, every update a
// read-modify-write, every failed CAS an RMW) and "after" (the default), each
// under an execution cap (a capped search is marked >=). It prints the
// executions, seconds, the growth factor from the previous n, a fitted growth
// law (least squares on log executions against log n and against n), and
// the time to the first counterexample of every reverted scenario in
// scenarios/ (DPOR, first found, best of three): before, after, and after with
// the bounded-first pass `mmcheck run` makes by default (iterative context
// bounding, tool::kDefaultBoundedFirst executions of DFS under preemption
// bounds 0, 1, ... before the search proper).
//
// Usage: scaling_bench [SCENARIO_DIR] [CAP_BEFORE] [CAP_AFTER] [MAX_N]
//        (defaults: scenarios, 300000, 3000000, 8)
//        scaling_bench --write SCENARIO_DIR BASE N FILE: write the scenario
//        BASE (e.g. foll-migration-fixed) generated for n mms to FILE (for
//        bench/cluster_bench.sh).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <checker/checker.h>
#include <model/scenario.h>
#include <nlohmann/json.hpp>
#include <tool/scenario_run.h>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct Run {
  checker::Report report;
  double seconds = 0;
};

Run explore(const model::Scenario& s, bool before, std::uint64_t cap) {
  checker::Options o;
  o.strategy = checker::StrategyKind::Dpor;
  o.max_steps = s.options().max_steps;
  o.max_executions = cap;
  o.whole_objects = before;
  auto program = s.make_program();
  auto t0 = std::chrono::steady_clock::now();
  Run r;
  r.report = checker::explore(*program, o);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

bool capped(const Run& r) { return r.report.verdict == checker::Verdict::Pass && !r.report.stats.complete; }

std::string count(const Run& r) {
  return (capped(r) ? ">=" : "") + std::to_string(r.report.stats.executions);
}

// A missing or malformed file is model::InputError ("FILE: at /pointer: what"), reported by main.
json load(const fs::path& p) { return model::load_json_file(p.string()); }

/// The seed-000 scenario with n mms mapping K (n >= 1).
json with_mms(json j, unsigned n) {
  const std::string names = "ABCDEFGHIJ";
  json& init = j["initial"];
  json mm0 = init["mms"][0];
  json pte0 = init["ptes"][0];
  json rmap0 = init["rmap_items"][0];
  init["mms"] = json::array();
  init["ptes"] = json::array();
  init["rmap_items"] = json::array();
  init["ksm"]["mm_slots"] = json::array();
  for (unsigned i = 0; i < n; ++i) {
    std::string m(1, names[i]);
    json mm = mm0;
    mm["name"] = m;
    mm["vmas"][0]["anon_vma"] = m + ".anon_vma";
    init["mms"].push_back(mm);
    json pte = pte0;
    pte["mm"] = m;
    init["ptes"].push_back(pte);
    json r = rmap0;
    r["name"] = "R" + m;
    r["mm"] = m;
    init["rmap_items"].push_back(r);
    init["ksm"]["mm_slots"].push_back(m);
  }
  init["ksm"]["pages_sharing"] = n - 1;
  json pages = json::array();
  for (json& p : init["pages"]) {
    std::string name = p["name"];
    if (name == "K") {
      p["mapcount"] = n;
      p["refcount"] = n;
      pages.push_back(p);
    } else if (name == "N") {
      pages.push_back(p);
    }
  }
  for (unsigned i = 1; i <= n + 2; ++i)
    pages.push_back(json{{"name", "C" + std::to_string(i)}, {"nid", 0}, {"free", true}});
  init["pages"] = pages;
  j["name"] = std::string(j["name"]) + "-n" + std::to_string(n);
  return j;
}

/// Least-squares slope of y against x.
double slope(const std::vector<double>& x, const std::vector<double>& y) {
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) mx += x[i], my += y[i];
  mx /= x.size();
  my /= y.size();
  double num = 0, den = 0;
  for (std::size_t i = 0; i < x.size(); ++i) num += (x[i] - mx) * (y[i] - my), den += (x[i] - mx) * (x[i] - mx);
  return den > 0 ? num / den : 0;
}

void fit(const char* what, const std::vector<unsigned>& ns, const std::vector<Run>& runs) {
  std::vector<double> x, lx, ly;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (capped(runs[i]) || runs[i].report.stats.executions == 0) continue;
    x.push_back(ns[i]);
    lx.push_back(std::log(static_cast<double>(ns[i])));
    ly.push_back(std::log(static_cast<double>(runs[i].report.stats.executions)));
  }
  if (x.size() < 2) {
    std::printf("%s: too few exhaustive searches to fit a growth law\n", what);
    return;
  }
  const double k = slope(lx, ly), b = slope(x, ly);
  std::printf("%s (exhaustive n = %g..%g): polynomial fit executions ~ n^%.2f; exponential fit ~ %.2f^n\n",
              what, x.front(), x.back(), k, std::exp(b));
}

}  // namespace

int bench_main(int argc, char** argv);

int main(int argc, char** argv) {
  try {
    return bench_main(argc, argv);
  } catch (const std::exception& e) {  // a bad path or argument: one line, exit 2
    std::fprintf(stderr, "scaling_bench: %s\n", e.what());
    return 2;
  }
}

int bench_main(int argc, char** argv) {
  if (argc == 6 && std::string(argv[1]) == "--write") {
    json j = with_mms(load(fs::path(argv[2]) / "ksm" / (std::string(argv[3]) + ".json")),
                      static_cast<unsigned>(std::stoul(argv[4])));
    j["name"] = std::string("generated/") + argv[3] + "-n" + argv[4];
    std::ofstream out(argv[5]);
    out << j.dump(2) << "\n";
    if (!out.flush()) throw std::runtime_error(std::string(argv[5]) + ": cannot write the scenario there");
    return 0;
  }
  fs::path dir = argc > 1 ? argv[1] : "scenarios";
  std::uint64_t cap_before = argc > 2 ? std::stoull(argv[2]) : 300000;
  std::uint64_t cap_after = argc > 3 ? std::stoull(argv[3]) : 3000000;
  unsigned max_n = argc > 4 ? static_cast<unsigned>(std::stoul(argv[4])) : 8;
  std::printf("machine: %u hardware threads; one core used (jobs = 1)\n",
              std::thread::hardware_concurrency());
  std::printf("caps: before %llu executions, after %llu executions\n\n",
              static_cast<unsigned long long>(cap_before), static_cast<unsigned long long>(cap_after));

  std::printf("| scenario | n mms | verdict | before: executions | before: s | after: executions | after: s | after: x previous n | reduction |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|\n");
  for (const char* base : {"foll-migration-fixed", "foll-migration-reverted"}) {
    json j = load(dir / "ksm" / (std::string(base) + ".json"));
    std::vector<unsigned> ns;
    std::vector<Run> before_runs, after_runs;
    const bool reverted = std::string(base).find("reverted") != std::string::npos;
    for (unsigned n : {1u, 2u, 3u, 4u, 6u, 8u}) {
      if (n > max_n) break;
      model::Scenario s = model::Scenario::parse(with_mms(j, n), "generated/" + std::string(base) + ".json");
      Run b = explore(s, true, cap_before);
      Run a = explore(s, false, cap_after);
      std::string growth = "-";
      if (!after_runs.empty() && !capped(a) && !capped(after_runs.back()) && after_runs.back().report.stats.executions)
        growth = std::to_string(static_cast<double>(a.report.stats.executions) /
                                after_runs.back().report.stats.executions).substr(0, 5);
      std::string red = capped(b) ? ">=" : "";
      red += std::to_string(static_cast<double>(b.report.stats.executions) /
                            std::max<std::uint64_t>(1, a.report.stats.executions)).substr(0, 6) + "x";
      if (capped(a)) red = "?";
      std::printf("| %s | %u | %s | %s | %.2f | %s | %.2f | %s | %s |\n", base, n,
                  std::string(checker::to_string(a.report.verdict)).c_str(), count(b).c_str(), b.seconds,
                  count(a).c_str(), a.seconds, growth.c_str(), red.c_str());
      std::fflush(stdout);
      ns.push_back(n);
      before_runs.push_back(std::move(b));
      after_runs.push_back(std::move(a));
      if (!reverted && capped(after_runs.back())) break;  // larger n only grow
    }
    if (!reverted) {
      fit((std::string(base) + " before").c_str(), ns, before_runs);
      fit((std::string(base) + " after").c_str(), ns, after_runs);
    }
  }
  {
    model::Scenario s = model::Scenario::load((dir / "ksm" / "stale-nodes-combined-fixed.json").string());
    Run b = explore(s, true, cap_before);
    Run a = explore(s, false, cap_after);
    std::printf("| stale-nodes-combined-fixed | - | %s | %s | %.2f | %s | %.2f | - | %.2fx |\n",
                std::string(checker::to_string(a.report.verdict)).c_str(), count(b).c_str(), b.seconds,
                count(a).c_str(), a.seconds,
                static_cast<double>(b.report.stats.executions) / std::max<std::uint64_t>(1, a.report.stats.executions));
  }

  std::printf("\nfirst counterexample of every reverted scenario (DPOR, first found, best of three;\n"
              "bounded first: %llu executions of DFS under preemption bounds 0, 1, ... first, `mmcheck run`'s default):\n\n",
              static_cast<unsigned long long>(tool::kDefaultBoundedFirst));
  std::printf("| scenario | before: executions | before: ms | after: executions | after: ms | after, bounded first: executions | after, bounded first: ms |\n"
              "|---|---|---|---|---|---|---|\n");
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    model::Scenario s = model::Scenario::load(f.string());
    const std::string name = f.stem().string();
    if (s.expect().result != model::Expectation::Result::Violation) continue;
    Run best[3];
    for (int side = 0; side < 3; ++side) {
      for (int rep = 0; rep < 3; ++rep) {
        checker::Options o;
        o.strategy = checker::StrategyKind::Dpor;
        o.max_steps = s.options().max_steps;
        o.whole_objects = side == 0;
        if (side == 2) o.bounded_first = tool::kDefaultBoundedFirst;
        auto program = s.make_program();
        auto t0 = std::chrono::steady_clock::now();
        Run r;
        r.report = checker::explore(*program, o);
        r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (rep == 0 || r.seconds < best[side].seconds) best[side] = std::move(r);
      }
    }
    const checker::Stats& bf = best[2].report.stats;
    std::printf("| %s | %llu | %.2f | %llu | %.2f | %llu%s | %.2f |\n", name.c_str(),
                static_cast<unsigned long long>(best[0].report.stats.executions), best[0].seconds * 1e3,
                static_cast<unsigned long long>(best[1].report.stats.executions), best[1].seconds * 1e3,
                static_cast<unsigned long long>(bf.bounded_first_executions + bf.executions),
                (bf.found_bounded_first ? " (bound " + std::to_string(bf.bounded_first_exhausted + 1) + ")" : std::string()).c_str(),
                best[2].seconds * 1e3);
  }
  return 0;
}
