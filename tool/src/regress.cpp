// regress.cpp: the regression run (see regress.h).
#include "tool/regress.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <nlohmann/json.hpp>

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
    case Regress::Status::Crashed: return "FAIL (crashed)";
    case Regress::Status::TimedOut: return "FAIL (timed out)";
  }
  return "?";
}

/// A file that cannot be read fails its own row, with the one-line error.
void mark_bad_input(Regress::Row& row, const std::exception& e) {
  row.status = Regress::Status::BadInput;
  // A model limit found at load (model::UnsupportedInput) is no input mistake.
  row.got = dynamic_cast<const model::UnsupportedInput*>(&e) ? "unsupported" : "bad input";
  row.detail = e.what();
}

/// A scenario against its expectation.
Regress::Row scenario_row(Regress::Row row, const fs::path& file,
                          const std::function<void(const checker::Progress&)>& on_progress) {
  try {
    model::Scenario scenario = model::Scenario::load(file.string());
    row.expected = describe_expectation(scenario.expect());
    row.expects_violation = scenario.expect().result == model::Expectation::Result::Violation;
    ScenarioRun run = ScenarioRun::explore(scenario, {}, row.name, on_progress);
    row.got = run.got;
    row.executions = run.report.stats.executions;
    row.seconds = run.report.stats.elapsed_seconds;
    if (run.report.verdict == checker::Verdict::ModelError) {
      row.status = Regress::Status::ModelError;
      row.detail = run.report.counterexample ? run.report.counterexample->violation.message
                                             : std::string("model error");
    } else if (!run.met) {
      row.status = Regress::Status::Fail;
      row.detail = fmt::format("expected {}, got {}", row.expected, row.got);
      if (run.report.counterexample) row.detail += ": " + run.report.counterexample->violation.message;
    }
  } catch (const model::InputError& e) {
    mark_bad_input(row, e);
  } catch (const BadInput& e) {
    mark_bad_input(row, e);
  }
  return row;
}

/// A golden trace replayed.
Regress::Row trace_row(Regress::Row row, const fs::path& file, const fs::path& base) {
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
      row.status = replay.report.verdict == checker::Verdict::ModelError && replay.report.divergence.empty()
                       ? Regress::Status::ModelError
                       : Regress::Status::Fail;
      row.got = replay.report.divergence.empty() ? "different" : "diverged";
      row.detail = replay.problem;
    }
  } catch (const model::InputError& e) {
    mark_bad_input(row, e);
  } catch (const BadInput& e) {
    mark_bad_input(row, e);
  }
  return row;
}

nlohmann::json row_to_json(const Regress::Row& r) {
  return {{"kind", r.kind},         {"name", r.name},     {"expected", r.expected},
          {"got", r.got},           {"executions", r.executions}, {"seconds", r.seconds},
          {"status", static_cast<int>(r.status)}, {"detail", r.detail}, {"file", r.file},
          {"expects_violation", r.expects_violation}};
}

Regress::Row row_from_json(const nlohmann::json& j) {
  Regress::Row r;
  r.kind = j.at("kind").get<std::string>();
  r.name = j.at("name").get<std::string>();
  r.expected = j.at("expected").get<std::string>();
  r.got = j.at("got").get<std::string>();
  r.executions = j.at("executions").get<std::uint64_t>();
  r.seconds = j.at("seconds").get<double>();
  r.status = static_cast<Regress::Status>(j.at("status").get<int>());
  r.detail = j.at("detail").get<std::string>();
  r.file = j.at("file").get<std::string>();
  r.expects_violation = j.at("expects_violation").get<bool>();
  return r;
}

/// "SIGSEGV (Segmentation fault)".
std::string signal_text(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  const char* desc = sigdescr_np(sig);
  return fmt::format("SIG{} ({})", abbrev ? abbrev : std::to_string(sig).c_str(), desc ? desc : "unknown signal");
}

}  // namespace

Regress::Row Regress::run_isolated(const std::function<Row()>& body, Row row, double timeout_seconds) {
  auto t0 = std::chrono::steady_clock::now();
  auto failed = [&](Status status, std::string got, std::string detail) {
    row.status = status;
    row.got = std::move(got);
    row.detail = std::move(detail);
    row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return row;
  };
  int fds[2];
  if (::pipe(fds) != 0)
    return failed(Status::ModelError, "not run", fmt::format("internal error: pipe: {}", std::strerror(errno)));
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    return failed(Status::ModelError, "not run", fmt::format("internal error: fork: {}", std::strerror(e)));
  }
  if (pid == 0) {  // the child: run the row, send it back, exit without the parent's atexit work
    ::close(fds[0]);
    std::string text;
    try {
      text = row_to_json(body()).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    } catch (const std::exception& e) {
      Row r = row;
      r.status = Status::ModelError;
      r.got = "internal error";
      r.detail = std::string("internal error: ") + e.what();
      text = row_to_json(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    } catch (...) {
      Row r = row;
      r.status = Status::ModelError;
      r.got = "internal error";
      r.detail = "internal error: unknown exception";
      text = row_to_json(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    const char* p = text.data();
    std::size_t left = text.size();
    while (left > 0) {
      ssize_t n = ::write(fds[1], p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) ::_exit(4);
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string text;
  bool timed_out = false;
  auto deadline = t0 + std::chrono::duration<double>(timeout_seconds);
  for (;;) {
    auto now = std::chrono::steady_clock::now();
    if (timeout_seconds > 0 && now >= deadline) {
      timed_out = true;
      break;
    }
    int wait_ms = timeout_seconds > 0
                      ? static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count()) + 1
                      : -1;
    pollfd pfd{fds[0], POLLIN, 0};
    int n = ::poll(&pfd, 1, wait_ms);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;  // the deadline is checked above
    char buf[65536];
    ssize_t got = ::read(fds[0], buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // EOF: the child is done (or died)
    text.append(buf, static_cast<std::size_t>(got));
  }
  ::close(fds[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out)
    return failed(Status::TimedOut, "timed out",
                  fmt::format("timed out: no result after {:.0f}s (the per-row limit, --row-timeout); "
                              "killed",
                              timeout_seconds));
  if (WIFSIGNALED(status))
    return failed(Status::Crashed, "crashed",
                  fmt::format("internal error: mmcheck crashed on this file with {}",
                              signal_text(WTERMSIG(status))));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || text.empty())
    return failed(Status::Crashed, "crashed",
                  fmt::format("internal error: the row's process exited with status {} and no result",
                              WIFEXITED(status) ? WEXITSTATUS(status) : -1));
  try {
    return row_from_json(nlohmann::json::parse(text));
  } catch (const std::exception& e) {
    return failed(Status::Crashed, "crashed",
                  fmt::format("internal error: unreadable result from the row's process: {}", e.what()));
  }
}

Regress Regress::run(const std::string& dir, std::function<void(const checker::Progress&)> on_progress,
                     std::function<void(const Row&)> on_row, const Options& options) {
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
  auto isolated = [&](Row fallback, const std::function<Row()>& body) {
    return options.isolate ? run_isolated(body, std::move(fallback), options.row_timeout_seconds) : body();
  };

  for (const fs::path& file : json_files(base / "scenarios")) {
    Row row;
    row.kind = "scenario";
    row.name = relative(file);
    row.file = canonical(file.string());
    finish(isolated(row, [&] { return scenario_row(row, file, on_progress); }));
  }
  for (const fs::path& file : json_files(base / "traces")) {
    Row row;
    row.kind = "trace";
    row.name = relative(file);
    row.expected = "reproduce";
    finish(isolated(row, [&] { return trace_row(row, file, base); }));
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
    std::string why = r.detail.empty() ? "expected " + r.expected + ", got " + r.got : r.detail;
    if (why.size() > 1000) why = why.substr(0, 1000) + "...";
    std::replace(why.begin(), why.end(), '\n', ' ');
    out += fmt::format("FAIL {}: {}\n", r.name, why);
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
