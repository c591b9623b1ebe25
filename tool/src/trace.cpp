// trace.cpp: writing and strictly reading trace files (see trace.h).
//
// Invariant: every field read is checked for presence, type and range, and
// every object is checked for unknown fields, so a trace that parses is one
// replay can use as it is.
#include "tool/trace.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <filesystem>
#include <map>
#include <sstream>
#include <system_error>

#include <fmt/format.h>
#include <model/input_limits.h>
#include <model/scenario.h>

#include "tool/errors.h"
#include "tool/output_file.h"

namespace tool {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

constexpr std::array kAccessKinds = {
    checker::AccessKind::Read,          checker::AccessKind::Write,
    checker::AccessKind::ReadModifyWrite, checker::AccessKind::LockAcquire,
    checker::AccessKind::LockAcquireShared, checker::AccessKind::LockRelease,
    checker::AccessKind::LockReleaseShared, checker::AccessKind::Wait,
    checker::AccessKind::Yield,
    checker::AccessKind::CommutingUpdate,
};
constexpr std::array kVerdicts = {
    checker::Verdict::Pass,      checker::Verdict::Violation, checker::Verdict::Deadlock,
    checker::Verdict::StepBound, checker::Verdict::ModelError, checker::Verdict::Unsupported,
};
constexpr std::array kFailureKinds = {
    checker::FailureKind::BugOn, checker::FailureKind::WarnOn,
    checker::FailureKind::Assertion, checker::FailureKind::Invariant,
    checker::FailureKind::Reached,
};

/// The JSON reader: type and shape checks that throw model::InputError with
/// the file and the JSON pointer of the offending value.
class Reader {
 public:
  explicit Reader(const std::string& file) : file_(file) {}

  [[noreturn]] void fail(const std::string& ptr, const std::string& msg) const {
    throw model::InputError(file_, ptr, msg);
  }

  static std::string child(const std::string& ptr, const std::string& key) {
    return ptr + "/" + escape(key);
  }
  static std::string child(const std::string& ptr, std::size_t index) {
    return ptr + "/" + std::to_string(index);
  }

  /// j must be an object whose keys are all in required or optional, with
  /// every required key present.
  void object(const json& j, const std::string& ptr, std::initializer_list<const char*> required,
              std::initializer_list<const char*> optional = {}) const {
    if (!j.is_object()) type_error(j, ptr, "an object");
    for (auto it = j.begin(); it != j.end(); ++it) {
      bool known = false;
      for (const char* k : required) known = known || it.key() == k;
      for (const char* k : optional) known = known || it.key() == k;
      if (!known) fail(child(ptr, it.key()), "unknown field " + model::quote_input(it.key()));
    }
    for (const char* k : required)
      if (!j.contains(k)) fail(ptr, fmt::format("missing field \"{}\"", k));
  }

  const json& array(const json& j, const std::string& ptr) const {
    if (!j.is_array()) type_error(j, ptr, "an array");
    return j;
  }
  std::string string(const json& j, const std::string& ptr) const {
    if (!j.is_string()) type_error(j, ptr, "a string");
    return j.get<std::string>();
  }
  /// Parsed text gives unsigned numbers; JSON built in code may hold signed ones.
  static bool non_negative(const json& j) {
    return j.is_number_unsigned() || (j.is_number_integer() && j.get<std::int64_t>() >= 0);
  }
  std::uint64_t uint(const json& j, const std::string& ptr) const {
    if (!non_negative(j)) type_error(j, ptr, "a non-negative integer");
    return j.get<std::uint64_t>();
  }
  std::uint32_t uint32(const json& j, const std::string& ptr) const {
    std::uint64_t v = uint(j, ptr);
    if (v > UINT32_MAX) fail(ptr, fmt::format("{} is out of range", v));
    return static_cast<std::uint32_t>(v);
  }
  bool boolean(const json& j, const std::string& ptr) const {
    if (!j.is_boolean()) type_error(j, ptr, "true or false");
    return j.get<bool>();
  }
  double seconds(const json& j, const std::string& ptr) const {
    if (!j.is_number()) type_error(j, ptr, "a number");
    double v = j.get<double>();
    if (!(v >= 0)) fail(ptr, "expected a non-negative number");
    return v;
  }
  std::optional<unsigned> optional_uint(const json& j, const std::string& ptr) const {
    if (j.is_null()) return std::nullopt;
    if (!non_negative(j)) type_error(j, ptr, "a non-negative integer or null");
    return uint32(j, ptr);
  }
  std::string optional_string(const json& j, const std::string& ptr) const {
    if (j.is_null()) return {};
    if (!j.is_string()) type_error(j, ptr, "a string or null");
    return j.get<std::string>();
  }

  /// One of a closed enum's display names (as given by checker::to_string).
  template <class E, std::size_t N>
  E name_of(const json& j, const std::string& ptr, const std::array<E, N>& values,
            const char* what) const {
    std::string s = string(j, ptr);
    std::string known;
    for (E v : values) {
      if (checker::to_string(v) == s) return v;
      known += (known.empty() ? "" : ", ") + std::string(checker::to_string(v));
    }
    fail(ptr, fmt::format("unknown {} {} (known: {})", what, model::quote_input(s), known));
  }

 private:
  static std::string escape(const std::string& key) { return model::pointer_token(key); }
  [[noreturn]] void type_error(const json& j, const std::string& ptr, const char* want) const {
    fail(ptr, fmt::format("expected {}, got {}", want, j.type_name()));
  }

  const std::string& file_;
};

ordered_json optional_json(const std::string& s) { return s.empty() ? ordered_json() : ordered_json(s); }

}  // namespace

std::string source_text(const checker::SourceLoc& loc) {
  std::string file = loc.file_name();
  if (file.empty()) return {};
  std::string root = std::string(MMCHECK_SOURCE_DIR) + "/";
  if (file.rfind(root, 0) == 0) file.erase(0, root.size());
  return file + ":" + std::to_string(loc.line());
}

ordered_json reach_target_json(const checker::ReachTarget& target) {
  return ordered_json{{"thread", target.thread}, {target.in_note ? "note" : "function", target.label}};
}

ordered_json stats_to_json(const checker::Stats& stats) {
  return {
      {"executions", stats.executions},
      {"sleep_blocked", stats.sleep_blocked},
      {"total_steps", stats.total_steps},
      {"max_depth", stats.max_depth},
      {"elapsed_seconds", stats.elapsed_seconds},
      {"complete", stats.complete},
      {"preemption_bound",
       stats.preemption_bound ? ordered_json(*stats.preemption_bound) : ordered_json()},
  };
}

std::string dump_json(const ordered_json& j) {
  return j.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

std::string Trace::text() const {
  // One value per line where it helps diffs: the schedule and the thread list
  // on one line, each step on its own line, the rest indented.
  const ordered_json j = to_json();
  auto compact = [](const ordered_json& v) {
    return v.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
  };
  std::string out = "{\n";
  std::size_t n = 0;
  for (auto it = j.begin(); it != j.end(); ++it, ++n) {
    out += "  " + ordered_json(it.key()).dump() + ": ";
    if (it.key() == "steps") {
      out += "[";
      for (std::size_t i = 0; i < it->size(); ++i)
        out += (i ? ",\n    " : "\n    ") + compact((*it)[i]);
      out += it->empty() ? "]" : "\n  ]";
    } else if (it.key() == "threads" || it.key() == "schedule") {
      out += compact(*it);
    } else {
      std::string block = it->dump(2, ' ', false, ordered_json::error_handler_t::replace);
      for (std::size_t pos = 0; (pos = block.find('\n', pos)) != std::string::npos; pos += 3)
        block.replace(pos, 1, "\n  ");
      out += block;
    }
    out += n + 1 < j.size() ? ",\n" : "\n";
  }
  return out + "}\n";
}

Trace Trace::from_report(Provenance provenance, const checker::Report& report) {
  Trace t;
  t.provenance = std::move(provenance);
  const checker::Counterexample& c = report.counterexample.value();
  t.schedule = c.schedule;
  t.log = c.log;
  for (const checker::StepRecord& s : c.log.steps) t.sources.push_back(source_text(s.access.loc));
  t.violation = c.violation;
  t.violation_source = source_text(c.violation.loc);
  t.stats = report.stats;
  return t;
}

ordered_json Trace::to_json() const {
  const Provenance& p = provenance;
  ordered_json j;
  j["format_version"] = kTraceFormatVersion;
  j["provenance"] = {
      {"tool", p.tool},
      {"tool_version", p.tool_version},
      {"scenario", {{"name", p.scenario_name}, {"file", p.scenario_file},
                    {"content_hash", p.content_hash}}},
      {"era", p.era},
      {"reverted", p.reverted},
      {"explore", {{"strategy", p.strategy}, {"max_steps", p.max_steps},
                   {"preemption_bound", p.preemption_bound ? ordered_json(*p.preemption_bound)
                                                           : ordered_json()},
                   {"max_executions", p.max_executions},
                   {"fewest_preemptions", p.fewest_preemptions},
                   {"seed", p.seed},
                   {"pct_depth", p.pct_depth}}},
  };
  // A witness (run --reach) records its target; a trace of a failure has none.
  // ("function": a step's name or frame, run --reach; "note": text in a step's notes, run --reach-note)
  // ("after": the targets reached first, in order: run --reach X --reach Y)
  if (p.reach) {
    ordered_json rj = reach_target_json(*p.reach);
    if (!p.reach->after.empty()) {
      ordered_json after = ordered_json::array();
      for (const checker::ReachTarget& a : p.reach->after) after.push_back(reach_target_json(a));
      rj["after"] = std::move(after);
    }
    j["provenance"]["explore"]["reach"] = std::move(rj);
  }
  j["threads"] = log.thread_names;
  ordered_json sched = ordered_json::array();
  for (const checker::Choice& c : schedule) {
    if (c.kind == checker::Choice::Kind::Thread)
      sched.push_back(c.value);
    else
      sched.push_back({{"value", c.value}, {"range", c.range}});
  }
  j["schedule"] = std::move(sched);
  ordered_json steps = ordered_json::array();
  for (std::size_t i = 0; i < log.steps.size(); ++i) {
    const checker::StepRecord& s = log.steps[i];
    ordered_json o;
    o["index"] = i;
    o["cpu"] = s.thread;
    o["thread"] = log.thread_names.at(s.thread);
    o["function"] = s.access.label;
    o["operation"] = checker::to_string(s.access.kind);
    o["object"] = s.access.object < log.object_names.size()
                      ? ordered_json(log.object_names[s.access.object])
                      : ordered_json();
    if (!s.note.empty()) o["note"] = s.note;
    o["source"] = optional_json(i < sources.size() ? sources[i] : std::string());
    steps.push_back(std::move(o));
  }
  j["steps"] = std::move(steps);
  const checker::Violation& v = violation;
  bool has_thread = v.thread != checker::kNoThread;
  j["violation"] = {
      {"verdict", checker::to_string(v.verdict)},
      {"kind", checker::to_string(v.kind)},
      {"message", v.message},
      {"invariant", v.invariant},
      {"cpu", has_thread ? ordered_json(v.thread) : ordered_json()},
      {"thread", has_thread ? ordered_json(log.thread_names.at(v.thread)) : ordered_json()},
      {"step", v.step},
      {"source", optional_json(violation_source)},
  };
  j["statistics"] = stats_to_json(stats);
  return j;
}

Trace Trace::parse(const json& j, const std::string& file) {
  Reader r(file);
  if (!j.is_object()) r.fail("", fmt::format("expected a trace object, got {}", j.type_name()));
  if (!j.contains("format_version")) {
    if (j.contains("threads") && j.contains("initial"))
      r.fail("", "missing field \"format_version\": this is a scenario, not a trace (mmcheck run SCENARIO "
                 "--trace-out TRACE writes a trace; mmcheck run runs a scenario)");
    r.fail("", "missing field \"format_version\"");
  }
  if (!j["format_version"].is_number_integer() ||
      j["format_version"].get<std::int64_t>() != kTraceFormatVersion)
    r.fail("/format_version",
           fmt::format("unsupported format_version {} (this mmcheck reads {})",
                       j["format_version"].is_string()
                           ? model::quote_input(j["format_version"].get<std::string>())
                       : j["format_version"].is_primitive()
                           ? model::excerpt(j["format_version"].dump())
                           : std::string(j["format_version"].type_name()),
                       kTraceFormatVersion));
  r.object(j, "", {"format_version", "provenance", "threads", "schedule", "steps", "violation",
                   "statistics"});

  Trace t;
  t.labels_ = std::make_shared<std::deque<std::string>>();

  // provenance
  const json& pj = j["provenance"];
  r.object(pj, "/provenance", {"tool", "tool_version", "scenario", "era", "reverted", "explore"});
  Provenance& p = t.provenance;
  p.tool = r.string(pj["tool"], "/provenance/tool");
  if (p.tool != "mmcheck")
    r.fail("/provenance/tool", "expected \"mmcheck\", got " + model::quote_input(p.tool));
  p.tool_version = r.string(pj["tool_version"], "/provenance/tool_version");
  const json& sj = pj["scenario"];
  r.object(sj, "/provenance/scenario", {"name", "file", "content_hash"});
  p.scenario_name = r.string(sj["name"], "/provenance/scenario/name");
  p.scenario_file = r.string(sj["file"], "/provenance/scenario/file");
  if (p.scenario_file.empty()) r.fail("/provenance/scenario/file", "empty scenario path");
  p.content_hash = r.string(sj["content_hash"], "/provenance/scenario/content_hash");
  p.era = r.string(pj["era"], "/provenance/era");
  const json& rv = r.array(pj["reverted"], "/provenance/reverted");
  for (std::size_t i = 0; i < rv.size(); ++i)
    p.reverted.push_back(r.string(rv[i], Reader::child("/provenance/reverted", i)));
  const json& ej = pj["explore"];
  r.object(ej, "/provenance/explore", {"strategy", "max_steps", "preemption_bound",
                                       "max_executions", "fewest_preemptions", "seed",
                                       "pct_depth"},
           {"reach"});
  p.strategy = r.string(ej["strategy"], "/provenance/explore/strategy");
  if (p.strategy != "dfs" && p.strategy != "dpor" && p.strategy != "random" && p.strategy != "pct")
    r.fail("/provenance/explore/strategy",
           fmt::format("unknown strategy {} (known: dfs, dpor, random, pct)", model::quote_input(p.strategy)));
  p.max_steps = r.uint(ej["max_steps"], "/provenance/explore/max_steps");
  if (p.max_steps == 0) r.fail("/provenance/explore/max_steps", "must be at least 1");
  if (p.max_steps > model::kMaxSteps)
    r.fail("/provenance/explore/max_steps", fmt::format("{} is above the limit of {} steps", p.max_steps, model::kMaxSteps));
  p.preemption_bound = r.optional_uint(ej["preemption_bound"], "/provenance/explore/preemption_bound");
  p.max_executions = r.uint(ej["max_executions"], "/provenance/explore/max_executions");
  p.fewest_preemptions = r.boolean(ej["fewest_preemptions"], "/provenance/explore/fewest_preemptions");
  p.seed = r.uint(ej["seed"], "/provenance/explore/seed");
  p.pct_depth = r.uint32(ej["pct_depth"], "/provenance/explore/pct_depth");
  if (ej.contains("reach")) {
    auto read_target = [&r](const json& tj, const std::string& at, bool top) {
      if (top) r.object(tj, at, {"thread"}, {"function", "note", "after"});
      else r.object(tj, at, {"thread"}, {"function", "note"});
      const bool note = tj.is_object() && tj.contains("note");
      if (note == tj.contains("function"))
        r.fail(at, "give one of \"function\" (run --reach) and \"note\" (run --reach-note)");
      const std::string ptr = at + "/" + (note ? "note" : "function");
      checker::ReachTarget target{r.string(tj["thread"], at + "/thread"), r.string(tj[note ? "note" : "function"], ptr),
                                  note};
      if (target.label.empty()) r.fail(ptr, note ? "empty note text" : "empty function name");
      return target;
    };
    const std::string at = "/provenance/explore/reach";
    const json& rj = ej["reach"];
    checker::ReachTarget target = read_target(rj, at, true);
    if (rj.contains("after")) {
      const json& aj = r.array(rj["after"], at + "/after");
      if (aj.empty() || aj.size() >= kMaxReachTargets)
        r.fail(at + "/after", fmt::format("1 to {} earlier targets", kMaxReachTargets - 1));
      for (std::size_t i = 0; i < aj.size(); ++i) target.after.push_back(read_target(aj[i], Reader::child(at + "/after", i), false));
    }
    p.reach = std::move(target);
  }

  // threads
  const json& tj = r.array(j["threads"], "/threads");
  if (tj.empty()) r.fail("/threads", "a trace needs at least one thread");
  if (tj.size() > checker::kMaxThreads)
    r.fail("/threads", fmt::format("more than {} threads", checker::kMaxThreads));
  for (std::size_t i = 0; i < tj.size(); ++i) {
    t.log.thread_names.push_back(r.string(tj[i], Reader::child("/threads", i)));
    if (t.log.thread_names.back().size() > model::kMaxNameBytes)
      r.fail(Reader::child("/threads", i), fmt::format("a thread name of more than {} bytes", model::kMaxNameBytes));
  }
  const std::size_t nthreads = t.log.thread_names.size();
  if (p.reach) {
    auto known = [&t](const std::string& name) {
      return name.empty() || std::find(t.log.thread_names.begin(), t.log.thread_names.end(), name) != t.log.thread_names.end();
    };
    if (!known(p.reach->thread))
      r.fail("/provenance/explore/reach/thread",
             fmt::format("no thread {} in this trace's /threads", model::quote_input(p.reach->thread)));
    for (std::size_t i = 0; i < p.reach->after.size(); ++i)
      if (!known(p.reach->after[i].thread))
        r.fail(Reader::child("/provenance/explore/reach/after", i) + "/thread",
               fmt::format("no thread {} in this trace's /threads", model::quote_input(p.reach->after[i].thread)));
  }

  // schedule
  const json& schj = r.array(j["schedule"], "/schedule");
  std::vector<checker::ThreadId> thread_choices;
  for (std::size_t i = 0; i < schj.size(); ++i) {
    std::string ptr = Reader::child("/schedule", i);
    const json& c = schj[i];
    if (c.is_object()) {
      r.object(c, ptr, {"value", "range"});
      std::uint32_t range = r.uint32(c["range"], ptr + "/range");
      std::uint32_t value = r.uint32(c["value"], ptr + "/value");
      if (range == 0) r.fail(ptr + "/range", "a value choice needs range >= 1");
      if (value >= range)
        r.fail(ptr + "/value", fmt::format("value {} is not in [0, {})", value, range));
      t.schedule.push_back({checker::Choice::Kind::Value, value, range});
    } else {
      if (!Reader::non_negative(c))
        r.fail(ptr, fmt::format("expected a cpu index or a {{\"value\", \"range\"}} object, got {}",
                                c.type_name()));
      std::uint64_t cpu = c.get<std::uint64_t>();
      if (cpu >= nthreads)
        r.fail(ptr, fmt::format("cpu {} does not exist (the trace has {} threads)", cpu, nthreads));
      t.schedule.push_back({checker::Choice::Kind::Thread, static_cast<std::uint32_t>(cpu), 0});
      thread_choices.push_back(static_cast<checker::ThreadId>(cpu));
    }
  }

  // steps
  const json& stj = r.array(j["steps"], "/steps");
  if (stj.size() != thread_choices.size())
    r.fail("/steps", fmt::format("{} steps, but the schedule has {} thread choices", stj.size(),
                                 thread_choices.size()));
  std::map<std::string, checker::ObjectId> objects;
  for (std::size_t i = 0; i < stj.size(); ++i) {
    std::string ptr = Reader::child("/steps", i);
    const json& s = stj[i];
    r.object(s, ptr, {"index", "cpu", "thread", "function", "operation", "object", "source"},
             {"note"});
    if (r.uint(s["index"], ptr + "/index") != i)
      r.fail(ptr + "/index", fmt::format("expected index {}", i));
    std::uint64_t cpu = r.uint(s["cpu"], ptr + "/cpu");
    if (cpu != thread_choices[i])
      r.fail(ptr + "/cpu", fmt::format("step {} ran cpu {}, but the schedule chose cpu {}", i, cpu,
                                       thread_choices[i]));
    std::string name = r.string(s["thread"], ptr + "/thread");
    if (name != t.log.thread_names[cpu])
      r.fail(ptr + "/thread", fmt::format("cpu {} is {}, not {}", cpu,
                                          model::quote_input(t.log.thread_names[cpu]), model::quote_input(name)));
    checker::StepRecord rec;
    rec.thread = static_cast<checker::ThreadId>(cpu);
    t.labels_->push_back(r.string(s["function"], ptr + "/function"));
    rec.access.label = t.labels_->back().c_str();
    rec.access.kind = r.name_of(s["operation"], ptr + "/operation", kAccessKinds, "operation");
    if (!s["object"].is_null()) {
      std::string obj = r.string(s["object"], ptr + "/object");
      auto [it, fresh] = objects.emplace(obj, static_cast<checker::ObjectId>(objects.size()));
      if (fresh) t.log.object_names.push_back(obj);
      rec.access.object = it->second;
    } else {
      rec.access.object = checker::kNoObject;
    }
    if (s.contains("note")) rec.note = r.string(s["note"], ptr + "/note");
    t.sources.push_back(r.optional_string(s["source"], ptr + "/source"));
    t.log.steps.push_back(std::move(rec));
  }

  // violation
  const json& vj = j["violation"];
  r.object(vj, "/violation",
           {"verdict", "kind", "message", "invariant", "cpu", "thread", "step", "source"});
  checker::Violation& v = t.violation;
  v.verdict = r.name_of(vj["verdict"], "/violation/verdict", kVerdicts, "verdict");
  if (v.verdict == checker::Verdict::Pass)
    r.fail("/violation/verdict", "a trace records a failing execution, not \"pass\"");
  v.kind = r.name_of(vj["kind"], "/violation/kind", kFailureKinds, "failure kind");
  v.message = r.string(vj["message"], "/violation/message");
  v.invariant = r.string(vj["invariant"], "/violation/invariant");
  if (vj["cpu"].is_null()) {
    v.thread = checker::kNoThread;
    if (!vj["thread"].is_null())
      r.fail("/violation/thread", "expected null, since cpu is null");
  } else {
    std::uint64_t cpu = r.uint(vj["cpu"], "/violation/cpu");
    if (cpu >= nthreads)
      r.fail("/violation/cpu",
             fmt::format("cpu {} does not exist (the trace has {} threads)", cpu, nthreads));
    std::string name = r.string(vj["thread"], "/violation/thread");
    if (name != t.log.thread_names[cpu])
      r.fail("/violation/thread",
             fmt::format("cpu {} is {}, not {}", cpu, model::quote_input(t.log.thread_names[cpu]), model::quote_input(name)));
    v.thread = static_cast<checker::ThreadId>(cpu);
  }
  v.step = r.uint(vj["step"], "/violation/step");
  t.violation_source = r.optional_string(vj["source"], "/violation/source");

  // statistics
  const json& xj = j["statistics"];
  r.object(xj, "/statistics", {"executions", "sleep_blocked", "total_steps", "max_depth",
                               "elapsed_seconds", "complete", "preemption_bound"});
  t.stats.executions = r.uint(xj["executions"], "/statistics/executions");
  t.stats.sleep_blocked = r.uint(xj["sleep_blocked"], "/statistics/sleep_blocked");
  t.stats.total_steps = r.uint(xj["total_steps"], "/statistics/total_steps");
  t.stats.max_depth = r.uint(xj["max_depth"], "/statistics/max_depth");
  t.stats.elapsed_seconds = r.seconds(xj["elapsed_seconds"], "/statistics/elapsed_seconds");
  t.stats.complete = r.boolean(xj["complete"], "/statistics/complete");
  t.stats.preemption_bound =
      r.optional_uint(xj["preemption_bound"], "/statistics/preemption_bound");
  return t;
}

Trace Trace::load(const std::string& path) {
  require_file(path, "trace");
  json j = model::load_json_file(path);
  return parse(j, path);
}

void Trace::save(const std::string& path) const { write_atomically(path, text(), "trace"); }

std::string violation_difference(const checker::Violation& recorded,
                                 const checker::Violation& got) {
  auto thread = [](checker::ThreadId t) {
    return t == checker::kNoThread ? std::string("none") : "cpu " + std::to_string(t);
  };
  if (recorded.verdict != got.verdict)
    return fmt::format("verdict: expected {}, got {}", checker::to_string(recorded.verdict),
                       checker::to_string(got.verdict));
  if (recorded.verdict == checker::Verdict::Violation && recorded.kind != got.kind)
    return fmt::format("kind: expected {}, got {}", checker::to_string(recorded.kind),
                       checker::to_string(got.kind));
  if (recorded.message != got.message)
    return fmt::format("message: expected {}, got {}", model::quote_input(recorded.message, 200),
                       model::quote_input(got.message, 200));
  if (recorded.invariant != got.invariant)
    return fmt::format("invariant: expected {}, got {}", model::quote_input(recorded.invariant),
                       model::quote_input(got.invariant));
  if (recorded.thread != got.thread)
    return fmt::format("thread: expected {}, got {}", thread(recorded.thread), thread(got.thread));
  if (recorded.step != got.step)
    return fmt::format("step: expected {}, got {}", recorded.step, got.step);
  return {};
}

}  // namespace tool
