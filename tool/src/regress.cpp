// regress.cpp: the regression run (see regress.h).
#include "tool/regress.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>
#include <model/scenario.h>

#include "tool/errors.h"
#include "tool/scenario_run.h"
#include "tool/trace_replay.h"

namespace tool {

namespace fs = std::filesystem;

namespace {

/// Every *.json file under `dir`, recursively, sorted by path.
std::vector<fs::path> json_files(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().extension() == ".json") out.push_back(it->path());
  }
  if (ec) throw BadInput(fmt::format("{}: cannot list directory: {}", dir.string(), ec.message()));
  std::sort(out.begin(), out.end());
  return out;
}

/// A path for comparing files: canonical when it exists.
std::string canonical(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(path, ec);
  return ec ? fs::path(path).lexically_normal().string() : p.string();
}

const char* status_text(Regress::Status s) {
  switch (s) {
    case Regress::Status::Pass: return "PASS";
    case Regress::Status::Fail: return "FAIL";
    case Regress::Status::BadInput: return "FAIL (bad input)";
    case Regress::Status::ModelError: return "FAIL (model error)";
  }
  return "?";
}

}  // namespace

Regress Regress::run(const std::string& dir, std::function<void(const checker::Progress&)> on_progress,
                     std::function<void(const Row&)> on_row) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) throw BadInput(dir + ": no such directory");
  if (!fs::is_directory(dir, ec)) throw BadInput(dir + ": not a directory");
  fs::path base(dir);
  if (!fs::is_directory(base / "scenarios", ec))
    throw BadInput((base / "scenarios").string() +
                   ": no such directory (regress looks for DIR/scenarios and DIR/traces)");

  Regress reg;
  auto finish = [&](Row row) {
    if (on_row) on_row(row);
    reg.rows_.push_back(std::move(row));
  };
  auto relative = [&](const fs::path& p) { return p.lexically_relative(base).generic_string(); };

  // A file that cannot be read fails its own row, with the one-line error.
  auto mark_bad_input = [](Row& row, const std::exception& e) {
    row.status = Status::BadInput;
    row.got = "bad input";
    row.detail = e.what();
  };
  for (const fs::path& file : json_files(base / "scenarios")) {
    Row row;
    row.kind = "scenario";
    row.name = relative(file);
    row.file = canonical(file.string());
    try {
      model::Scenario scenario = model::Scenario::load(file.string());
      row.expected = describe_expectation(scenario.expect());
      row.expects_violation = scenario.expect().result == model::Expectation::Result::Violation;
      ScenarioRun run = ScenarioRun::explore(scenario, {}, row.name, on_progress);
      row.got = run.got;
      row.executions = run.report.stats.executions;
      row.seconds = run.report.stats.elapsed_seconds;
      if (run.report.verdict == checker::Verdict::ModelError) {
        row.status = Status::ModelError;
        row.detail = run.report.counterexample ? run.report.counterexample->violation.message
                                               : std::string("model error");
      } else if (!run.met) {
        row.status = Status::Fail;
        row.detail = fmt::format("expected {}, got {}", row.expected, row.got);
        if (run.report.counterexample)
          row.detail += ": " + run.report.counterexample->violation.message;
      }
    } catch (const model::InputError& e) {
      mark_bad_input(row, e);
    } catch (const BadInput& e) {
      mark_bad_input(row, e);
    }
    finish(std::move(row));
  }

  for (const fs::path& file : json_files(base / "traces")) {
    Row row;
    row.kind = "trace";
    row.name = relative(file);
    row.expected = "reproduce";
    try {
      auto t0 = std::chrono::steady_clock::now();
      TraceReplay replay = TraceReplay::run(file.string(), std::nullopt, base.string());
      row.file = canonical(replay.scenario_file);
      row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      row.expected = fmt::format("reproduce {}", checker::to_string(replay.trace.violation.verdict));
      row.executions = replay.report.stats.executions;
      if (replay.reproduced()) {
        row.got = "reproduced";
      } else {
        row.status = replay.report.verdict == checker::Verdict::ModelError &&
                             replay.report.divergence.empty()
                         ? Status::ModelError
                         : Status::Fail;
        row.got = replay.report.divergence.empty() ? "different" : "diverged";
        row.detail = replay.problem;
      }
    } catch (const model::InputError& e) {
      mark_bad_input(row, e);
    } catch (const BadInput& e) {
      mark_bad_input(row, e);
    }
    finish(std::move(row));
  }

  // The golden trace of each failing scenario is committed and reproduces.
  for (Row& row : reg.rows_) {
    if (row.kind != "scenario" || !row.expects_violation || row.status != Status::Pass) continue;
    bool covered = std::any_of(reg.rows_.begin(), reg.rows_.end(), [&](const Row& t) {
      return t.kind == "trace" && t.status == Status::Pass && t.file == row.file;
    });
    if (!covered) {
      row.status = Status::Fail;
      row.detail = fmt::format("no golden trace under {} reproduces this scenario (write one with "
                               "mmcheck run {} --trace-out traces/...)",
                               (base / "traces").string(), (base / row.name).string());
    }
  }
  return reg;
}

int Regress::exit_code() const {
  int code = kExitOk;
  for (const Row& r : rows_) {
    int c = r.status == Status::Pass         ? kExitOk
            : r.status == Status::Fail       ? kExitViolation
            : r.status == Status::BadInput   ? kExitBadInput
                                             : kExitInternal;
    code = std::max(code, c);
  }
  return code;
}

std::string Regress::table() const {
  // Long expectations are shortened in the table (the failures below and the
  // JUnit report keep them whole).
  constexpr std::size_t kCell = 44;
  auto cell = [](const std::string& s) {
    return s.size() <= kCell ? s : s.substr(0, kCell - 3) + "...";
  };
  std::size_t wn = 4, we = 8, wg = 3;
  for (const Row& r : rows_) {
    wn = std::max(wn, r.name.size());
    we = std::max(we, cell(r.expected).size());
    wg = std::max(wg, cell(r.got).size());
  }
  std::string out = fmt::format("{:<{}}  {:<{}}  {:<{}}  {:>10}  {:>8}  {}\n", "NAME", wn,
                                "EXPECTED", we, "GOT", wg, "EXECUTIONS", "TIME", "RESULT");
  std::size_t passed = 0;
  for (const Row& r : rows_) {
    passed += r.status == Status::Pass;
    out += fmt::format("{:<{}}  {:<{}}  {:<{}}  {:>10}  {:>7.2f}s  {}\n", r.name, wn,
                       cell(r.expected), we, cell(r.got), wg, r.executions, r.seconds,
                       status_text(r.status));
  }
  bool header = false;
  for (const Row& r : rows_) {
    if (r.status == Status::Pass) continue;
    if (!header) out += "\n";
    header = true;
    out += fmt::format("FAIL {}: {}\n", r.name,
                       r.detail.empty() ? "expected " + r.expected + ", got " + r.got : r.detail);
  }
  out += fmt::format("\n{} passed, {} failed ({} scenarios, {} traces)\n", passed,
                     rows_.size() - passed,
                     std::count_if(rows_.begin(), rows_.end(),
                                   [](const Row& r) { return r.kind == "scenario"; }),
                     std::count_if(rows_.begin(), rows_.end(),
                                   [](const Row& r) { return r.kind == "trace"; }));
  return out;
}

JUnitReport Regress::junit() const {
  JUnitReport report("mmcheck regress");
  for (const Row& r : rows_) {
    JUnitReport::Case c;
    c.classname = r.kind == "scenario" ? "scenarios" : "traces";
    c.name = r.name;
    c.seconds = r.seconds;
    c.failed = r.status != Status::Pass;
    c.message = r.detail;
    c.details = fmt::format("expected: {}\ngot: {}\n{}", r.expected, r.got, r.detail);
    report.add(std::move(c));
  }
  return report;
}

}  // namespace tool
