// path_report.h: the "paths" part of `mmcheck run`'s summary: for each thread
// whose actor never returned success in any run that finished it, one line
// naming what it returned instead ("U (ksm_run_store): -ENOMEM in every run
// that finished it (12 runs)"), and the whole count table for --format json.
//
// Invariant: counts are runs of the scenario's program (model::PathStats):
// every execution the engine ran, including sleep-set-blocked runs, the
// re-search for the fewest preemptions, the replays that record a
// counterexample and a parallel worker's replay of a branch it takes;
// "never" claims hold for every run.
#pragma once

#include <string>
#include <vector>

#include <model/path_stats.h>
#include <model/scenario.h>
#include <nlohmann/json.hpp>

namespace tool {

/// One line per thread that finished in some run and never with "ok", then one per
/// start_after waiter that did not start in some runs (and did in others).
std::vector<std::string> paths_never_ok(const model::Scenario& scenario, const model::PathStats& paths);

/// {"runs": N, "threads": [{"name", "actor", "finished", "outcomes": {"ok": n, ...}}], "never_ok": [...]}.
nlohmann::ordered_json paths_to_json(const model::Scenario& scenario, const model::PathStats& paths);

}  // namespace tool
