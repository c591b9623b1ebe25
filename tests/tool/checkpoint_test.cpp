// checkpoint_test.cpp: `run --checkpoint` and `run --resume` in-process: a
// search cut by --max-executions at several points and resumed adds up to the
// uncut search (counts, verdict, counterexample), with one job or two; and
// every bad checkpoint is one line naming the file and JSON pointer, exit 2.
// The signal path (Ctrl-C leaves a checkpoint) is in tests/tool/interrupt.sh.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <tool/checkpoint_file.h>
#include <tool/cli.h>

#include <CppUTest/TestHarness.h>

namespace fs = std::filesystem;

namespace {

struct Result {
  int code;
  std::string out, err;
};

Result cli(std::vector<std::string> args) {
  std::ostringstream out, err;
  int code = tool::run_cli(std::move(args), out, err);
  return {code, out.str(), err.str()};
}

nlohmann::json json_run(std::vector<std::string> args) {
  args.insert(args.begin(), "run");
  args.push_back("--format");
  args.push_back("json");
  Result r = cli(args);
  CHECK_TEXT(r.code == 0 || r.code == 1, r.err.c_str());
  return nlohmann::json::parse(r.out);
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

/// A fresh directory under the system's temporary one.
fs::path scratch(const char* name) {
  fs::path d = fs::temp_directory_path() / ("mmcheck-checkpoint-test-" + std::string(name));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// First failure after a few hundred executions (DPOR).
const char* const kReverted = "scenarios/ksm/foll-migration-reverted.json";
// Exhaustive, clean, a hundred-odd executions.
const char* const kSmallFixed = "scenarios/ksm/cow-fault-vs-migration-fixed.json";

/// The uncut search of `scenario` against the same search cut every
/// `budget` executions and resumed, each piece with `jobs` (the search proper:
/// without the bounded-first pass, which would find kReverted's race at once).
void check_chain(const char* scenario, std::uint64_t budget, const char* jobs) {
  nlohmann::json whole = json_run({scenario, "--first-found", "--bounded-first", "0"});
  fs::path dir = scratch("chain");
  std::string ck = (dir / "ck.json").string();
  std::vector<std::string> args = {scenario, "--first-found", "--bounded-first", "0", "--jobs", jobs,
                                   "--max-executions", std::to_string(budget), "--checkpoint", ck};
  int pieces = 0;
  nlohmann::json last;
  for (;;) {
    last = json_run(args);
    ++pieces;
    if (last["checkpoint"].is_null()) break;
    CHECK(pieces < 1000);
    args = {"--resume", ck, "--first-found", "--jobs", jobs, "--max-executions",
            std::to_string(budget), "--checkpoint", ck};
  }
  std::string what = std::string(scenario) + " every " + std::to_string(budget) + " jobs " + jobs;
  CHECK_TEXT(pieces >= 2, what.c_str());
  CHECK_TEXT(whole["statistics"]["executions"] == last["statistics"]["executions"], what.c_str());
  CHECK_TEXT(whole["statistics"]["total_steps"] == last["statistics"]["total_steps"], what.c_str());
  CHECK_TEXT(whole["verdict"] == last["verdict"], what.c_str());
  CHECK_TEXT(whole["statistics"]["complete"] == last["statistics"]["complete"], what.c_str());
  CHECK_TEXT(whole["trace"]["schedule"] == last["trace"]["schedule"], what.c_str());
  CHECK_TEXT(last["statistics"]["resumed_executions"].get<std::uint64_t>() > 0, what.c_str());
}

}  // namespace

TEST_GROUP(CliCheckpoint){};

TEST(CliCheckpoint, PiecesAddUpToTheUncutSearch) {
  check_chain(kReverted, 200, "1");
  check_chain(kReverted, 150, "2");
  check_chain(kSmallFixed, 40, "1");
  check_chain(kSmallFixed, 25, "2");
}

TEST(CliCheckpoint, TextSaysWhatWasWrittenAndHowToGoOn) {
  fs::path dir = scratch("text");
  std::string ck = (dir / "ck.json").string();
  Result cut = cli({"run", kSmallFixed, "--max-executions", "50", "--checkpoint", ck});
  LONGS_EQUAL(0, cut.code);
  CHECK_TEXT(cut.out.find("checkpoint written to " + ck + " (50 executions so far); continue "
                          "with: mmcheck run --resume " + ck) != std::string::npos,
             cut.out.c_str());
  Result rest = cli({"run", "--resume", ck, "--checkpoint", ck});
  LONGS_EQUAL_TEXT(0, rest.code, rest.err.c_str());
  CHECK_TEXT(rest.out.find("resumed from " + ck + " (50 executions explored before it)") !=
                 std::string::npos,
             rest.out.c_str());
  CHECK(rest.out.find("complete (exhaustive)") != std::string::npos);
  CHECK(rest.out.find("no checkpoint written: the search ended") != std::string::npos);
}

namespace {
/// A bad checkpoint: exit 2, one line "mmcheck: FILE: at POINTER: ..." containing `says`.
void check_refused(const std::vector<std::string>& args, const std::string& file,
                   const std::string& pointer, const std::string& says) {
  Result r = cli(args);
  std::string what = file + " " + pointer + ": " + r.err;
  LONGS_EQUAL_TEXT(2, r.code, what.c_str());
  LONGS_EQUAL_TEXT(1, std::count(r.err.begin(), r.err.end(), '\n'), what.c_str());
  std::string head = "mmcheck: " + file + ": at " + pointer + ": ";
  CHECK_TEXT(r.err.rfind(head, 0) == 0, what.c_str());
  CHECK_TEXT(r.err.find(says) != std::string::npos, what.c_str());
}
}  // namespace

TEST(CliCheckpoint, BadCheckpointsAreOneLineExitTwo) {
  fs::path dir = scratch("bad");
  std::string ck = (dir / "ck.json").string();
  LONGS_EQUAL(0, cli({"run", kSmallFixed, "--max-executions", "30", "--checkpoint", ck}).code);
  const std::string good = slurp(ck);
  nlohmann::json j = nlohmann::json::parse(good);
  std::string bad = (dir / "bad.json").string();

  // Damaged: a number in the engine's state changed, the checksum no longer fits.
  nlohmann::json damaged = j;
  damaged["engine"]["stats"]["executions"] = 31;
  spit(bad, damaged.dump());
  check_refused({"run", "--resume", bad}, bad, "/checksum", "damaged");
  // Edited with a checksum to match: the engine refuses what it could not
  // have written (a thread not enabled at its point), naming the place.
  nlohmann::json forged = j;
  forged["engine"]["state"]["path"][0]["thread"] = 63;
  forged["checksum"] = tool::checkpoint_checksum(forged["engine"].dump());
  spit(bad, forged.dump());
  check_refused({"run", "--resume", bad}, bad, "/engine/state/path/0/thread", "not enabled");
  // Truncated.
  spit(bad, good.substr(0, good.size() / 2));
  check_refused({"run", "--resume", bad}, bad, "/", "not JSON");
  // Another format version, an unknown field, not a checkpoint at all.
  nlohmann::json v2 = j;
  v2["format_version"] = 2;
  spit(bad, v2.dump());
  check_refused({"run", "--resume", bad}, bad, "/format_version", "this mmcheck reads 1");
  nlohmann::json extra = j;
  extra["colour"] = "blue";
  spit(bad, extra.dump());
  check_refused({"run", "--resume", bad}, bad, "/colour", "unknown field");
  spit(bad, slurp(kSmallFixed));
  check_refused({"run", "--resume", bad}, bad, "/", "not an mmcheck checkpoint");
  // Another version of the scenario: the same file with one field changed.
  nlohmann::json scenario = nlohmann::json::parse(slurp(kSmallFixed));
  scenario["summary"] = "edited since the checkpoint";
  std::string edited = (dir / "edited.json").string();
  spit(edited, scenario.dump(2));
  check_refused({"run", edited, "--resume", ck}, ck, "/scenario/content_hash", "now has");
  // Other search options than the checkpoint's.
  check_refused({"run", "--resume", ck, "--max-steps", "77"}, ck, "/options/max_steps",
                "resume with the same options");
  check_refused({"run", "--resume", ck, "--strategy", "dfs"}, ck, "/options/strategy",
                "resume with the same options");
  // A checkpoint whose scenario is not where it says (and none given).
  nlohmann::json moved = j;
  moved["scenario"]["file"] = "scenarios/nowhere.json";
  spit(bad, moved.dump());
  check_refused({"run", "--resume", bad}, bad, "/scenario/file", "not found");

  // No JSON location to name: a missing file, a strategy that keeps none.
  Result missing = cli({"run", "--resume", (dir / "none.json").string()});
  LONGS_EQUAL(2, missing.code);
  STRCMP_CONTAINS("no such checkpoint file", missing.err.c_str());
  Result random = cli({"run", kSmallFixed, "--strategy", "random", "--checkpoint", ck});
  LONGS_EQUAL(2, random.code);
  STRCMP_EQUAL("mmcheck: --checkpoint: only dpor and dfs searches keep checkpoints, this one is "
               "random\n",
               random.err.c_str());
  Result nothing = cli({"run"});
  LONGS_EQUAL(2, nothing.code);
  STRCMP_CONTAINS("SCENARIO", nothing.err.c_str());
}
