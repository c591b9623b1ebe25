// cli_test.cpp: the mmcheck command line, driven in-process through
// tool::run_cli. Exit codes and error lines are the documented ones (cli.h,
// errors.h): bad input is exit 2 with exactly one line "mmcheck: FILE: at
// POINTER: what". Tests run in the repository root (ctest's working
// directory), where scenarios/ holds the model's scenarios.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <model/scenario.h>
#include <nlohmann/json.hpp>
#include <tool/cli.h>
#include <tool/junit_report.h>
#include <tool/scenario_run.h>
#include <tool/trace.h>
#include <tool/version.h>

#include "cli_fixture.h"

#include <CppUTest/TestHarness.h>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using tool_test::Result;
using tool_test::cli;

std::size_t lines(const std::string& s) { return std::count(s.begin(), s.end(), '\n'); }
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

fs::path fresh_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / "mmcheck-cli-test" / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
  return file.string();
}

std::string read(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// A valid trace (of a toy program, not of any scenario).
json toy_trace() {
  return json::parse(R"({
    "format_version": 1,
    "provenance": {"tool": "mmcheck", "tool_version": "0.0.0",
      "scenario": {"name": "toy/lost-update", "file": "scenarios/ksm/foll-migration-fixed.json",
                   "content_hash": "0123456789abcdef"},
      "era": "3.9", "reverted": [],
      "explore": {"strategy": "dfs", "max_steps": 100, "preemption_bound": null,
                  "max_executions": 0, "fewest_preemptions": false, "seed": 0, "pct_depth": 3}},
    "threads": ["A"],
    "schedule": [0],
    "steps": [{"index": 0, "cpu": 0, "thread": "A", "function": "f", "operation": "yield",
               "object": null, "source": null}],
    "violation": {"verdict": "violation", "kind": "invariant", "message": "m", "invariant": "",
                  "cpu": null, "thread": null, "step": 0, "source": null},
    "statistics": {"executions": 1, "sleep_blocked": 0, "total_steps": 1, "max_depth": 1,
                   "elapsed_seconds": 0, "complete": false, "preemption_bound": null}
  })");
}

const char* const kReverted = "scenarios/ksm/foll-migration-reverted.json";
const char* const kFixed = "scenarios/ksm/foll-migration-fixed.json";
// The same race through madvise(MADV_UNMERGEABLE): a small search (under a second).
const char* const kSmallReverted = "scenarios/ksm/madvise-unmergeable-foll-migration-reverted.json";
const char* const kSmallFixed = "scenarios/ksm/madvise-unmergeable-foll-migration-fixed.json";

}  // namespace

TEST_GROUP(CliUsage){};

TEST(CliUsage, HelpDocumentsTheExitCodes) {
  Result r = cli({"--help"});
  LONGS_EQUAL(0, r.code);
  CHECK(r.out.find("Subcommands:") != std::string::npos);
  CHECK(r.out.find("  0  no violation found / every expectation met / no finding (check) /\n"
                   "     the step asked for reached (run --reach, replay of its witness)\n") != std::string::npos);
  CHECK(r.out.find("     one or more findings (check) / no execution searched reached the step\n"
                   "     (run --reach)\n") != std::string::npos);
  CHECK(r.out.find("  1  a violation found") != std::string::npos);
  CHECK(r.out.find("  2  bad input or usage") != std::string::npos);
  CHECK(r.out.find("  3  internal error") != std::string::npos);
  CHECK(r.out.find("  4  unsupported") != std::string::npos);
  STRCMP_EQUAL("", r.err.c_str());
}

TEST(CliUsage, VersionIsTheProjectVersion) {
  Result r = cli({"--version"});
  LONGS_EQUAL(0, r.code);
  STRCMP_EQUAL(("mmcheck " + std::string(tool::kVersion) + "\n").c_str(), r.out.c_str());
  LONGS_EQUAL(2, std::count(tool::kVersion.begin(), tool::kVersion.end(), '.'));
}

TEST(CliUsage, UsageErrorsAreOneLineExitTwo) {
  Result none = cli({});
  LONGS_EQUAL(2, none.code);
  STRCMP_EQUAL("mmcheck: A subcommand is required (see mmcheck --help)\n", none.err.c_str());

  Result unknown = cli({"frob"});
  LONGS_EQUAL(2, unknown.code);
  STRCMP_EQUAL(
      "mmcheck: unknown command \"frob\" (commands: run, replay, regress, list, check; see mmcheck "
      "--help)\n",
      unknown.err.c_str());

  Result missing = cli({"run"});
  LONGS_EQUAL(2, missing.code);
  STRCMP_EQUAL("mmcheck: run: a SCENARIO file is required (or --resume CHECKPOINT)\n",
               missing.err.c_str());

  Result negative = cli({"run", kFixed, "--max-steps", "-1"});
  LONGS_EQUAL(2, negative.code);
  STRCMP_EQUAL(
      "mmcheck: --max-steps: expected a non-negative integer, got \"-1\" (see mmcheck --help)\n",
      negative.err.c_str());

  Result zero = cli({"run", kFixed, "--max-steps", "0"});
  LONGS_EQUAL(2, zero.code);
  STRCMP_EQUAL("mmcheck: --max-steps: must be at least 1\n", zero.err.c_str());

  Result format = cli({"replay", "x.json", "--format", "xml"});
  LONGS_EQUAL(2, format.code);
  LONGS_EQUAL(1, lines(format.err));
}

// A max_steps below what an execution needs: the step-bound verdict says how to tell a
// livelock from a bound too small (a larger --max-steps), and the larger bound passes.
TEST(CliUsage, AStepBoundSaysHowToTellALivelockFromASmallBound) {
  Result small = cli({"run", kFixed, "--max-steps", "20"});
  LONGS_EQUAL(1, small.code);
  CHECK_TEXT(small.out.find("hint: a step bound is a livelock of the simulated kernel or a max_steps (20) too small") !=
                 std::string::npos,
             small.out.c_str());
  Result enough = cli({"run", kFixed, "--max-steps", "2000"});
  LONGS_EQUAL(0, enough.code);
  CHECK(enough.out.find("hint:") == std::string::npos);
}

TEST(CliUsage, PathsThatAreNotFilesAreOneLineExitTwo) {
  Result run = cli({"run", "no/such/scenario.json"});
  LONGS_EQUAL(2, run.code);
  STRCMP_EQUAL("mmcheck: no/such/scenario.json: no such scenario file\n", run.err.c_str());
  STRCMP_EQUAL("", run.out.c_str());

  std::string dir = fresh_dir("dir-as-file").string();
  Result replay = cli({"replay", dir});
  LONGS_EQUAL(2, replay.code);
  STRCMP_EQUAL(("mmcheck: " + dir + ": is a directory, expected a trace file\n").c_str(),
               replay.err.c_str());

  Result regress = cli({"regress", "no/such/dir"});
  LONGS_EQUAL(2, regress.code);
  STRCMP_EQUAL("mmcheck: no/such/dir: no such directory\n", regress.err.c_str());
}

TEST(CliUsage, ListShowsEveryCatalogueSection) {
  Result r = cli({"list"});
  LONGS_EQUAL(0, r.code);
  CHECK(r.out.rfind("actors:\n", 0) == 0);
  CHECK(r.out.find("\nfixes:\n") != std::string::npos);
  CHECK(r.out.find("\ninvariants:\n") != std::string::npos);
  CHECK(r.out.find("\neras:\n") != std::string::npos);
  CHECK(r.out.find("\nnot modelled (") != std::string::npos);
  CHECK(r.out.find("  mprotect ") != std::string::npos);
  for (const model::CatalogueEntry& e : model::actors())
    CHECK_TEXT(r.out.find("  " + e.name + " ") != std::string::npos, e.name.c_str());
  Result j = cli({"list", "--format", "json"});
  LONGS_EQUAL(0, j.code);
  json parsed = json::parse(j.out);
  LONGS_EQUAL(model::actors().size(), parsed["actors"].size());
  LONGS_EQUAL(model::fixes().size(), parsed["fixes"].size());
  LONGS_EQUAL(model::not_modelled().size(), parsed["not_modelled"].size());
}

TEST_GROUP(CliBadTrace) {
  fs::path dir;
  void setup() override { dir = fresh_dir("bad-trace"); }

  /// Replay `text` and expect exit 2 with exactly the line "mmcheck: FILE: at PTR: MSG".
  void expect_error(const std::string& text, const std::string& ptr, const std::string& msg) {
    std::string file = write(dir / "t.json", text);
    Result r = cli({"replay", file});
    LONGS_EQUAL(2, r.code);
    STRCMP_EQUAL(("mmcheck: " + file + ": at " + ptr + ": " + msg + "\n").c_str(), r.err.c_str());
  }
};

TEST(CliBadTrace, MalformedJson) {
  std::string file = write(dir / "t.json", "{\"format_version\": 1,");
  Result r = cli({"replay", file});
  LONGS_EQUAL(2, r.code);
  std::string prefix = "mmcheck: " + file + ": at /: malformed JSON: ";
  CHECK_TEXT(r.err.rfind(prefix, 0) == 0, r.err.c_str());
  LONGS_EQUAL(1, lines(r.err));
}

TEST(CliBadTrace, UnknownField) {
  json j = toy_trace();
  j["violation"]["severity"] = "high";
  expect_error(j.dump(), "/violation/severity", "unknown field \"severity\"");
}

TEST(CliBadTrace, WrongType) {
  json j = toy_trace();
  j["schedule"] = "0";
  expect_error(j.dump(), "/schedule", "expected an array, got string");
}

TEST(CliBadTrace, WrongFormatVersion) {
  json j = toy_trace();
  j["format_version"] = 2;
  expect_error(j.dump(), "/format_version", "unsupported format_version 2 (this mmcheck reads 1)");
}

TEST(CliBadTrace, MissingScenarioFile) {
  json j = toy_trace();
  j["provenance"]["scenario"]["file"] = "scenarios/no-such.json";
  expect_error(j.dump(), "/provenance/scenario/file",
               "scenario file \"scenarios/no-such.json\" not found (looked in the working "
               "directory and the trace's parent directories); give it with --scenario");
}

TEST(CliBadTrace, ScenarioChangedSinceRecording) {
  std::string hash = model::Scenario::load(kFixed).content_hash();
  CHECK(hash != "0123456789abcdef");
  // Found through the recorded path, relative to the working directory ...
  expect_error(toy_trace().dump(), "/provenance/scenario/content_hash",
               std::string("trace was recorded for scenario toy/lost-update version "
                           "0123456789abcdef; the file ") +
                   kFixed + " now has " + hash);
  // ... and named with --scenario.
  std::string file = (dir / "t.json").string();
  Result r = cli({"replay", file, "--scenario", kFixed});
  LONGS_EQUAL(2, r.code);
  LONGS_EQUAL(1, lines(r.err));
  CHECK(r.err.find("now has " + hash + "\n") != std::string::npos);
}

TEST_GROUP(CliRegress){};

TEST(CliRegress, EmptyDirectoryPasses) {
  fs::path dir = fresh_dir("regress-empty");
  fs::create_directories(dir / "scenarios");
  Result r = cli({"regress", dir.string()});
  LONGS_EQUAL(0, r.code);
  CHECK(r.out.find("\n0 passed, 0 failed (0 scenarios, 0 traces)\n") != std::string::npos);
}

TEST(CliRegress, BadTraceFailsItsRowExitTwoAndJUnitSaysSo) {
  fs::path dir = fresh_dir("regress-bad");
  fs::create_directories(dir / "scenarios");
  write(dir / "traces" / "x" / "bad.json", "[1, 2");
  std::string junit = (dir / "junit.xml").string();
  Result r = cli({"regress", dir.string(), "--junit", junit});
  LONGS_EQUAL(2, r.code);
  LONGS_EQUAL(1, lines(r.err));
  CHECK(r.out.find("traces/x/bad.json") != std::string::npos);
  CHECK(r.out.find("FAIL (bad input)") != std::string::npos);
  CHECK(r.out.find("\n0 passed, 1 failed (0 scenarios, 1 traces)\n") != std::string::npos);
  std::string xml = read(junit);
  CHECK_TEXT(xml.find("<testsuite name=\"mmcheck regress\" tests=\"1\" failures=\"1\"") !=
                 std::string::npos,
             xml.c_str());
  CHECK(xml.find("<testcase classname=\"traces\" name=\"traces/x/bad.json\"") != std::string::npos);
  CHECK(xml.find("<failure message=\"") != std::string::npos);
}

TEST(CliRegress, AFailingScenarioNeedsAGoldenTraceThatReproducesIt) {
  fs::path dir = fresh_dir("regress-golden");
  std::string scenario = write(dir / "scenarios" / "s.json", read(kSmallReverted));
  Result without = cli({"regress", dir.string()});
  LONGS_EQUAL(1, without.code);
  CHECK_TEXT(without.out.find("FAIL scenarios/s.json: no golden trace under ") != std::string::npos,
             without.out.c_str());

  std::string trace = (dir / "traces" / "s.json").string();
  LONGS_EQUAL(1, cli({"run", scenario, "--trace-out", trace}).code);
  Result with = cli({"regress", dir.string()});
  LONGS_EQUAL_TEXT(0, with.code, with.out.c_str());
  CHECK(with.out.find("\n2 passed, 0 failed (1 scenarios, 1 traces)\n") != std::string::npos);
}

TEST(CliRegress, XmlEscaping) {
  STRCMP_EQUAL("a&lt;b &amp; &quot;c&quot; &apos;d&apos; &gt;?\t\n",
               tool::xml_escape("a<b & \"c\" 'd' >\x01\t\n").c_str());
}

// ---- with the model's seed-000 scenarios --------------------------------------

TEST_GROUP(CliSeed000){};

TEST(CliSeed000, RevertedFindsTheViolationAndItsTraceReplays) {
  fs::path dir = fresh_dir("seed000");
  std::string trace = (dir / "reverted.json").string();
  Result r = cli({"run", kReverted, "--trace-out", trace});
  LONGS_EQUAL_TEXT(1, r.code, r.err.c_str());
  CHECK(r.out.find("expectation: violation") != std::string::npos);
  CHECK(r.out.find(": met\n") != std::string::npos);
  CHECK(r.out.find("CPU0 (") != std::string::npos);
  CHECK(r.out.find("trace written to " + trace) != std::string::npos);

  Result rp = cli({"replay", trace});
  LONGS_EQUAL_TEXT(1, rp.code, rp.err.c_str());
  CHECK(rp.out.find("reproduced the recorded violation") != std::string::npos);
  STRCMP_EQUAL("", rp.err.c_str());

  // The trace is deterministic: a second run records the same schedule.
  std::string again = (dir / "again.json").string();
  LONGS_EQUAL(1, cli({"run", kReverted, "--trace-out", again}).code);
  CHECK(tool::Trace::load(trace).schedule == tool::Trace::load(again).schedule);
}

// replay --against: the reverted scenario's counterexample run on the fixed scenario
// (FOLL_MIGRATION applied: the unmerge waits out the migration entry) passes, exit 0;
// on the reverted scenario itself it is the violation again, every step in order, exit 1.
// --against with --scenario is a usage error; a scenario with other threads is bad input.
TEST(CliSeed000, ATraceReplayedAgainstTheFixedScenarioPasses) {
  fs::path dir = fresh_dir("against");
  std::string trace = (dir / "reverted.json").string();
  LONGS_EQUAL(1, cli({"run", kReverted, "--trace-out", trace}).code);
  Result fixed = cli({"replay", trace, "--against", kFixed});
  LONGS_EQUAL_TEXT(0, fixed.code, fixed.err.c_str());
  CHECK_TEXT(contains(fixed.out, "verdict: pass: no violation on this schedule"), fixed.out.c_str());
  CHECK(contains(fixed.out, "against " + std::string(kFixed)));
  Result same = cli({"replay", trace, "--against", kReverted});
  LONGS_EQUAL_TEXT(1, same.code, same.err.c_str());
  CHECK_TEXT(contains(same.out, "WARN_ON_ONCE(page_mapped(page))"), same.out.c_str());
  CHECK_TEXT(contains(same.out, "0 out of order"), same.out.c_str());
  CHECK_TEXT(contains(same.out, "0 with no recorded step left"), same.out.c_str());
  LONGS_EQUAL(2, cli({"replay", trace, "--against", kFixed, "--scenario", kReverted}).code);
  Result other = cli({"replay", trace, "--against", "scenarios/ksm/swapoff-vs-reclaim-fixed.json"});
  LONGS_EQUAL(2, other.code);
  CHECK_TEXT(contains(other.err, "at /threads: the trace's threads are U, M"), other.err.c_str());
}

TEST(CliSeed000, CounterexampleHasTheFewestPreemptionsUnlessFirstFoundIsAsked) {
  // By default the reported counterexample is re-searched under bounds 0, 1,
  // ...: its preemption count is at most that of the first one found.
  auto preemptions = [](const std::string& out) {
    std::size_t at = out.find("counterexample: ");
    CHECK_TEXT(at != std::string::npos, out.c_str());
    return std::stoul(out.substr(at + 16));
  };
  Result fewest = cli({"run", kReverted, "--format", "text", "--bounded-first", "0"});
  Result first = cli({"run", kReverted, "--first-found", "--bounded-first", "0"});
  LONGS_EQUAL_TEXT(1, fewest.code, fewest.err.c_str());
  LONGS_EQUAL_TEXT(1, first.code, first.err.c_str());
  CHECK(fewest.out.find("the fewest possible") != std::string::npos);
  CHECK(first.out.find("(the first found)") != std::string::npos);
  CHECK(preemptions(fewest.out) <= preemptions(first.out));
  // The minimal one really is minimal: no bound below it fails.
  std::string bound = std::to_string(preemptions(fewest.out) - 1);
  if (preemptions(fewest.out) > 0)
    LONGS_EQUAL(0, cli({"run", kReverted, "--strategy", "dfs", "--preemption-bound", bound,
                        "--first-found"}).code);
}

// Iterative context bounding first (the default): DFS under bounds 0, 1, ...
// finds the race after a few tens of executions, where DPOR's order reaches it
// after hundreds, and reports the very counterexample the re-search for the
// fewest preemptions picks without it.
TEST(CliSeed000, BoundedFirstFindsTheFewestPreemptionCounterexampleBeforeTheSearch) {
  fs::path dir = fresh_dir("bounded-first");
  const std::string with = (dir / "with.json").string(), without = (dir / "without.json").string();
  Result a = cli({"run", kReverted, "--format", "json", "--trace-out", with});
  Result b = cli({"run", kReverted, "--format", "json", "--bounded-first", "0", "--trace-out", without});
  LONGS_EQUAL_TEXT(1, a.code, a.err.c_str());
  LONGS_EQUAL_TEXT(1, b.code, b.err.c_str());
  const nlohmann::json ja = nlohmann::json::parse(a.out), jb = nlohmann::json::parse(b.out);
  CHECK(ja["statistics"]["bounded_first"]["found"].get<bool>());
  CHECK(!jb["statistics"]["bounded_first"]["found"].get<bool>());
  LONGS_EQUAL(0, ja["statistics"]["executions"].get<long>());  // the search proper never ran
  LONGS_EQUAL(0, jb["statistics"]["bounded_first"]["executions"].get<long>());
  const auto first = ja["statistics"]["bounded_first"]["executions"].get<std::uint64_t>();
  const auto dpor = jb["statistics"]["executions"].get<std::uint64_t>();
  CHECK_TEXT(first * 4 < dpor, a.out.c_str());
  CHECK(tool::Trace::load(with).schedule == tool::Trace::load(without).schedule);
  // A budget too small for the bound that holds the race: the search proper finds it.
  Result c = cli({"run", kReverted, "--format", "json", "--bounded-first", "3"});
  const nlohmann::json jc = nlohmann::json::parse(c.out);
  LONGS_EQUAL(1, c.code);
  CHECK(!jc["statistics"]["bounded_first"]["found"].get<bool>());
  LONGS_EQUAL(3, jc["statistics"]["bounded_first"]["executions"].get<long>());
  CHECK(jc["statistics"]["executions"] == jb["statistics"]["executions"]);
  CHECK(jc["trace"]["schedule"] == jb["trace"]["schedule"]);
}

// A bounded-first pass that completes bound 0 without a failure, then the search proper and
// the re-search for fewer preemptions, which starts above bound 0 (the line once said
// bound 0 was searched again). Seed 000's race needs one preemption, so DPOR's first
// counterexample has one or more, and the re-search under bound 1 finds one with exactly one.
TEST(CliSeed000, TheReSearchSaysWhichBoundsTheBoundedFirstPassCovered) {
  Result r = cli({"run", kReverted, "--bounded-first", "3"});
  LONGS_EQUAL_TEXT(1, r.code, r.err.c_str());
  CHECK_TEXT(r.out.find("(bounds 0..0 searched completely)") != std::string::npos, r.out.c_str());
  CHECK_TEXT(r.out.find("counterexample: 1 preemption, the fewest possible (bounds 0..0 searched before the "
                        "search, with no failure") != std::string::npos,
             r.out.c_str());
  CHECK(r.out.find("searched again") == std::string::npos);
}

TEST(CliSeed000, FixedIsACleanSearchThatMeetsItsExpectation) {
  Result r = cli({"run", kSmallFixed});
  LONGS_EQUAL_TEXT(0, r.code, r.err.c_str());
  CHECK(r.out.find("verdict: pass\n") != std::string::npos);
  std::string expected = tool::describe_expectation(model::Scenario::load(kSmallFixed).expect());
  CHECK_TEXT(r.out.find("expectation: " + expected + ": met\n") != std::string::npos, r.out.c_str());
  CHECK(r.out.find("CPU0 (") == std::string::npos);  // no timeline without a violation
}

TEST(CliSeed000, UnknownActorIsOneLineNamingTheJsonLocation) {
  json j = json::parse(read(kFixed));
  j["threads"][0]["actor"] = "no_such_actor";
  fs::path dir = fresh_dir("unknown-actor");
  std::string file = write(dir / "s.json", j.dump());
  Result r = cli({"run", file});
  LONGS_EQUAL(2, r.code);
  LONGS_EQUAL(1, lines(r.err));
  std::string prefix = "mmcheck: " + file + ": at /threads/0/actor: ";
  CHECK_TEXT(r.err.rfind(prefix, 0) == 0, r.err.c_str());
}

// --expect: the exit code follows the scenario's expectation, not the verdict.
// The reverted scenario expects (and finds) a violation: 0 instead of 1. The
// same scenario with its expectation flipped to "pass" misses it: 1.
TEST(CliSeed000, ExpectFlagFollowsTheScenariosExpectation) {
  LONGS_EQUAL(1, cli({"run", kSmallReverted}).code);
  Result met = cli({"run", "--expect", kSmallReverted});
  LONGS_EQUAL_TEXT(0, met.code, met.err.c_str());
  CHECK(met.out.find(": met\n") != std::string::npos);

  json j = json::parse(read(kSmallReverted));
  j["expect"] = json{{"result", "pass"}};
  fs::path dir = fresh_dir("expect-missed");
  std::string file = write(dir / "s.json", j.dump());
  Result missed = cli({"run", "--expect", file});
  LONGS_EQUAL_TEXT(1, missed.code, missed.out.c_str());
  CHECK(missed.out.find("MISSED") != std::string::npos);
}

TEST_GROUP(CliModelLimit){};

namespace {
/// Huge Dirty COW with one free THP too few (tests/tool/data/huge-dirty-cow-one-thp-*.json): a
/// fault that a schedule retries after D's zap needs a THP of its own, and with none left
/// create_huge_pmd would fall back to ptes (__pte_alloc), which the model does not have. "fixed" (a8f97366452e
/// applied): nothing else fails; "reverted": the race is found in an execution that never gets there.
const char* kLimitFixed = "tests/tool/data/huge-dirty-cow-one-thp-fixed.json";
const char* kLimitReverted = "tests/tool/data/huge-dirty-cow-one-thp-reverted.json";
}  // namespace

// A model limit is its own verdict: where W's fault needs a second THP, the kernel would fall
// back to ptes, a path the model does not have. The run says "unsupported", names the path and the
// step, exits 4 with or without --expect, and never reads as a violation (whether the scenario
// expects a clean pass or a violation: a limit meets neither).
TEST(CliModelLimit, UnmodelledPathIsUnsupportedExitFourNeverAViolation) {
  json j = json::parse(read(kLimitFixed));
  fs::path dir = fresh_dir("model-limit");
  for (const char* expect : {"pass", "violation"}) {
    j["expect"] = json{{"result", expect}};
    std::string file = write(dir / (std::string(expect) + ".json"), j.dump());
    for (bool flag : {false, true}) {
      std::vector<std::string> args = {"run", file};
      if (flag) args.insert(args.begin() + 1, "--expect");
      Result r = cli(args);
      LONGS_EQUAL_TEXT(4, r.code, r.out.c_str());
      CHECK_TEXT(r.out.find("verdict: unsupported in CPU0 (W) at step ") != std::string::npos, r.out.c_str());
      CHECK_TEXT(r.out.find("model limit: __pte_alloc (create_huge_pmd's fallback when no THP is free) is not "
                            "modelled") != std::string::npos, r.out.c_str());
      CHECK(r.out.find("violation (") == std::string::npos);
      LONGS_EQUAL(1, lines(r.err));
      CHECK(r.err.rfind("mmcheck: " + file + ": unsupported in CPU0 (W)", 0) == 0);
    }
  }
}

// The search goes on past executions that reach a model limit: Huge Dirty COW (a8f97366452e
// reverted) with one free THP, where a schedule that retries W's fault after D's zap needs a
// second (create_huge_pmd's fallback to ptes, __pte_alloc, not modelled). The run reports the race, says how many executions met
// the limit and that the race does not depend on them; --stop-at-limit ends at the first limit
// instead (exit 4, the old behaviour; shown on the fixed twin); the JSON report carries both;
// replay of the limit's trace exits 4 too.
TEST(CliModelLimit, TheSearchGoesPastALimitToTheViolationElsewhere) {
  const char* file = kLimitReverted;
  Result r = cli({"run", file, "--bounded-first", "0", "--first-found"});
  LONGS_EQUAL_TEXT(1, r.code, r.err.c_str());
  CHECK_TEXT(r.out.find("verdict: violation (invariant pin_writes_private_page)") != std::string::npos, r.out.c_str());
  CHECK_TEXT(r.out.find("executions of the search reached a kernel path the model does not have and stopped there") !=
                 std::string::npos,
             r.out.c_str());
  CHECK_TEXT(r.out.find("__pte_alloc (create_huge_pmd's fallback when no THP is free)") != std::string::npos,
             r.out.c_str());
  CHECK_TEXT(r.out.find("model limit: the failure reported does not depend on them") != std::string::npos,
             r.out.c_str());
  CHECK(r.out.find("expectation: violation \"lands in the huge zero page\": met") != std::string::npos);

  // --stop-at-limit (on the fixed twin: here, searched without halted threads, DPOR's order meets
  // the race before any limit, since a halt changes which steps race).
  fs::path dir = fresh_dir("model-limit-stop");
  const std::string trace = (dir / "limit.json").string();
  Result stop = cli({"run", kLimitFixed, "--bounded-first", "0", "--stop-at-limit", "--trace-out", trace});
  LONGS_EQUAL_TEXT(4, stop.code, stop.out.c_str());
  CHECK_TEXT(stop.out.find("verdict: unsupported in CPU0 (W)") != std::string::npos, stop.out.c_str());
  CHECK(stop.out.find("stopped at the first execution that reached a model limit (--stop-at-limit)") !=
        std::string::npos);
  Result again = cli({"replay", trace});
  LONGS_EQUAL_TEXT(4, again.code, again.err.c_str());

  Result j = cli({"run", file, "--bounded-first", "0", "--first-found", "--format", "json"});
  LONGS_EQUAL_TEXT(1, j.code, j.err.c_str());
  json out = json::parse(j.out);
  STRCMP_EQUAL("violation", out["verdict"].get<std::string>().c_str());
  const auto limits = out["statistics"]["unsupported_executions"].get<std::uint64_t>();
  CHECK(limits > 0);
  CHECK(limits < out["statistics"]["executions"].get<std::uint64_t>());
  CHECK(out["model_limit"].get<std::string>().find("__pte_alloc") != std::string::npos);
}

// A limit met in some executions and no failure in any other: the verdict is unsupported after
// the whole search, and the run says so (Huge Dirty COW fixed with one free THP, as above).
TEST(CliModelLimit, ALimitWithNoOtherFailureIsUnsupportedAfterTheWholeSearch) {
  const std::string file = kLimitFixed;
  Result r = cli({"run", file});
  LONGS_EQUAL_TEXT(4, r.code, r.out.c_str());
  CHECK_TEXT(r.out.find("complete (exhaustive)") != std::string::npos, r.out.c_str());
  CHECK_TEXT(r.out.find("model limit: no other failure in the whole search, so the verdict is unsupported") !=
                 std::string::npos,
             r.out.c_str());
}

// An actor the era's kernel has but the model does not (page_referenced in 4.19), and a state the era's
// model has no paths for (a swap pte beside a 2.6.33 migrator, which models no swap-cache page):
// unsupported at load, exit 4, one line naming the JSON location; `check` says the same. Bad
// input stays exit 2 (an actor no kernel has).
TEST(CliSeed000, ActorOrStateNotModelledInTheEraIsUnsupportedExitFour) {
  fs::path dir = fresh_dir("era-unsupported");
  json j = json::parse(read("scenarios/fault/cow-fault-vs-migration-4.19-fixed.json"));
  j["threads"].push_back(json::parse(R"({"name": "S", "actor": "page_referenced", "args": {}})"));
  const std::size_t at = j["threads"].size() - 1;
  std::string file = write(dir / "gup-419.json", j.dump());
  for (const char* cmd : {"run", "check"}) {
    Result r = cli({cmd, file});
    LONGS_EQUAL_TEXT(4, r.code, r.err.c_str());
    LONGS_EQUAL(1, lines(r.err));
    CHECK_TEXT(r.err.rfind("mmcheck: " + file + ": at /threads/" + std::to_string(at) +
                               "/actor: unsupported: actor \"page_referenced\" is not modelled in kernel 4.19 (it exists in 2.6.33",
                           0) == 0,
               r.err.c_str());
  }
  j["threads"][at]["actor"] = "kswapd_of_another_kernel";
  file = write(dir / "unknown.json", j.dump());
  Result bad = cli({"run", file});
  LONGS_EQUAL_TEXT(2, bad.code, bad.err.c_str());
  CHECK_TEXT(bad.err.find(": unsupported:") == std::string::npos, bad.err.c_str());

  json k = json::parse(read("scenarios/ksm/rmap-walk-migration-ptes-fixed.json"));
  k["threads"].push_back({{"name", "R"}, {"actor", "reclaim"}, {"args", {{"page", "K"}}}});
  file = write(dir / "reclaim-2633.json", k.dump());
  // A migrator beside reclaim runs since reclaim takes its LRU isolation reference (the
  // search is long: its first 300 executions, clean).
  Result r = cli({"run", file, "--max-executions", "300"});
  LONGS_EQUAL_TEXT(0, r.code, r.err.c_str());
  CHECK_TEXT(r.err.find("unsupported") == std::string::npos, r.err.c_str());
  // (The added reclaim's swap-out leaves F's swap read no free page: `check`'s finding marks the pass.)
  CHECK_TEXT(r.out.find("verdict: pass, with 1 check finding above") != std::string::npos, r.out.c_str());
  CHECK_TEXT(r.out.find("incomplete (max executions 300 reached)") != std::string::npos, r.out.c_str());
}

// Kernel 4.19's faults: a write the model has no path for (a vma without VM_WRITE: access_error's
// SIGSEGV) is a model limit found at load: one line naming the thread's address and saying
// "unsupported", exit 4 (unsupported, as a run reaching model_limit), never a run.
TEST(CliSeed000, Unmodelled419FaultIsOneLineExitFour) {
  json j = json::parse(read("scenarios/fault/cow-fault-vs-migration-4.19-fixed.json"));
  j["initial"]["mms"][0]["vmas"][0]["flags"] = json::array({"VM_READ"});
  fs::path dir = fresh_dir("fault-419-bad");
  std::string file = write(dir / "s.json", j.dump());
  Result r = cli({"run", file});
  LONGS_EQUAL(4, r.code);
  LONGS_EQUAL(1, lines(r.err));
  CHECK_TEXT(r.err.rfind("mmcheck: " + file + ": at /threads/0/args/address: unsupported: a write fault at A:0x1000 in a vma "
                         "without VM_WRITE: access_error's SIGSEGV is not modelled", 0) == 0,
             r.err.c_str());
}

// A step check names its invariant (checker::fail_check): G1 in the reverted
// rmap-walk scenario fails at the migration's unlock_page with the message
// "G1: ...", and the verdict line says which scenario invariant that is. An
// expectation may name the invariant instead of quoting the message; another
// invariant's name is missed (exit 1 under --expect).
TEST(CliSeed000, AStepCheckNamesItsInvariant) {
  const char* file = "scenarios/ksm/rmap-walk-migration-ptes-reverted-g1.json";
  Result r = cli({"run", file});
  LONGS_EQUAL_TEXT(1, r.code, r.err.c_str());
  CHECK_TEXT(r.out.find("violation (assertion, check no_migration_entry_at_unlock)") != std::string::npos,
             r.out.c_str());
  json j = json::parse(read(file));
  fs::path dir = fresh_dir("step-check-name");
  for (const bool right : {true, false}) {
    j["expect"]["violation"] = right ? "no_migration_entry_at_unlock" : "no_leftover_migration_entry";
    const std::string path = (dir / (right ? "right.json" : "wrong.json")).string();
    std::ofstream(path) << j.dump(2);
    Result e = cli({"run", path, "--expect"});
    LONGS_EQUAL_TEXT(right ? 0 : 1, e.code, e.out.c_str());
    CHECK_TEXT(e.out.find(right ? "\": met" : "\": MISSED") != std::string::npos, e.out.c_str());
  }
}

TEST_GROUP(CliBoundedFirst){};

// A scenario's "explore": {"bounded_first": N} is the bounded-first pass's budget and
// --bounded-first overrides it. foll-migration-beside-swapoff-exit-reverted's race is one
// preemption away: with its 5000 the pass searches bound 0 whole and finds it in bound 1;
// with --bounded-first 0 and a cap of 2000 DPOR executions the search ends without it
// (DPOR alone needs 1614600, the README's table). Not a non-negative integer: exit 2 at its pointer.
TEST(CliBoundedFirst, TheScenarioGivesTheBudgetAndTheOptionOverridesIt) {
  const char* file = "scenarios/ksm/foll-migration-beside-swapoff-exit-reverted.json";
  Result r = cli({"run", file, "--first-found"});
  LONGS_EQUAL_TEXT(1, r.code, r.out.c_str());
  CHECK_TEXT(contains(r.out, "executions of plain DFS under preemption bounds 0..1 before the search proper"), r.out.c_str());
  Result off = cli({"run", file, "--bounded-first", "0", "--max-executions", "2000"});
  LONGS_EQUAL_TEXT(0, off.code, off.out.c_str());
  CHECK_TEXT(contains(off.out, "incomplete (max executions 2000 reached)"), off.out.c_str());

  fs::path dir = fresh_dir("bounded-first");
  json j = json::parse(read(file));
  for (const json& bad : {json(-1), json("5000"), json(1.5)}) {
    j["explore"]["bounded_first"] = bad;
    const std::string path = write(dir / "s.json", j.dump());
    Result b = cli({"run", path});
    LONGS_EQUAL_TEXT(2, b.code, b.err.c_str());
    LONGS_EQUAL(1, lines(b.err));
    CHECK_TEXT(contains(b.err, "mmcheck: " + path + ": at /explore/bounded_first: "), b.err.c_str());
  }
}
