// cli.cpp: the mmcheck commands (run, replay, regress, list, check) on CLI11, and the
// mapping of every outcome and error onto an exit code (see cli.h, errors.h).
//
// Invariant: every exception is caught here. model::InputError and BadInput
// are bad input (2), model::UnsupportedInput (a kernel path the model does not
// have, found at load) is unsupported (4); anything else is "internal error:" (3). Results go to
// `out`, errors (one line each) and progress to `err`.
#include "tool/cli.h"

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <system_error>

#include <CLI/CLI.hpp>
#include <checker/cluster.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <model/input_limits.h>
#include <model/kernel_config.h>
#include <model/lint.h>
#include <model/scenario.h>

#include "tool/checkpoint_file.h"
#include "tool/check.h"
#include "tool/errors.h"
#include "tool/interrupt.h"
#include "tool/output_file.h"
#include "tool/path_report.h"
#include "tool/regress.h"
#include "tool/scenario_run.h"
#include "tool/timeline.h"
#include "tool/trace.h"
#include "tool/trace_replay.h"
#include "tool/version.h"

namespace tool {

namespace {

namespace fs = std::filesystem;

/// --jobs: more OS threads than this only cost memory (each has its stacks).
constexpr unsigned kMaxJobs = 256;

constexpr const char* kFooter = R"(Exit codes:
  0  no violation found / every expectation met / no finding (check) /
     the step asked for reached (run --reach, replay of its witness)
  1  a violation found (run, replay) / an expectation missed (regress) /
     one or more findings (check) / no execution searched reached the step
     (run --reach)
  2  bad input or usage: a missing or malformed file, an unknown field, actor
     or fix, a trace recorded for another version of its scenario, a replay
     that diverges from its trace
  3  internal error (a bug in mmcheck), or a model error (an exception in the
     simulated kernel)
  4  unsupported (run, replay): the scenario reached a kernel path the model
     does not have, and no execution searched failed otherwise; a limit of the
     model, never a kernel bug
  130, 143  run interrupted by SIGINT (Ctrl-C) or SIGTERM: the search ended at
     its next execution and printed what it found so far, its search line
     saying incomplete (interrupted); a second signal over half a
     second later exits at once

Errors are one line on stderr: "mmcheck: FILE: at /json/pointer: what".
)";

/// `text` as one error line: line breaks become spaces, other control bytes
/// \xNN, and past 1000 bytes it is cut (the messages quote input only as short
/// excerpts; this is the net under any that does not).
std::string one_line(std::string text) {
  constexpr std::size_t kMax = 1000;
  std::string out;
  std::size_t i = 0;
  for (; i < text.size() && out.size() < kMax; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n' || c == '\r') out += ' ';
    else if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
    else out += static_cast<char>(c);
  }
  if (i < text.size()) out += fmt::format("... ({} more bytes)", text.size() - i);
  return out;
}

/// The live progress line on a terminal; inert otherwise.
class ProgressLine {
 public:
  ProgressLine(std::ostream& err, bool enabled) : err_(err), enabled_(enabled) {}
  ~ProgressLine() { clear(); }

  std::function<void(const checker::Progress&)> callback() {
    if (!enabled_) return {};
    return [this](const checker::Progress& p) {
      double rate = p.elapsed_seconds > 0 ? p.executions / p.elapsed_seconds : 0;
      std::string line = fmt::format("mmcheck: {} executions, {:.0f}/s, {:.1f}s elapsed",
                                     p.executions, rate, p.elapsed_seconds);
      if (p.fraction_done >= 0) line += fmt::format(", ~{:.0f}% done", 100 * p.fraction_done);
      if (p.estimated_remaining_seconds >= 0)
        line += fmt::format(", ~{:.0f}s left", p.estimated_remaining_seconds);
      err_ << "\r" << line << "\033[K" << std::flush;
      shown_ = true;
    };
  }
  void clear() {
    if (shown_) err_ << "\r\033[K" << std::flush;
    shown_ = false;
  }
  /// Clear a line another process may have drawn (regress rows run in children).
  void clear_any() {
    if (enabled_) err_ << "\r\033[K" << std::flush;
    shown_ = false;
  }

 private:
  std::ostream& err_;
  bool enabled_;
  bool shown_ = false;
};

/// The scenario path to record in a trace: relative to the working directory
/// when the file lies under it, so traces stay valid in any checkout.
std::string recorded_path(const std::string& given) {
  fs::path p(given);
  std::error_code ec;
  if (p.is_absolute()) {
    fs::path cwd = fs::current_path(ec);
    if (ec) return given;
    fs::path rel = p.lexically_relative(cwd);
    if (rel.empty() || *rel.begin() == "..") return p.lexically_normal().generic_string();
    return rel.generic_string();
  }
  return p.lexically_normal().generic_string();
}

std::string search_text(const checker::Report& r, const checker::Options& o) {
  const checker::Stats& s = r.stats;
  const std::string first_failing = r.counterexample && r.verdict == checker::Verdict::Violation &&
                                            r.counterexample->violation.kind == checker::FailureKind::Reached
                                        ? std::string("stopped at the first execution that reached the step (") +
                                              (o.reach && o.reach->in_note ? "--reach-note)" : "--reach)")
                                        : "stopped at the first failing execution";
  if (s.found_bounded_first)
    return fmt::format("{} executions of plain DFS under preemption bounds 0..{} before the search "
                       "proper (iterative context bounding, --bounded-first {}), {}",
                       s.bounded_first_executions, s.bounded_first_exhausted + 1, o.bounded_first, first_failing);
  std::string end;
  // A model limit reported by a search that went past it ran to its end.
  const bool went_on = r.verdict == checker::Verdict::Pass ||
                       (r.verdict == checker::Verdict::Unsupported && o.past_unsupported);
  if (!went_on)
    end = r.verdict == checker::Verdict::Unsupported
              ? "stopped at the first execution that reached a model limit (--stop-at-limit)"
              : first_failing;
  else if (s.complete)
    end = "complete (exhaustive)";
  else if (s.interrupted)
    end = "incomplete (interrupted)";
  else if (o.max_executions && s.executions - s.resumed_executions >= o.max_executions)
    end = fmt::format("incomplete (max executions {} reached)", o.max_executions);
  else if (o.time_budget_seconds > 0 && s.elapsed_seconds >= o.time_budget_seconds)
    end = fmt::format("incomplete (time budget of {:g}s spent)", o.time_budget_seconds);
  else if (o.preemption_bound)
    end = fmt::format("incomplete (preemption bound {})", *o.preemption_bound);
  else
    end = "incomplete";
  if (went_on && !s.complete && s.fraction_done > 0 &&
      s.fraction_done < 1) {
    // Two significant digits, as plain numbers while they are readable.
    auto rough = [](double x) {
      if (x >= 1e9) return fmt::format("{:.1e}", x);
      double scale = std::pow(10.0, std::max(0.0, std::floor(std::log10(std::max(x, 1.0))) - 1));
      return fmt::format("{:.0f}", std::round(x / scale) * scale);
    };
    double percent = 100 * s.fraction_done;
    std::string share = percent >= 0.01 ? fmt::format("about {:.2g}%", percent)
                                        : std::string("under 0.01%");
    end += fmt::format("; {} of the search explored (a rough estimate: about {} executions left)",
                       share,
                       rough(static_cast<double>(s.executions) * (1 - s.fraction_done) /
                             s.fraction_done));
  }
  // Sleep-set-blocked and post-failure runs are not executions: said apart.
  std::string post_failure;
  if (s.post_failure_runs)
    post_failure = fmt::format(" + {} post-failure runs", s.post_failure_runs);
  std::string resumed;
  if (s.resumed_executions)
    resumed = fmt::format(" ({} before the checkpoint, {} in this run)", s.resumed_executions,
                          s.executions - s.resumed_executions);
  std::string text = fmt::format(
      "{} executions{} + {} sleep-set-blocked runs{}, {:.0f} executions/s, {} steps, max depth {}, "
      "{:.2f}s, {}",
      s.executions, resumed, s.sleep_blocked, post_failure, s.executions_per_second, s.total_steps,
      s.max_depth, s.elapsed_seconds, end);
  if (s.bounded_first_executions)
    text += fmt::format("\nbounded first: {} executions of plain DFS under preemption bounds before "
                        "the search proper found no failure{}",
                        s.bounded_first_executions,
                        s.bounded_first_exhausted >= 0
                            ? fmt::format(" (bounds 0..{} searched completely)", s.bounded_first_exhausted)
                            : std::string(" (bound 0 not searched completely)"));
  if (s.jobs > 1)
    text += fmt::format("\nparallel: {} jobs; {} branches handed out and taken ({} executions), "
                        "{} explored again by their owner",
                        s.jobs, s.tasks_taken, s.task_executions, s.tasks_redone);
  if (s.processes > 1)
    text += fmt::format("\ndistributed: {} processes of {} job{} each; rank 0 sent and received {} "
                        "hand-out messages ({:.0f}/s)",
                        s.processes, s.jobs, s.jobs == 1 ? "" : "s", s.messages,
                        s.elapsed_seconds > 0 ? s.messages / s.elapsed_seconds : 0.0);
  if (s.commutation_checks)
    text += fmt::format("\ncommutation check: {} pairs of steps declared independent run in both "
                        "orders, all commute",
                        s.commutation_checks);
  return text;
}

/// A search that went past executions reaching a model limit (Options::past_unsupported):
/// how many, the first, and what that means for the verdict. "" when none did.
std::string model_limit_text(const checker::Report& r) {
  const checker::Stats& s = r.stats;
  if (!r.unsupported) return "";
  std::string first = describe_violation(r.unsupported->violation, r.unsupported->log);
  if (first.rfind("unsupported ", 0) == 0) first.erase(0, 12);
  if (std::size_t at = first.find(": model limit: "); at != std::string::npos) first.erase(at + 2, 13);
  std::string counts = fmt::format("{} of the {} executions of the search", s.unsupported_executions, s.executions);
  if (s.bounded_first_executions)
    counts += fmt::format(" and {} of the {} of the bounded-first pass", s.bounded_first_unsupported,
                          s.bounded_first_executions);
  std::string text = fmt::format("model limit: {} reached a kernel path the model does not have and stopped there "
                                 "(the other threads ran on); the first (in the order searched) {}",
                                 counts, first);
  if (r.verdict == checker::Verdict::Unsupported)
    text += s.complete ? "\nmodel limit: no other failure in the whole search, so the verdict is unsupported: "
                         "the scenario is beyond the model, not shown clean"
                       : "\nmodel limit: no other failure in the executions searched";
  else if (r.verdict != checker::Verdict::Pass)
    text += "\nmodel limit: the failure reported does not depend on them (no step of its execution "
            "reached the limit)";
  return text;
}

/// The most resident memory this process has held so far, in KiB (getrusage).
/// How the fewest-preemption counterexample (n > 0 preemptions) was shown to be the fewest:
/// bounds 0..n-1 searched without a failure, by the bounded-first pass before the search
/// (0..bounded_first_exhausted) and by the re-search after it (the bounds above those).
std::string fewest_preemptions_note(const checker::Stats& s, unsigned n) {
  if (s.bounded_first_exhausted < 0)
    return fmt::format(" (bounds 0..{} searched again: {} executions)", n - 1, s.minimize_executions);
  const std::string before = fmt::format("bounds 0..{} searched before the search, with no failure",
                                         s.bounded_first_exhausted);
  if (s.minimize_executions == 0) return " (" + before + ")";
  return fmt::format(" ({}; the re-search under the bounds above took {} executions)", before,
                     s.minimize_executions);
}

long peak_rss_kib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

/// "no fixes reverted" or "reverted ID ...", then the era's fixes newer than its release that
/// stay applied ("; applied though newer than v3.9: eb66ae030829 (v4.20)").
/// For a --reach name no step bore: up to six names one execution of the scenario runs
/// (step labels and modelled functions) that look like it: those containing it or contained
/// in it, then those within a third of its length in edits; closest first, ties by name.
std::vector<std::string> names_like(const model::Scenario& scenario, std::uint64_t max_steps,
                                    const std::string& wanted) {
  auto program = scenario.make_program();
  std::vector<std::pair<std::size_t, std::string>> close;
  // The first schedule and 63 random ones: a name only some schedules run is found too.
  for (const std::string& name : checker::names_in_executions(*program, max_steps, 64)) {
    const std::size_t d = model::edit_distance(name, wanted);
    const bool contains = name.find(wanted) != std::string::npos || wanted.find(name) != std::string::npos;
    if (contains && name.size() >= 4) close.emplace_back(0, name);
    else if (3 * d <= std::max(name.size(), wanted.size())) close.emplace_back(d, name);
  }
  std::sort(close.begin(), close.end());
  std::vector<std::string> out;
  for (std::size_t i = 0; i < close.size() && i < 6; ++i) out.push_back(close[i].second);
  return out;
}

std::string reverted_text(const std::string& era, const std::vector<std::string>& reverted) {
  std::string s = reverted.empty() ? "no fixes reverted" : "reverted";
  for (const std::string& r : reverted) s += " " + r;
  model::Era e{};
  if (!model::parse_era(era, e)) return s;
  const std::vector<std::string> later = model::later_fixes_applied(e, reverted);
  if (later.empty()) return s;
  s += "; applied though newer than v" + era + ":";
  for (std::size_t i = 0; i < later.size(); ++i) s += (i ? ", " : " ") + later[i];
  return s;
}

// ---- run ---------------------------------------------------------------------

struct RunArgs {
  std::string scenario;
  std::string trace_out;
  std::string format = "text";
  std::uint64_t max_steps = 0;
  unsigned preemption_bound = 0;
  std::uint64_t max_executions = 0;
  double time_budget = 0;
  std::string strategy;
  unsigned jobs = 0;
  bool expect = false;  ///< exit code says whether the scenario's expectation was met
  bool first_found = false;  ///< no re-search for the counterexample with the fewest preemptions
  bool stop_at_limit = false;  ///< end the search at the first run that reaches a model limit
  unsigned check_commutation = 0;  ///< checker::Options::check_commutation
  std::uint64_t bounded_first = 0;  ///< checker::Options::bounded_first
  CLI::Option* bounded_first_opt = nullptr;
  std::string checkpoint;  ///< --checkpoint FILE
  std::string resume;      ///< --resume FILE
  std::vector<std::string> reach;       ///< --reach [THREAD:]FUNCTION, each occurrence
  CLI::Option* reach_opt = nullptr;
  std::vector<std::string> reach_note;  ///< --reach-note [THREAD:]TEXT, each occurrence
  CLI::Option* reach_note_opt = nullptr;
  CLI::App* app = nullptr;              ///< the run subcommand (its parse order: "X then Y")
  CLI::Option* max_steps_opt = nullptr;
  CLI::Option* jobs_opt = nullptr;
  CLI::Option* preemption_opt = nullptr;
  CLI::Option* max_executions_opt = nullptr;
  CLI::Option* time_budget_opt = nullptr;
};

/// A checkpoint the engine refused: its pointer is into the file's "engine" document.
model::InputError engine_checkpoint_error(const std::string& file, const std::string& what) {
  if (what.rfind("at /", 0) == 0) {
    std::size_t colon = what.find(": ");
    if (colon != std::string::npos)
      return model::InputError(file, "/engine" + what.substr(3, colon - 3), what.substr(colon + 2));
  }
  return model::InputError(file, "/engine", what);
}

/// --reach [THREAD:]FUNCTION: a thread of the scenario and a step label, or a label of any
/// thread ("user store: page walk" is a label: a colon followed by a space is part of it).
checker::ReachTarget parse_reach(const std::string& text, const model::Scenario& scenario) {
  const std::string usage = "give [THREAD:]FUNCTION, a kernel function as the timeline names it (F:do_swap_page)";
  if (text.empty()) throw BadInput("--reach: empty; " + usage);
  std::string names;
  const std::vector<std::string> threads = scenario.thread_names();  // "R.bio" too
  for (const std::string& t : threads) names += (names.empty() ? "" : ", ") + t;
  const std::size_t colon = text.find(':');
  if (colon != std::string::npos) {
    const std::string thread = text.substr(0, colon);
    const std::string label = text.substr(colon + 1);
    const bool named = std::find(threads.begin(), threads.end(), thread) != threads.end();
    if (named) {
      if (label.empty()) throw BadInput("--reach " + model::quote_input(text) + ": no function after the thread; " + usage);
      return {thread, label};
    }
    const bool looks_like_a_thread =
        !thread.empty() && thread.find(' ') == std::string::npos && (label.empty() || label[0] != ' ');
    if (looks_like_a_thread)
      throw BadInput("--reach " + model::quote_input(text) + ": the scenario has no thread " +
                     model::quote_input(thread) + " (its threads: " + names + ")");
  }
  return {"", text};
}

/// --reach-note [THREAD:]TEXT: the text before the first ':' is a thread only when the
/// scenario has a thread so named (a note's text has colons of its own: "A:0x1000 = none").
checker::ReachTarget parse_reach_note(const std::string& text, const model::Scenario& scenario) {
  const std::string usage = "give [THREAD:]TEXT, text of a step's note as the timeline prints it (KD:migrate_nodes)";
  const std::vector<std::string> threads = scenario.thread_names();
  const std::size_t colon = text.find(':');
  checker::ReachTarget t{"", text, true};
  if (colon != std::string::npos &&
      std::find(threads.begin(), threads.end(), text.substr(0, colon)) != threads.end())
    t = {text.substr(0, colon), text.substr(colon + 1), true};
  if (t.label.empty()) throw BadInput("--reach-note " + model::quote_input(text) + ": no text to find; " + usage);
  return t;
}

/// " after X after Y": the targets a chained --reach wants reached first (latest first), or "".
std::string after_text(const checker::ReachTarget& reach) {
  std::string t;
  for (auto it = reach.after.rbegin(); it != reach.after.rend(); ++it) t += " after " + it->text();
  return t;
}

/// The "not reached" verdict of a --reach-note search.
std::string not_reached_note(const checker::ReachTarget& reach, const checker::Stats& st) {
  const std::string who = reach.thread.empty() ? "any thread" : "thread " + reach.thread;
  return fmt::format("not reached: no execution {} has a step of {} whose note contains {}{}{}",
                     st.complete ? "of the whole search" : "searched", who, model::quote_input(reach.label),
                     after_text(reach),
                     st.complete ? (st.reach_label_seen ? (reach.after.empty()
                                                               ? " (exhaustive: steps of other threads have such notes)"
                                                               : " (exhaustive: steps have such notes, never after the "
                                                                 "earlier targets in that order)")
                                                        : " (exhaustive, and no step of any thread has such a note in "
                                                          "any run: notes are the state changes a timeline prints in "
                                                          "its cells)")
                                 : (st.reach_label_seen ? " (the search was cut short)"
                                                        : " (the search was cut short, and no step it ran had such "
                                                          "a note)"));
}

int cmd_run(const RunArgs& a, std::ostream& out, std::ostream& err, const CliEnvironment& env) {
  std::optional<CheckpointFile> resume;
  std::string scenario_path = a.scenario;
  if (!a.resume.empty()) {
    resume = CheckpointFile::load(a.resume);
    if (scenario_path.empty()) {
      scenario_path = find_recorded_scenario(a.resume, resume->scenario_file);
      if (scenario_path.empty())
        throw model::InputError(
            a.resume, "/scenario/file",
            fmt::format("scenario file {} not found (looked in the working directory and the "
                        "checkpoint's parent directories); give it as SCENARIO",
                        model::quote_input(resume->scenario_file)));
    }
  }
  require_file(scenario_path, "scenario");
  model::Scenario scenario = model::Scenario::load(scenario_path);
  if (resume && scenario.content_hash() != resume->content_hash)
    throw model::InputError(
        a.resume, "/scenario/content_hash",
        fmt::format("checkpoint of scenario {} version {}; the file {} now has {}",
                    model::excerpt(resume->scenario_name), model::excerpt(resume->content_hash),
                    scenario_path, scenario.content_hash()));
  // In a distributed search (mpirun) rank 0 reports and writes; the others serve.
  const bool reporter = checker::Cluster::rank() == 0;
  // Before the search, not after it: an unusable output path fails at once.
  if (reporter && !a.trace_out.empty()) check_output(a.trace_out, "trace", {scenario_path});
  if (reporter && !a.checkpoint.empty())
    check_output(a.checkpoint, "checkpoint", {scenario_path, a.trace_out});
  ExploreOverrides ov;
  if (resume) {  // the checkpoint's search options, unless given again
    ov.strategy = resume->strategy == "dfs" && !resume->preemption_bound ? checker::StrategyKind::Dfs
                                                                         : checker::StrategyKind::Dpor;
    ov.max_steps = resume->max_steps;
    ov.preemption_bound = resume->preemption_bound;
    ov.resume = std::make_shared<const std::string>(resume->engine);
  }
  if (a.max_steps_opt->count()) ov.max_steps = a.max_steps;
  if (a.preemption_opt->count()) ov.preemption_bound = a.preemption_bound;
  if (a.max_executions_opt->count()) ov.max_executions = a.max_executions;
  if (!a.strategy.empty()) ov.strategy = strategy_from_name(a.strategy);
  if (a.jobs_opt->count()) ov.jobs = a.jobs;
  if (a.first_found) ov.fewest_preemptions = false;
  if (a.stop_at_limit) ov.past_unsupported = false;
  if (a.check_commutation) ov.check_commutation = a.check_commutation;
  if (a.time_budget_opt->count()) ov.time_budget_seconds = a.time_budget;
  if (a.bounded_first_opt->count()) ov.bounded_first = a.bounded_first;
  ov.checkpoint = !a.checkpoint.empty();
  if (a.reach_opt->count() || a.reach_note_opt->count()) {
    const char* flag = a.reach_opt->count() ? "--reach" : "--reach-note";
    for (auto [given, name] : {std::pair{a.expect, "--expect"}, std::pair{!a.checkpoint.empty(), "--checkpoint"},
                               std::pair{!a.resume.empty(), "--resume"},
                               std::pair{a.check_commutation != 0, "--check-commutation"}})
      if (given)
        throw BadInput(std::string(flag) + " does not combine with " + name +
                       ": it asks whether one step is reachable, not for the scenario's verdict");
    // Each --reach and --reach-note is a target, in the order given: the last is the step to
    // reach, the ones before it must be reached first, in order ("X then Y": ReachTarget::after).
    std::vector<checker::ReachTarget> targets;
    std::size_t next_reach = 0, next_note = 0;
    for (const CLI::Option* o : a.app->parse_order()) {
      if (o == a.reach_opt && next_reach < a.reach.size())
        targets.push_back(parse_reach(a.reach[next_reach++], scenario));
      else if (o == a.reach_note_opt && next_note < a.reach_note.size())
        targets.push_back(parse_reach_note(a.reach_note[next_note++], scenario));
    }
    while (next_reach < a.reach.size()) targets.push_back(parse_reach(a.reach[next_reach++], scenario));
    while (next_note < a.reach_note.size()) targets.push_back(parse_reach_note(a.reach_note[next_note++], scenario));
    if (targets.size() > kMaxReachTargets)
      throw BadInput(fmt::format("--reach, --reach-note: {} targets; at most {} (one step and the {} before it)",
                                 targets.size(), kMaxReachTargets, kMaxReachTargets - 1));
    ov.reach = targets.back();
    ov.reach->after.assign(targets.begin(), targets.end() - 1);
  }
  {
    checker::Options o = ScenarioRun::options_for(scenario, ov);
    if (resume) resume->check_options(a.resume, o);
    if (ov.checkpoint && checkpoint_strategy(o).empty())
      throw BadInput("--checkpoint: only dpor and dfs searches keep checkpoints, this one is " +
                     strategy_name(o.strategy));
  }

  ProgressLine progress(err, env.progress);
  std::optional<ScenarioRun> explored;
  int stop_signal = 0;
  {
    InterruptGuard interrupt(env.handle_signals);
    ov.stop_requested = interrupt.flag();
    try {
      explored = ScenarioRun::explore(scenario, ov, recorded_path(scenario_path), progress.callback());
    } catch (const checker::CheckpointError& e) {
      progress.clear();
      throw engine_checkpoint_error(a.resume, e.what());
    }
    stop_signal = interrupt.signal_number();
  }
  progress.clear();
  if (!reporter) return stop_signal ? 128 + stop_signal : kExitOk;
  const ScenarioRun& run = *explored;
  const checker::Report& r = run.report;
  std::optional<Trace> trace;
  if (r.counterexample && r.verdict != checker::Verdict::Pass) trace = run.trace();
  // --reach: the search found its witness (a failure of the kernel met first is reported as one).
  const bool reached = trace && trace->violation.verdict == checker::Verdict::Violation &&
                       trace->violation.kind == checker::FailureKind::Reached;
  const std::optional<checker::ReachTarget>& reach = run.options.reach;
  const std::string not_reached =
      reach && r.verdict == checker::Verdict::Pass
          ? reach->in_note ? not_reached_note(*reach, r.stats)
          : fmt::format("not reached: no execution {} runs {}{}", r.stats.complete ? "of the whole search" : "searched",
                        (reach->thread.empty() ? "a step " + model::quote_input(reach->label)
                                               : fmt::format("{} in thread {}", model::quote_input(reach->label),
                                                             reach->thread)) +
                            after_text(*reach),
                        r.stats.complete
                            ? (r.stats.reach_label_seen
                                   ? (reach->after.empty()
                                          ? " (exhaustive: other threads run steps so named, or inside a function so "
                                            "named, this one never does)"
                                          : " (exhaustive: steps so named run, never after the earlier targets in "
                                            "that order)")
                                   : " (exhaustive, and no step of any thread has that name or runs inside a "
                                     "modelled function of that name in any run: check it against a timeline of "
                                     "the scenario, which shows its steps' names)")
                            : (r.stats.reach_label_seen ? " (the search was cut short)"
                                                        : " (the search was cut short, and no step it ran has that "
                                                          "name or runs inside a function of that name)"))
          : std::string();

  // The paths each run took are counted in this process: a resumed search or
  // one spread over processes sees only part of the runs, so says nothing.
  const bool paths_whole = r.stats.resumed_executions == 0 && r.stats.processes == 1;
  // What `mmcheck check` says of the scenario: a pass can only be read with its notes (what
  // the model leaves out here) and findings (a thread that never runs, too few free pages).
  const model::LintReport& lint = run.check;
  if (a.format == "json") {
    nlohmann::ordered_json j;
    j["scenario"] = {{"name", scenario.name()},
                     {"file", run.provenance.scenario_file},
                     {"content_hash", scenario.content_hash()}};
    nlohmann::ordered_json findings = nlohmann::ordered_json::array();
    for (const model::LintFinding& f : lint.findings)
      findings.push_back({{"kind", model::lint_kind_name(f.kind)}, {"pointer", f.pointer}, {"message", f.message}});
    j["check"] = {{"findings", std::move(findings)}, {"notes", lint.notes}};
    j["verdict"] = reached ? "reached" : !not_reached.empty() ? "not reached" : checker::to_string(r.verdict);
    if (reach)  // the scenario's expectation is not what --reach asks
      j["expectation"] = nullptr;
    else
      j["expectation"] = {{"expected", run.expected}, {"got", run.got}, {"met", run.met}};
    nlohmann::ordered_json reach_after = nlohmann::ordered_json::array();
    if (reach)
      for (std::size_t k = 0; k < reach->after.size(); ++k) {
        nlohmann::ordered_json t = reach_target_json(reach->after[k]);
        t["seen"] = reached || (r.stats.reach_after_seen & (1u << k)) != 0;
        reach_after.push_back(std::move(t));
      }
    j["reach"] = nlohmann::ordered_json();
    if (reach) {
      nlohmann::ordered_json& rj = j["reach"] = reach_target_json(*reach);
      rj["after"] = std::move(reach_after);
      rj["reached"] = reached;
      rj["name_seen"] = reached || r.stats.reach_label_seen;
      rj["names_like"] = !not_reached.empty() && !r.stats.reach_label_seen && !reach->in_note
                             ? nlohmann::ordered_json(names_like(scenario, run.options.max_steps, reach->label))
                             : nlohmann::ordered_json();
    }
    j["statistics"] = stats_to_json(r.stats);
    j["statistics"]["post_failure_runs"] = r.stats.post_failure_runs;
    j["statistics"]["unsupported_executions"] = r.stats.unsupported_executions;
    // The first execution that reached a model limit (a search stopped there: its counterexample).
    const checker::Counterexample* limit =
        r.unsupported ? &*r.unsupported
                      : (r.verdict == checker::Verdict::Unsupported && r.counterexample ? &*r.counterexample : nullptr);
    j["model_limit"] = limit ? nlohmann::ordered_json(describe_violation(limit->violation, limit->log))
                             : nlohmann::ordered_json();
    j["statistics"]["minimize_executions"] = r.stats.minimize_executions;
    j["statistics"]["bounded_first"] = {{"executions", r.stats.bounded_first_executions},
                                        {"exhausted_bound", r.stats.bounded_first_exhausted >= 0
                                                                ? nlohmann::ordered_json(r.stats.bounded_first_exhausted)
                                                                : nlohmann::ordered_json()},
                                        {"found", r.stats.found_bounded_first},
                                        {"unsupported_executions", r.stats.bounded_first_unsupported}};
    if (!r.stats.complete && r.stats.fraction_done >= 0)
      j["statistics"]["fraction_done_estimate"] = r.stats.fraction_done;
    j["statistics"]["executions_per_second"] = r.stats.executions_per_second;
    j["statistics"]["jobs"] = r.stats.jobs;
    j["statistics"]["interrupted"] = r.stats.interrupted;
    if (r.stats.jobs > 1)
      j["statistics"]["parallel"] = {{"tasks_taken", r.stats.tasks_taken},
                                     {"task_executions", r.stats.task_executions},
                                     {"tasks_redone", r.stats.tasks_redone}};
    j["statistics"]["resumed_executions"] = r.stats.resumed_executions;
    j["statistics"]["peak_rss_kib"] = peak_rss_kib();
    j["statistics"]["processes"] = r.stats.processes;
    j["statistics"]["messages"] = r.stats.messages;
    j["checkpoint"] = r.checkpoint && !a.checkpoint.empty() ? nlohmann::ordered_json(a.checkpoint)
                                                            : nlohmann::ordered_json();
    if (run.paths && paths_whole && !reached) j["paths"] = paths_to_json(scenario, *run.paths);  // (as the text: not after a witness)
    j["trace"] = trace ? trace->to_json() : nlohmann::ordered_json();
    out << dump_json(j);
  } else {
    out << fmt::format("scenario {} ({})\n", scenario.name(), scenario_path);
    if (resume)
      out << fmt::format("resumed from {} ({} executions explored before it)\n", a.resume,
                         r.stats.resumed_executions);
    out << fmt::format("kernel {}, {}\n", scenario.era(), reverted_text(scenario.era(), scenario.reverted()));
    for (const model::LintFinding& f : lint.findings) out << fmt::format("check: at {}: {}\n", f.pointer, f.message);
    for (const std::string& n : lint.notes) out << "note: " << n << "\n";
    out << "verdict: "
        << (trace ? describe_violation(trace->violation, trace->log)
            : !not_reached.empty() ? not_reached
            : r.stats.interrupted ? std::string("no failure so far (interrupted)")
            : lint.findings.empty()
                ? std::string("pass")
                : fmt::format("pass, with {} check finding{} above: the search may not have run what the scenario is "
                              "about (an expected pass is not met)",
                              lint.findings.size(), lint.findings.size() == 1 ? "" : "s"))
        << "\n";
    if (reach && trace && !reached)
      out << fmt::format("reach: the search ended at this failure before any execution ran {}{}\n", reach->text(),
                         r.stats.reach_label_seen ? ""
                         : reach->in_note         ? " (and no step it ran had such a note)"
                                                  : " (and no step it ran had that name or ran inside a function of "
                                                    "that name)");
    if (!not_reached.empty())
      for (std::size_t k = 0; k < reach->after.size(); ++k)
        if (!(r.stats.reach_after_seen & (1u << k)))
          out << fmt::format("reach: no step of any run {} matched the earlier target {}{}\n",
                             r.stats.complete ? "of the search" : "searched", reach->after[k].text(),
                             reach->after[k].in_note ? " (no step's note contains its text)"
                                                     : " (no step of any thread has that name or runs inside a function "
                                                       "of that name: check it against a timeline of the scenario)");
    if (reach && !reached && (trace || !not_reached.empty()) && !r.stats.reach_label_seen && !reach->in_note) {
      const std::vector<std::string> like = names_like(scenario, run.options.max_steps, reach->label);
      out << (like.empty() ? std::string("reach: no name in 64 executions of this scenario looks like it\n")
                           : fmt::format("reach: names 64 executions of this scenario run that look like it: {}\n",
                                         fmt::join(like, ", ")));
    }
    if (trace && trace->violation.verdict == checker::Verdict::StepBound)
      out << fmt::format("hint: a step bound is a livelock of the simulated kernel or a max_steps ({}) too small for "
                         "this scenario: run again with a larger --max-steps (or explore.max_steps) to tell them apart\n",
                         run.options.max_steps);
    out << "search: " << search_text(r, run.options) << "\n";
    if (std::string limit = model_limit_text(r); !limit.empty()) out << limit << "\n";
    out << fmt::format("memory: peak RSS {:.1f} MiB (this process)\n", peak_rss_kib() / 1024.0);
    // (Not after a witness: the search stopped there, and the witness's own run, cut at its
    // step, is not among the runs the lines count, so "in every run" would contradict it.)
    if (run.paths && paths_whole && !reached) {
      const std::vector<std::string> lines = paths_never_ok(scenario, *run.paths);
      for (const std::string& line : lines) out << "paths: " << line << "\n";
      if (!lines.empty() && (r.stats.bounded_first_executions || r.stats.minimize_executions))
        out << fmt::format("paths: (the runs these lines count are every run of the program: the search's, and the {} "
                           "of the bounded first pass{})\n",
                           r.stats.bounded_first_executions,
                           r.stats.minimize_executions
                               ? fmt::format(" and the {} of the search for fewer preemptions", r.stats.minimize_executions)
                               : std::string());
    }
    if (r.counterexample) {
      const char* noun = reached ? "witness" : "counterexample";
      unsigned n = r.counterexample->preemptions;
      if (r.verdict == checker::Verdict::Unsupported && run.options.past_unsupported)
        out << noun << fmt::format(": {} preemption{} (the first execution that reached the limit)\n", n,
                           n == 1 ? "" : "s");
      else if (run.options.fewest_preemptions && r.stats.interrupted)
        out << noun << fmt::format(": {} preemption{} (the search for fewer was "
                           "interrupted)\n",
                           n, n == 1 ? "" : "s");
      else if (r.stats.found_bounded_first)
        out << noun << fmt::format(": {} preemption{}, the fewest possible{}\n", n,
                           n == 1 ? "" : "s",
                           n == 0 ? std::string()
                                  : fmt::format(" (bounds 0..{} searched first, with no failure)", n - 1));
      else if (run.options.fewest_preemptions)
        out << noun << fmt::format(": {} preemption{}, the fewest possible{}\n", n,
                           n == 1 ? "" : "s",
                           n == 0 ? std::string() : fewest_preemptions_note(r.stats, n));
      else
        out << noun << fmt::format(": {} preemption{} (the first found)\n", n,
                           n == 1 ? "" : "s");
    }
    if (reach)
      out << "expectation: not checked (--reach asks whether a step is reachable)\n";
    else
      out << fmt::format("expectation: {}: {}\n", run.expected,
                         run.met ? "met" : fmt::format("MISSED (got {})", run.got));
    if (trace) out << "\n" << render_timeline(trace->log, &trace->violation);
  }

  if (!a.trace_out.empty()) {
    if (trace) {
      trace->save(a.trace_out);
      if (a.format != "json") out << "\ntrace written to " << a.trace_out << "\n";
    } else if (a.format != "json") {
      out << (reach ? "\nno trace written: no execution reached the step\n"
                    : "\nno trace written: no failing execution\n");
    }
  }

  if (!a.checkpoint.empty()) {
    if (r.checkpoint) {
      CheckpointFile c;
      c.tool_version = std::string(kVersion);
      c.scenario_name = scenario.name();
      c.scenario_file = run.provenance.scenario_file;
      c.content_hash = scenario.content_hash();
      c.strategy = checkpoint_strategy(run.options);
      c.max_steps = run.options.max_steps;
      c.preemption_bound = run.options.preemption_bound;
      c.executions = r.stats.executions;
      c.engine = *r.checkpoint;
      c.save(a.checkpoint);
      if (a.format != "json")
        out << fmt::format("\ncheckpoint written to {} ({} executions so far); continue with: "
                           "mmcheck run --resume {}\n",
                           a.checkpoint, r.stats.executions, a.checkpoint);
    } else if (a.format != "json") {
      out << "\nno checkpoint written: the search ended\n";
    }
  }

  if (r.verdict == checker::Verdict::ModelError) {
    err << "mmcheck: " << scenario_path << ": "
        << (trace ? describe_violation(trace->violation, trace->log) : "model error") << "\n";
    return kExitInternal;
  }
  if (r.verdict == checker::Verdict::Unsupported) {
    // A model limit is never a kernel bug and never meets an expectation.
    err << "mmcheck: " << scenario_path << ": "
        << (trace ? describe_violation(trace->violation, trace->log) : "unsupported") << "\n";
    return kExitUnsupported;
  }
  // A signal that came during the search, even one that came too late to cut it.
  if (stop_signal) return 128 + stop_signal;
  if (reach) return reached ? kExitOk : kExitViolation;
  if (a.expect) return run.met ? kExitOk : kExitViolation;
  return r.verdict == checker::Verdict::Pass ? kExitOk : kExitViolation;
}

// ---- replay ------------------------------------------------------------------

struct ReplayArgs {
  std::string trace;
  std::string scenario;
  std::string against;
  std::string format = "text";
};

/// replay --against: the trace's schedule on another scenario; the verdict is the answer.
int cmd_replay_against(const ReplayArgs& a, std::ostream& out) {
  TraceReplay rp = TraceReplay::follow(a.trace, a.against);
  const Provenance& p = rp.trace.provenance;
  const checker::Counterexample& c = rp.report.counterexample.value();
  const checker::FollowStats& f = *rp.followed;
  const checker::Verdict v = rp.report.verdict;
  if (a.format == "json") {
    nlohmann::ordered_json j;
    j["trace"] = a.trace;
    j["against"] = rp.scenario_file;
    j["verdict"] = checker::to_string(v);
    j["followed"] = {{"in_order", f.in_order}, {"out_of_order", f.out_of_order}, {"free", f.free},
                     {"unused", f.unused}, {"values_free", f.values_free}};
    j["replayed"] = rp.replayed_trace().to_json();
    out << dump_json(j);
  } else {
    out << fmt::format("trace {}: scenario {} (kernel {}, {})\n", a.trace, p.scenario_name, p.era,
                       reverted_text(p.era, p.reverted));
    out << fmt::format("against {}: its schedule as a thread order, followed where the threads can run\n",
                       rp.scenario_file);
    out << fmt::format("followed: {} steps as recorded, {} out of order (an earlier recorded step's thread could "
                       "not run), {} with no recorded step left for a thread that could run, {} recorded steps "
                       "never taken{}\n",
                       f.in_order, f.out_of_order, f.free, f.unused,
                       f.values_free ? fmt::format(", {} value choices not recorded (0 taken)", f.values_free) : "");
    out << fmt::format("verdict: {}\n", v == checker::Verdict::Pass
                                            ? "pass: no violation on this schedule (evidence for this one "
                                              "schedule only; `mmcheck run` searches them all)"
                                            : describe_violation(c.violation, c.log));
    out << "\n" << render_timeline(c.log, v == checker::Verdict::Pass ? nullptr : &c.violation);
  }
  if (v == checker::Verdict::Pass) return kExitOk;
  if (v == checker::Verdict::Unsupported) return kExitUnsupported;
  if (v == checker::Verdict::ModelError) return kExitInternal;
  return kExitViolation;
}

int cmd_replay(const ReplayArgs& a, std::ostream& out, std::ostream& err) {
  if (!a.against.empty()) return cmd_replay_against(a, out);
  std::optional<std::string> scenario;
  if (!a.scenario.empty()) scenario = a.scenario;
  TraceReplay rp = TraceReplay::run(a.trace, scenario);
  const Provenance& p = rp.trace.provenance;
  const checker::Counterexample& c = rp.report.counterexample.value();

  if (a.format == "json") {
    nlohmann::ordered_json j;
    j["trace"] = a.trace;
    j["scenario"] = rp.scenario_file;
    j["reproduced"] = rp.reproduced();
    j["problem"] = rp.reproduced() ? nlohmann::ordered_json() : nlohmann::ordered_json(rp.problem);
    j["replayed"] = rp.replayed_trace().to_json();
    out << dump_json(j);
  } else {
    out << fmt::format("trace {}: scenario {} ({}, version {})\n", a.trace, p.scenario_name,
                       rp.scenario_file, p.content_hash);
    out << fmt::format("kernel {}, {}\n", p.era, reverted_text(p.era, p.reverted));
    out << fmt::format("replay: {} steps, {}\n", c.log.steps.size(),
                       !rp.reproduced() ? "NOT reproduced"
                       : p.reach        ? "reproduced the recorded witness (it reaches " + p.reach->text() + ")"
                                        : "reproduced the recorded violation");
    out << "\n"
        << render_timeline(c.log, rp.report.verdict == checker::Verdict::Pass ? nullptr
                                                                              : &c.violation);
  }
  if (!rp.reproduced()) {
    err << "mmcheck: " << a.trace << ": " << one_line(rp.problem) << "\n";
    return kExitBadInput;
  }
  // A trace of a model limit reproduces a limit, not a kernel bug: exit as run did.
  if (rp.report.verdict == checker::Verdict::Unsupported) return kExitUnsupported;
  // A witness (run --reach) reproduced: the step is reached again, as run said with exit 0.
  if (rp.report.counterexample->violation.kind == checker::FailureKind::Reached &&
      rp.report.verdict == checker::Verdict::Violation)
    return kExitOk;
  return kExitViolation;
}

// ---- regress -----------------------------------------------------------------

struct RegressArgs {
  std::string dir = ".";
  std::string junit;
  double row_timeout = 600;
};

int cmd_regress(const RegressArgs& a, std::ostream& out, std::ostream& err,
                const CliEnvironment& env) {
  if (!a.junit.empty()) check_output(a.junit, "JUnit");  // fail before a long run, not after it
  ProgressLine progress(err, env.progress);
  RegressOptions options;
  options.row_timeout_seconds = a.row_timeout;
  Regress reg = Regress::run(
      a.dir, progress.callback(),
      [&](const Regress::Row& row) {
        progress.clear_any();
        if (row.status == Regress::Status::BadInput) err << "mmcheck: " << one_line(row.detail) << "\n";
        if (row.status == Regress::Status::Crashed || row.status == Regress::Status::TimedOut)
          err << "mmcheck: " << row.name << ": " << one_line(row.detail) << "\n";
      },
      options);
  progress.clear();
  out << reg.table();
  if (!a.junit.empty()) {
    write_atomically(a.junit, reg.junit().xml(), "JUnit");
    out << "JUnit XML written to " << a.junit << "\n";
  }
  return reg.exit_code();
}

// ---- list --------------------------------------------------------------------

int cmd_list(const std::string& format, std::ostream& out) {
  struct Section {
    const char* key;    ///< the JSON key
    const char* title;  ///< the text heading
    std::vector<model::CatalogueEntry> entries;
  };
  const Section sections[] = {
      {"actors", "actors", model::actors()},
      {"not_modelled", "not modelled (a scenario naming one is unsupported, exit 4, or bad input before its kernel)",
       model::not_modelled()},
      {"fixes", "fixes", model::fixes()},
      {"invariants", "invariants", model::invariants()},
      {"eras", "eras", model::eras()},
  };
  if (format == "json") {
    nlohmann::ordered_json j;
    for (const Section& s : sections) {
      nlohmann::ordered_json arr = nlohmann::ordered_json::array();
      for (const model::CatalogueEntry& e : s.entries)
        arr.push_back({{"name", e.name}, {"description", e.description}});
      j[s.key] = std::move(arr);
    }
    out << dump_json(j);
    return kExitOk;
  }
  bool first = true;
  for (const Section& s : sections) {
    if (!first) out << "\n";
    first = false;
    out << s.title << ":\n";
    std::size_t w = 0;
    for (const model::CatalogueEntry& e : s.entries) w = std::max(w, e.name.size());
    if (s.entries.empty()) out << "  (none)\n";
    for (const model::CatalogueEntry& e : s.entries)
      out << fmt::format("  {:<{}}  {}\n", e.name, w, e.description);
  }
  return kExitOk;
}

}  // namespace

int run_cli(std::vector<std::string> args, std::ostream& out, std::ostream& err,
            const CliEnvironment& env) {
  try {
    CLI::App app{"mmcheck: a deterministic concurrency model checker for Linux "
                 "memory-management races",
                 "mmcheck"};
    app.set_version_flag("--version", "mmcheck " + std::string(kVersion));
    app.footer(kFooter);
    app.require_subcommand(1);

    // CLI11 would read "-1" as a huge unsigned number: accept digits only.
    const CLI::Validator digits(
        [](std::string& v) {
          bool ok = !v.empty() && std::all_of(v.begin(), v.end(),
                                              [](char c) { return c >= '0' && c <= '9'; });
          return ok ? std::string() : "expected a non-negative integer, got \"" + v + "\"";
        },
        "", "digits");

    RunArgs ra;
    CLI::App* run = app.add_subcommand(
        "run", "Explore a scenario: print the verdict, statistics, whether the scenario's "
               "expectation was met and, on a violation, the timeline");
    run->add_option("SCENARIO", ra.scenario,
                    "scenario file (JSON); with --resume, default: the one the checkpoint names");
    run->add_option("--trace-out", ra.trace_out,
                    "write the counterexample trace (JSON) to this file");
    run->add_option("--format", ra.format, "output format")
        ->check(CLI::IsMember({"text", "json"}));
    ra.max_steps_opt = run->add_option("--max-steps", ra.max_steps,
                                       "steps per execution before a step-bound verdict "
                                       "(overrides the scenario)")
                           ->check(digits);
    ra.preemption_opt = run->add_option("--preemption-bound", ra.preemption_bound,
                                        "at most this many preemptions per execution "
                                        "(overrides the scenario)")
                           ->check(digits);
    ra.max_executions_opt = run->add_option("--max-executions", ra.max_executions,
                                            "stop after this many executions, 0 = unbounded "
                                            "(overrides the scenario)")
                           ->check(digits);
    ra.time_budget_opt = run->add_option("--time-budget", ra.time_budget,
                                         "stop after this many seconds of search, fractional "
                                         "(overrides the scenario)");

    run->add_option("--strategy", ra.strategy, "search strategy (overrides the scenario)")
        ->check(CLI::IsMember({"dfs", "dpor", "random", "pct"}));
    run->add_flag("--expect", ra.expect,
                  "exit 0 when the scenario's expectation is met, 1 when it is missed "
                  "(instead of 0 no violation / 1 violation)");
    run->add_flag("--first-found", ra.first_found,
                  "report the first counterexample found, without searching again under "
                  "preemption bounds 0, 1, ... for the one with the fewest preemptions");
    run->add_flag("--stop-at-limit", ra.stop_at_limit,
                  "end the search at the first execution that reaches a model limit (by default "
                  "the search goes on past such executions, so a violation elsewhere is still "
                  "found, and reports the limit only when there is none)");
    ra.bounded_first_opt =
        run->add_option("--bounded-first", ra.bounded_first,
                        "before the search, spend up to N executions on plain DFS under "
                        "preemption bounds 0, 1, 2, ... (iterative context bounding: races "
                        "that need few preemptions are found first); 0 = off; default " +
                            std::to_string(kDefaultBoundedFirst))
            ->check(digits);
    run->add_option("--check-commutation", ra.check_commutation,
                    "also run each pair of adjacent steps declared independent in the other "
                    "order and fail (model error) when the outcome differs; N: each distinct "
                    "pair at most N times (slow; runs on one thread)")
        ->check(digits);
    run->add_option("--checkpoint", ra.checkpoint,
                    "when the search is cut short (--max-executions, --time-budget, Ctrl-C or "
                    "SIGTERM), write its unexplored frontier to this file (dpor and dfs)");
    run->add_option("--resume", ra.resume,
                    "continue the search a --checkpoint file left: the executions of the pieces "
                    "add up to those of one uncut search, with the same verdict");
    ra.reach_opt = run->add_option(
        "--reach", ra.reach,
        "[THREAD:]FUNCTION: search for an execution in which THREAD (any thread when left out) runs a "
        "step named FUNCTION (as the timeline names it: do_swap_page, or \"user store\" for \"user store: page "
        "walk\"); print the first such execution, with the fewest preemptions, as a witness (its trace with "
        "--trace-out) and exit 0, or exit 1 when none does; given more than once (with --reach-note too), "
        "each target after the one before it, in the order given: the same thread later, or a step ordered "
        "after it by a chain of dependent steps (--reach W:wp_page_reuse --reach W:do_swap_page)");
    ra.reach_note_opt = run->add_option(
        "--reach-note", ra.reach_note,
        "[THREAD:]TEXT: as --reach, for a step of THREAD whose note (the state change the timeline prints "
        "in its cell: \"S moved to migrate_nodes\", \"-EBUSY\") contains TEXT; the search records notes, "
        "so it runs slower than --reach");
    ra.app = run;
    ra.jobs_opt = run->add_option("--jobs", ra.jobs,
                                  "worker threads (dpor; the results do not depend on it)")
                      ->check(digits);

    ReplayArgs pa;
    CLI::App* replay = app.add_subcommand(
        "replay", "Re-execute a trace against its scenario: the same violation or the first "
                  "divergence, and the timeline");
    replay->add_option("TRACE", pa.trace, "trace file (JSON)")->required();
    replay->add_option("--scenario", pa.scenario,
                       "scenario file (default: the path recorded in the trace, relative to "
                       "the working directory or a parent directory of the trace)");
    CLI::Option* against =
        replay->add_option("--against", pa.against,
                           "another scenario (the trace's with its fix applied, say): run the trace's schedule "
                           "there as a thread order, followed where its threads can run, and print the verdict "
                           "and timeline (exit 0 when no violation, 1 on one)");
    replay->get_option("--scenario")->excludes(against);
    replay->add_option("--format", pa.format, "output format")
        ->check(CLI::IsMember({"text", "json"}));

    RegressArgs ga;
    CLI::App* regress = app.add_subcommand(
        "regress", "Run every scenario under DIR/scenarios against its expectation and replay "
                   "every golden trace under DIR/traces; print a summary table");
    regress->add_option("DIR", ga.dir, "repository directory (default: .)");
    regress->add_option("--junit", ga.junit, "also write a JUnit XML report to this file");
    regress->add_option("--row-timeout", ga.row_timeout,
                        "seconds one scenario or trace may take before it is killed and fails "
                        "(default 600; 0 = no limit)")
        ->check(CLI::Range(0.0, 86400.0));

    std::string list_format = "text";
    CLI::App* list = app.add_subcommand(
        "list", "List the actors, fixes, invariants and kernel eras scenarios may use");
    list->add_option("--format", list_format, "output format")
        ->check(CLI::IsMember({"text", "json"}));

    std::string check_file, check_format = "text";
    CLI::App* check = app.add_subcommand(
        "check", "Check a scenario statically, without running it: too few free pages for the "
                 "allocations its threads may make, a thread that can never run, an invariant that "
                 "cannot fire; one line per finding (\"mmcheck: FILE: at /pointer: what\"); exit 0 "
                 "with no finding, 1 with findings, 2 on bad input, 4 when the scenario needs a path the model does "
                 "not have (as run's load-time refusals)");
    check->add_option("SCENARIO", check_file, "scenario file (JSON)")->required();
    check->add_option("--format", check_format, "output format")
        ->check(CLI::IsMember({"text", "json"}));

    // An unknown command would otherwise be reported as "A subcommand is required".
    const std::vector<CLI::App*> commands = {run, replay, regress, list, check};
    if (!args.empty() && !args[0].empty() && args[0][0] != '-' &&
        std::none_of(commands.begin(), commands.end(),
                     [&](const CLI::App* c) { return c->get_name() == args[0]; })) {
      err << fmt::format("mmcheck: unknown command \"{}\" (commands: run, replay, regress, list, check; "
                         "see mmcheck --help)\n",
                         one_line(args[0]));
      return kExitBadInput;
    }
    std::reverse(args.begin(), args.end());  // CLI11 takes the arguments reversed
    try {
      app.parse(std::move(args));
    } catch (const CLI::ParseError& e) {
      if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success))
        return app.exit(e, out, err);  // --help, --version
      err << "mmcheck: " << one_line(e.what()) << " (see mmcheck --help)\n";
      return kExitBadInput;
    }

    if (ra.max_steps_opt->count() && ra.max_steps == 0)
      throw BadInput("--max-steps: must be at least 1");
    if (ra.max_steps_opt->count() && ra.max_steps > model::kMaxSteps)
      throw BadInput(fmt::format("--max-steps: at most {} steps per execution", model::kMaxSteps));
    if (ra.time_budget_opt->count() && !(std::isfinite(ra.time_budget) && ra.time_budget > 0))
      throw BadInput("--time-budget: must be a number of seconds greater than 0");
    if (ra.time_budget_opt->count() && ra.time_budget > 31'536'000)
      throw BadInput("--time-budget: at most 31536000 seconds (a year)");
    if (ra.jobs_opt->count() && ra.jobs == 0) throw BadInput("--jobs: must be at least 1");
    if (ra.jobs_opt->count() && ra.jobs > kMaxJobs)
      throw BadInput(fmt::format("--jobs: at most {} worker threads", kMaxJobs));
    if (run->parsed() && ra.scenario.empty() && ra.resume.empty())
      throw BadInput("run: a SCENARIO file is required (or --resume CHECKPOINT)");
    if (run->parsed()) return cmd_run(ra, out, err, env);
    if (replay->parsed()) return cmd_replay(pa, out, err);
    if (regress->parsed()) return cmd_regress(ga, out, err, env);
    if (list->parsed()) return cmd_list(list_format, out);
    if (check->parsed()) {
      require_file(check_file, "scenario");
      return print_check(model::Scenario::load(check_file), check_file, check_format, out);
    }
    err << "mmcheck: internal error: no subcommand dispatched\n";
    return kExitInternal;
  } catch (const model::UnsupportedInput& e) {
    err << "mmcheck: " << one_line(e.what()) << "\n";
    return kExitUnsupported;
  } catch (const model::InputError& e) {
    err << "mmcheck: " << one_line(e.what()) << "\n";
    return kExitBadInput;
  } catch (const BadInput& e) {
    err << "mmcheck: " << one_line(e.what()) << "\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    err << "mmcheck: internal error: " << one_line(e.what()) << "\n";
    return kExitInternal;
  } catch (...) {
    err << "mmcheck: internal error: unknown exception\n";
    return kExitInternal;
  }
}

}  // namespace tool
