// trace_replay.cpp: finding a trace's scenario and replaying it (see
// trace_replay.h).
#include "tool/trace_replay.h"

#include <filesystem>
#include <system_error>

#include <fmt/format.h>
#include <model/input_limits.h>
#include <model/scenario.h>

#include "tool/errors.h"

namespace tool {

namespace fs = std::filesystem;

namespace {

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

}  // namespace

std::string find_recorded_scenario(const std::string& trace_file, const std::string& recorded,
                                   const std::string& base_dir) {
  fs::path rec(recorded);
  if (rec.is_absolute()) return is_file(rec) ? recorded : std::string();
  if (!base_dir.empty() && is_file(fs::path(base_dir) / rec))
    return (fs::path(base_dir) / rec).lexically_normal().string();
  if (is_file(rec)) return recorded;
  std::error_code ec;
  fs::path dir = fs::absolute(trace_file, ec).parent_path();
  while (!ec && !dir.empty()) {
    if (is_file(dir / rec)) return (dir / rec).lexically_normal().string();
    if (dir == dir.root_path()) break;
    dir = dir.parent_path();
  }
  return {};
}

TraceReplay TraceReplay::run(const std::string& trace_file,
                             const std::optional<std::string>& scenario_override,
                             const std::string& base_dir) {
  TraceReplay r;
  r.trace_file = trace_file;
  r.trace = Trace::load(trace_file);
  const Provenance& p = r.trace.provenance;
  if (scenario_override) {
    require_file(*scenario_override, "scenario");
    r.scenario_file = *scenario_override;
  } else {
    r.scenario_file = find_recorded_scenario(trace_file, p.scenario_file, base_dir);
    if (r.scenario_file.empty())
      throw model::InputError(
          trace_file, "/provenance/scenario/file",
          fmt::format("scenario file {} not found (looked in {}the working directory and the "
                      "trace's parent directories); give it with --scenario",
                      model::quote_input(p.scenario_file), base_dir.empty() ? "" : model::quote_input(base_dir) + ", "));
  }
  model::Scenario scenario = model::Scenario::load(r.scenario_file);
  if (scenario.content_hash() != p.content_hash)
    throw model::InputError(
        trace_file, "/provenance/scenario/content_hash",
        fmt::format("trace was recorded for scenario {} version {}; the file {} now has {}",
                    model::excerpt(p.scenario_name), model::excerpt(p.content_hash), r.scenario_file,
                    scenario.content_hash()));

  std::unique_ptr<checker::Program> program = scenario.make_program();
  r.report = checker::replay(*program, r.trace.schedule, p.max_steps, &r.trace.log,
                             p.reach ? &*p.reach : nullptr);
  if (!r.report.divergence.empty()) {
    r.problem = r.report.divergence;
  } else if (!r.report.counterexample) {
    r.problem = "internal error: replay returned no step log";
  } else if (r.report.verdict == checker::Verdict::Pass) {
    r.problem = fmt::format("the replay passed; the trace recorded {}",
                            checker::to_string(r.trace.violation.verdict));
  } else if (std::string d = violation_difference(r.trace.violation,
                                                  r.report.counterexample->violation);
             !d.empty()) {
    r.problem = "the replay ended with a different violation: " + d;
  }
  return r;
}

TraceReplay TraceReplay::follow(const std::string& trace_file, const std::string& against) {
  TraceReplay r;
  r.trace_file = trace_file;
  r.trace = Trace::load(trace_file);
  require_file(against, "scenario");
  r.scenario_file = against;
  model::Scenario scenario = model::Scenario::load(against);
  std::unique_ptr<checker::Program> program = scenario.make_program();
  checker::FollowStats stats;
  const std::optional<checker::ReachTarget>& reach = r.trace.provenance.reach;
  r.report = checker::replay_following(*program, r.trace.schedule, r.trace.provenance.max_steps, &stats,
                                       reach ? &*reach : nullptr);
  r.followed = stats;
  if (!r.report.counterexample) throw std::logic_error("internal error: replay_following returned no step log");
  // The schedule names threads by spawn order: the scenario must spawn the trace's threads.
  const std::vector<std::string>& want = r.trace.log.thread_names;
  const std::vector<std::string>& got = r.report.counterexample->log.thread_names;
  if (want != got) {
    auto list = [](const std::vector<std::string>& names) {
      std::string s;
      for (const std::string& n : names) s += (s.empty() ? "" : ", ") + model::excerpt(n);
      return s;
    };
    throw model::InputError(trace_file, "/threads",
                            fmt::format("the trace's threads are {}; scenario {} has {} (--against needs the same "
                                        "threads in the same order)",
                                        list(want), against, list(got)));
  }
  return r;
}

Trace TraceReplay::replayed_trace() const {
  return Trace::from_report(trace.provenance, report);
}

}  // namespace tool
