// trace_test.cpp: the trace file format. A hand-made trace against its
// hand-written JSON, strict reading (each kind of bad field names its JSON
// pointer), and write -> read -> replay round trips on a toy program.
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include <checker/checker.h>
#include <model/scenario.h>
#include <nlohmann/json.hpp>
#include <tool/trace.h>

#include <CppUTest/TestHarness.h>

namespace {

using nlohmann::json;

/// The engine's example: two threads load and store a counter; losing an
/// update fails the end-of-run check.
struct LostUpdate : checker::Program {
  std::optional<checker::Shared<int>> counter;
  void setup() override {
    counter.emplace("counter", 0);
    for (const char* name : {"A", "B"})
      checker::spawn(name, [this] {
        int v = counter->load("read counter");
        counter->store(v + 1, "write counter");
      });
  }
  void at_end() override {
    checker::check(counter->peek() == 2, checker::FailureKind::Invariant,
                   "lost update: counter == " + std::to_string(counter->peek()));
  }
};

checker::StepRecord step(checker::ThreadId t, const char* label, checker::AccessKind kind,
                         checker::ObjectId obj, std::string note = {}) {
  checker::StepRecord s;
  s.thread = t;
  s.access.label = label;
  s.access.kind = kind;
  s.access.object = obj;
  s.note = std::move(note);
  return s;
}

tool::Trace hand_trace() {
  tool::Trace t;
  tool::Provenance& p = t.provenance;
  p.tool_version = "9.9.9";
  p.scenario_name = "toy/lost-update";
  p.scenario_file = "scenarios/toy/lost-update.json";
  p.content_hash = "0123456789abcdef";
  p.era = "3.9";
  p.reverted = {"5117b3b835f2"};
  p.max_steps = 100;
  p.preemption_bound = 2;
  p.max_executions = 0;
  p.fewest_preemptions = true;
  p.seed = 7;
  p.pct_depth = 4;
  using K = checker::Choice::Kind;
  t.schedule = {{K::Thread, 0, 0}, {K::Thread, 1, 0}, {K::Value, 1, 2}, {K::Thread, 0, 0}};
  t.log.thread_names = {"A", "B"};
  t.log.object_names = {"counter"};
  t.log.steps = {step(0, "read counter", checker::AccessKind::Read, 0),
                 step(1, "read counter", checker::AccessKind::Read, 0, "pick=1"),
                 step(0, "write counter", checker::AccessKind::Write, 0, "counter 0 -> 1")};
  t.sources = {"model/src/x.cpp:10", "", "model/src/x.cpp:11"};
  t.violation.verdict = checker::Verdict::Violation;
  t.violation.kind = checker::FailureKind::Invariant;
  t.violation.message = "lost update: counter == 1";
  t.violation.invariant = "counter_is_2";
  t.violation.thread = checker::kNoThread;
  t.violation.step = 2;
  t.stats.executions = 3;
  t.stats.total_steps = 12;
  t.stats.max_depth = 4;
  t.stats.elapsed_seconds = 0.5;
  t.stats.complete = false;
  t.stats.preemption_bound = 2;
  return t;
}

// Written by hand from the format in trace.h / traces/README.md.
const char* const kHandJson = R"({
  "format_version": 1,
  "provenance": {
    "tool": "mmcheck", "tool_version": "9.9.9",
    "scenario": {"name": "toy/lost-update", "file": "scenarios/toy/lost-update.json",
                 "content_hash": "0123456789abcdef"},
    "era": "3.9", "reverted": ["5117b3b835f2"],
    "explore": {"strategy": "dfs", "max_steps": 100, "preemption_bound": 2, "max_executions": 0,
                "fewest_preemptions": true, "seed": 7, "pct_depth": 4}
  },
  "threads": ["A", "B"],
  "schedule": [0, 1, {"value": 1, "range": 2}, 0],
  "steps": [
    {"index": 0, "cpu": 0, "thread": "A", "function": "read counter", "operation": "read",
     "object": "counter", "source": "model/src/x.cpp:10"},
    {"index": 1, "cpu": 1, "thread": "B", "function": "read counter", "operation": "read",
     "object": "counter", "note": "pick=1", "source": null},
    {"index": 2, "cpu": 0, "thread": "A", "function": "write counter", "operation": "write",
     "object": "counter", "note": "counter 0 -> 1", "source": "model/src/x.cpp:11"}
  ],
  "violation": {"verdict": "violation", "kind": "invariant", "message": "lost update: counter == 1",
                "invariant": "counter_is_2", "cpu": null, "thread": null, "step": 2,
                "source": null},
  "statistics": {"executions": 3, "sleep_blocked": 0, "total_steps": 12, "max_depth": 4,
                 "elapsed_seconds": 0.5, "complete": false, "preemption_bound": 2}
})";

/// The parse error for `j` (which must not parse), as "POINTER|MESSAGE".
std::string parse_error(const json& j) {
  try {
    tool::Trace::parse(j, "t.json");
  } catch (const model::InputError& e) {
    std::string prefix = "t.json: at " + (e.pointer().empty() ? "/" : e.pointer()) + ": ";
    std::string what = e.what();
    if (what.rfind(prefix, 0) != 0) return "bad what(): " + what;
    return e.pointer() + "|" + what.substr(prefix.size());
  }
  return "parsed";
}

std::filesystem::path temp_dir() {
  auto d = std::filesystem::temp_directory_path() / "mmcheck-trace-test";
  std::filesystem::create_directories(d);
  return d;
}

void expect_same(const tool::Trace& a, const tool::Trace& b) {
  CHECK(a.provenance.tool == b.provenance.tool);
  CHECK(a.provenance.tool_version == b.provenance.tool_version);
  CHECK(a.provenance.scenario_name == b.provenance.scenario_name);
  CHECK(a.provenance.scenario_file == b.provenance.scenario_file);
  CHECK(a.provenance.content_hash == b.provenance.content_hash);
  CHECK(a.provenance.era == b.provenance.era);
  CHECK(a.provenance.reverted == b.provenance.reverted);
  CHECK(a.provenance.strategy == b.provenance.strategy);
  CHECK(a.provenance.max_steps == b.provenance.max_steps);
  CHECK(a.provenance.preemption_bound == b.provenance.preemption_bound);
  CHECK(a.provenance.max_executions == b.provenance.max_executions);
  CHECK(a.provenance.fewest_preemptions == b.provenance.fewest_preemptions);
  CHECK(a.provenance.seed == b.provenance.seed);
  CHECK(a.provenance.pct_depth == b.provenance.pct_depth);
  CHECK(a.schedule == b.schedule);
  CHECK(a.log.thread_names == b.log.thread_names);
  LONGS_EQUAL(a.log.steps.size(), b.log.steps.size());
  for (std::size_t i = 0; i < a.log.steps.size(); ++i) {
    const auto& x = a.log.steps[i];
    const auto& y = b.log.steps[i];
    LONGS_EQUAL(x.thread, y.thread);
    STRCMP_EQUAL(x.access.label, y.access.label);
    CHECK(x.access.kind == y.access.kind);
    STRCMP_EQUAL(a.log.object_names.at(x.access.object).c_str(),
                 b.log.object_names.at(y.access.object).c_str());
    STRCMP_EQUAL(x.note.c_str(), y.note.c_str());
  }
  CHECK(a.sources == b.sources);
  STRCMP_EQUAL("", tool::violation_difference(a.violation, b.violation).c_str());
  CHECK(a.violation.kind == b.violation.kind);
  STRCMP_EQUAL(a.violation_source.c_str(), b.violation_source.c_str());
  LONGS_EQUAL(a.stats.executions, b.stats.executions);
  LONGS_EQUAL(a.stats.sleep_blocked, b.stats.sleep_blocked);
  LONGS_EQUAL(a.stats.total_steps, b.stats.total_steps);
  LONGS_EQUAL(a.stats.max_depth, b.stats.max_depth);
  DOUBLES_EQUAL(a.stats.elapsed_seconds, b.stats.elapsed_seconds, 0);
  CHECK(a.stats.complete == b.stats.complete);
  CHECK(a.stats.preemption_bound == b.stats.preemption_bound);
}

}  // namespace

TEST_GROUP(TraceFormat){};

TEST(TraceFormat, HandMadeTraceWritesTheDocumentedJson) {
  json got = json::parse(hand_trace().to_json().dump());
  CHECK(json::parse(kHandJson) == got);
  // Written in a fixed, readable order: the version first.
  std::string text = hand_trace().to_json().dump();
  CHECK(text.rfind("{\"format_version\":1,\"provenance\":", 0) == 0);
}

TEST(TraceFormat, HandWrittenJsonReadsBackFieldForField) {
  tool::Trace t = tool::Trace::parse(json::parse(kHandJson), "t.json");
  expect_same(hand_trace(), t);
  CHECK(json::parse(t.to_json().dump()) == json::parse(kHandJson));
  // A copy keeps its step labels valid (they live in shared storage).
  tool::Trace copy = t;
  t = tool::Trace{};
  STRCMP_EQUAL("write counter", copy.log.steps[2].access.label);
}

TEST(TraceFormat, StrictReadNamesTheJsonPointer) {
  const json good = json::parse(kHandJson);
  auto with = [&](const char* ptr, json value) {
    json j = good;
    j[json::json_pointer(ptr)] = std::move(value);
    return parse_error(j);
  };
  auto without = [&](const char* parent, const char* key) {
    json j = good;
    j[json::json_pointer(parent)].erase(key);
    return parse_error(j);
  };
  STRCMP_EQUAL("/extra|unknown field \"extra\"", with("/extra", 1).c_str());
  STRCMP_EQUAL("/steps/0/colour|unknown field \"colour\"", with("/steps/0/colour", "red").c_str());
  STRCMP_EQUAL("/statistics/executions|expected a non-negative integer, got string",
               with("/statistics/executions", "many").c_str());
  STRCMP_EQUAL("/provenance/explore/max_steps|expected a non-negative integer, got number",
               with("/provenance/explore/max_steps", -1).c_str());
  STRCMP_EQUAL("/format_version|unsupported format_version 2 (this mmcheck reads 1)",
               with("/format_version", 2).c_str());
  STRCMP_EQUAL("/format_version|unsupported format_version \"1\" (this mmcheck reads 1)",
               with("/format_version", "1").c_str());
  STRCMP_EQUAL("/violation|missing field \"message\"", without("/violation", "message").c_str());
  STRCMP_EQUAL("/schedule/0|cpu 5 does not exist (the trace has 2 threads)",
               with("/schedule/0", 5).c_str());
  STRCMP_EQUAL("/schedule/2/value|value 2 is not in [0, 2)",
               with("/schedule/2/value", 2).c_str());
  STRCMP_EQUAL(
      "/steps/1/operation|unknown operation \"frob\" (known: read, write, rmw, acquire, "
      "acquire-shared, release, release-shared, wait, yield, update)",
      with("/steps/1/operation", "frob").c_str());
  STRCMP_EQUAL("/steps/1/cpu|step 1 ran cpu 0, but the schedule chose cpu 1",
               with("/steps/1/cpu", 0).c_str());
  STRCMP_EQUAL("/steps/1/thread|cpu 1 is \"B\", not \"A\"", with("/steps/1/thread", "A").c_str());
  STRCMP_EQUAL("/steps|3 steps, but the schedule has 4 thread choices",
               with("/schedule/4", 0).c_str());
  STRCMP_EQUAL("/violation/verdict|a trace records a failing execution, not \"pass\"",
               with("/violation/verdict", "pass").c_str());
  STRCMP_EQUAL("|expected a trace object, got array", parse_error(json::array()).c_str());
}

TEST(TraceFormat, ExploredCounterexampleSurvivesSaveLoadAndReplays) {
  LostUpdate program;
  checker::Report r = checker::explore(program, checker::Options{});
  CHECK(r.verdict == checker::Verdict::Violation);
  tool::Provenance p;
  p.scenario_name = "toy/lost-update";
  p.scenario_file = "toy.json";
  tool::Trace t = tool::Trace::from_report(p, r);
  // Two threads of two steps each run to the end before the final check fails.
  LONGS_EQUAL(4, t.log.steps.size());
  LONGS_EQUAL(checker::kNoThread, t.violation.thread);
  // Source locations are the model's (here: this test file), repo-relative.
  STRCMP_EQUAL("tests/tool/trace_test.cpp", t.sources[0].substr(0, t.sources[0].find(':')).c_str());

  std::string file = (temp_dir() / "lost-update.json").string();
  t.save(file);
  tool::Trace back = tool::Trace::load(file);
  expect_same(t, back);

  LostUpdate again;
  checker::Report rr = checker::replay(again, back.schedule, back.provenance.max_steps, &back.log);
  STRCMP_EQUAL("", rr.divergence.c_str());
  CHECK(rr.counterexample.has_value());
  STRCMP_EQUAL("", tool::violation_difference(back.violation, rr.counterexample->violation).c_str());
}

TEST(TraceFormat, EditedStepIsReportedAsADivergenceAtThatStep) {
  LostUpdate program;
  checker::Report r = checker::explore(program, checker::Options{});
  tool::Provenance p;
  p.scenario_file = "toy.json";
  tool::Trace t = tool::Trace::from_report(p, r);
  json j = json::parse(t.to_json().dump());
  j["steps"][1]["function"] = "frobnicate";
  tool::Trace edited = tool::Trace::parse(j, "edited.json");
  LostUpdate again;
  checker::Report rr = checker::replay(again, edited.schedule, 100, &edited.log);
  std::string d = rr.divergence;
  CHECK_TEXT(d.rfind("diverged at step 1: expected ", 0) == 0, d.c_str());
  CHECK_TEXT(d.find("frobnicate") != std::string::npos, d.c_str());
}

TEST(TraceFormat, ViolationDifferenceNamesTheFirstDifferentField) {
  checker::Violation a;
  a.verdict = checker::Verdict::Violation;
  a.kind = checker::FailureKind::WarnOn;
  a.message = "m";
  a.thread = 0;
  a.step = 7;
  checker::Violation b = a;
  STRCMP_EQUAL("", tool::violation_difference(a, b).c_str());
  b.step = 8;
  STRCMP_EQUAL("step: expected 7, got 8", tool::violation_difference(a, b).c_str());
  b.thread = 1;
  STRCMP_EQUAL("thread: expected cpu 0, got cpu 1", tool::violation_difference(a, b).c_str());
  b.message = "n";
  STRCMP_EQUAL("message: expected \"m\", got \"n\"", tool::violation_difference(a, b).c_str());
  b.kind = checker::FailureKind::BugOn;
  STRCMP_EQUAL("kind: expected WARN_ON, got BUG_ON", tool::violation_difference(a, b).c_str());
  b.verdict = checker::Verdict::Deadlock;
  STRCMP_EQUAL("verdict: expected violation, got deadlock", tool::violation_difference(a, b).c_str());
}

TEST(TraceFormat, FileTextPutsTheScheduleOnOneLineAndEachStepOnItsOwn) {
  std::string text = hand_trace().text();
  CHECK(json::parse(text) == json::parse(kHandJson));
  CHECK_TEXT(text.find("\n  \"schedule\": [0,1,{\"value\":1,\"range\":2},0],\n") !=
                 std::string::npos,
             text.c_str());
  CHECK_TEXT(text.find("\n  \"steps\": [\n    {\"index\":0,\"cpu\":0,\"thread\":\"A\","
                       "\"function\":\"read counter\",\"operation\":\"read\","
                       "\"object\":\"counter\",\"source\":\"model/src/x.cpp:10\"},\n    "
                       "{\"index\":1,") != std::string::npos,
             text.c_str());
  CHECK(text.rfind("{\n  \"format_version\": 1,\n  \"provenance\": {\n    \"tool\": \"mmcheck\",", 0) == 0);
  CHECK(text.size() > 6 && text.substr(text.size() - 6) == "  }\n}\n");
}
