// reach_test.cpp: `mmcheck run --reach [THREAD:]FUNCTION`, the witness search, and the
// replay of its trace. Expected executions and steps are derived by hand beside each test
// (or compared with the same search without --reach).
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_fixture.h"

#include <CppUTest/TestHarness.h>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using tool_test::cli;
using tool_test::Result;

/// Dirty COW with 19be0eaffa3a applied: W's forced write pin of A:0x1000 (P mapped read-only)
/// and D's MADV_DONTNEED of it; 5 DPOR executions, clean.
const char* const kDirtyCow = "scenarios/fault/dirty-cow-dontneed-fixed.json";

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

fs::path fresh_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / "mmcheck-reach-test" / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

json read_json(const fs::path& file) {
  std::ifstream in(file);
  return json::parse(in);
}

/// The number before " executions" on the search line.
long executions(const std::string& out) {
  const std::size_t at = out.find("search: ");
  if (at == std::string::npos) return -1;
  return std::stol(out.substr(at + 8));
}

}  // namespace

TEST_GROUP(CliReach){};

// W reaches do_anonymous_page only when the pte is none at its fault: D's zap came first. The
// bounded-first pass under bound 0 runs W to its end first (its COW fault is do_wp_page), then
// D to its end and W: the second execution reaches it, with no preemption, at its first step
// (the page allocation). The execution ends right after that step (W's next announce), which
// is its last step. The trace records the
// target, and its replay reaches it again: exit 0 both.
TEST(CliReach, WitnessIsPrintedWrittenAndReplayed) {
  const fs::path dir = fresh_dir("witness");
  const std::string trace = (dir / "w.json").string();
  Result r = cli({"run", kDirtyCow, "--reach", "W:do_anonymous_page", "--trace-out", trace});
  LONGS_EQUAL(0, r.code);
  CHECK_TEXT(contains(r.out, "verdict: reached in CPU0 (W) at step "), r.out.c_str());
  CHECK_TEXT(contains(r.out, "search: 2 executions of plain DFS under preemption bounds 0..0"), r.out.c_str());
  CHECK(contains(r.out, "stopped at the first execution that reached the step (--reach)"));
  CHECK(contains(r.out, "witness: 0 preemptions, the fewest possible"));
  CHECK(contains(r.out, "expectation: not checked (--reach"));
  const json t = read_json(trace);
  STRCMP_EQUAL("W", t["provenance"]["explore"]["reach"]["thread"].get<std::string>().c_str());
  STRCMP_EQUAL("do_anonymous_page", t["provenance"]["explore"]["reach"]["function"].get<std::string>().c_str());
  STRCMP_EQUAL("reached", t["violation"]["kind"].get<std::string>().c_str());
  const json& last = t["steps"].back();
  // do_anonymous_page's first step is its page allocation (a step inside it: checker::Frame).
  STRCMP_EQUAL("alloc_zeroed_user_highpage_movable", last["function"].get<std::string>().c_str());
  CHECK_TEXT(contains(r.out, ": alloc_zeroed_user_highpage_movable, inside do_anonymous_page ("), r.out.c_str());
  STRCMP_EQUAL("W", last["thread"].get<std::string>().c_str());
  // D ran first, to its end: its steps precede every step of W.
  bool w_started = false;
  for (const json& s : t["steps"]) {
    const bool is_w = s["thread"].get<std::string>() == "W";
    CHECK(is_w || !w_started);
    w_started |= is_w;
  }

  Result again = cli({"replay", trace});
  LONGS_EQUAL(0, again.code);
  CHECK_TEXT(contains(again.out, "reproduced the recorded witness (it reaches W:do_anonymous_page)"), again.out.c_str());
}

// A kernel function the model runs as several steps, none named after it, is reached by
// its first step inside it (checker::Frame). swap-read-race: FA and FB swap in slot 5, which
// no page caches. Bound 0 runs FA to its end first: its page is then in the swap cache and
// FB's lookup_swap_cache finds it, so FB never calls read_swap_cache_async. The second
// execution runs FB first: do_swap_page's lookup (find_get_page) misses, and
// read_swap_cache_async's own find_get_page, the next step of FB, is the witness. The
// trace's replay reaches it again.
TEST(CliReach, AFunctionIsReachedByAStepInsideIt) {
  const char* const scenario = "scenarios/ksm/swap-read-race-fixed.json";
  const fs::path dir = fresh_dir("frame");
  const std::string trace = (dir / "f.json").string();
  Result r = cli({"run", scenario, "--reach", "FB:read_swap_cache_async", "--trace-out", trace});
  LONGS_EQUAL(0, r.code);
  CHECK_TEXT(contains(r.out, ": find_get_page, inside read_swap_cache_async (this execution is a witness"),
             r.out.c_str());
  CHECK_TEXT(contains(r.out, "search: 2 executions of plain DFS"), r.out.c_str());
  const json t = read_json(trace);
  const json& steps = t["steps"];
  const json& last = steps.back();
  STRCMP_EQUAL("FB", last["thread"].get<std::string>().c_str());
  STRCMP_EQUAL("find_get_page", last["function"].get<std::string>().c_str());
  // The step before it in FB is do_swap_page's own lookup, not inside read_swap_cache_async.
  const json* before = nullptr;
  for (std::size_t i = 0; i + 1 < steps.size(); ++i)
    if (steps[i]["thread"] == "FB") before = &steps[i];
  CHECK(before != nullptr);
  STRCMP_EQUAL("find_get_page", (*before)["function"].get<std::string>().c_str());
  CHECK_TEXT(contains(r.out, "at step " + std::to_string(last["index"].get<int>()) + ":"), r.out.c_str());
  // Asked for by its step's name, find_get_page is reached in the first execution already
  // (FB's lookup after FA's swap-in), which read_swap_cache_async is not.
  CHECK_TEXT(contains(cli({"run", scenario, "--reach", "FB:find_get_page"}).out, "search: 1 executions of plain DFS"),
             "find_get_page");
  Result again = cli({"replay", trace});
  LONGS_EQUAL(0, again.code);
  CHECK_TEXT(contains(again.out, "reproduced the recorded witness (it reaches FB:read_swap_cache_async)"),
             again.out.c_str());
}

// A step no execution runs: the whole search is the one without --reach (the same
// executions), the verdict says "not reached", exit 1, and no trace is written.
TEST(CliReach, UnreachedStepSearchesEverythingAndExitsOne) {
  Result plain = cli({"run", kDirtyCow, "--bounded-first", "0"});
  LONGS_EQUAL(0, plain.code);
  Result r = cli({"run", kDirtyCow, "--bounded-first", "0", "--reach", "D:do_anonymous_page"});
  LONGS_EQUAL(1, r.code);
  // W runs do_anonymous_page (after D's zap), D never does: the run says the name exists.
  CHECK_TEXT(contains(r.out, "verdict: not reached: no execution of the whole search runs \"do_anonymous_page\" in "
                             "thread D (exhaustive: other threads run steps so named, or inside a function so named, this one never does)"),
             r.out.c_str());
  CHECK(contains(r.out, "complete (exhaustive)"));
  LONGS_EQUAL(executions(plain.out), executions(r.out));
  CHECK(executions(r.out) > 0);
  // A label of any thread, left without a thread: W's do_wp_page (its COW of P) runs in the
  // first execution.
  Result any = cli({"run", kDirtyCow, "--reach", "do_wp_page"});
  LONGS_EQUAL(0, any.code);
  CHECK_TEXT(contains(any.out, "verdict: reached in CPU0 (W)"), any.out.c_str());
  // A name no step has (page_ref_freeze is 4.19's; this 3.9 scenario has no reclaim at all):
  // the run says so, and the JSON's name_seen is false.
  Result none = cli({"run", kDirtyCow, "--reach", "W:page_ref_freeze"});
  LONGS_EQUAL(1, none.code);
  CHECK_TEXT(contains(none.out, "(exhaustive, and no step of any thread has that name or runs inside a "),
             none.out.c_str());
  const json j = json::parse(cli({"run", kDirtyCow, "--reach", "W:page_ref_freeze", "--format", "json"}).out);
  CHECK(j["reach"]["name_seen"] == false);
  // ... and names the scenario's own that look like the one asked: 4.19 has no function
  // madvise_dontneed, its MADV_DONTNEED runs inside madvise_dontneed_free.
  Result like = cli({"run", "scenarios/fault/swapoff-vs-dontneed-4.19-fixed.json", "--reach", "madvise_dontneed"});
  LONGS_EQUAL(1, like.code);
  CHECK_TEXT(contains(like.out, "reach: names 64 executions of this scenario run that look like it: "
                                "madvise_dontneed_free\n"),
             like.out.c_str());
  CHECK(json::parse(cli({"run", "scenarios/fault/swapoff-vs-dontneed-4.19-fixed.json", "--reach", "madvise_dontneed",
                         "--format", "json"})
                        .out)["reach"]["names_like"] == json::array({"madvise_dontneed_free"}));
  CHECK(json::parse(cli({"run", kDirtyCow, "--bounded-first", "0", "--reach", "D:do_anonymous_page", "--format", "json"}).out)
            ["reach"]["name_seen"] == true);
}

// The same witness with 2 jobs and with DPOR alone: the search proper finds it too.
TEST(CliReach, SameWitnessWithJobsAndWithoutTheBoundedPass) {
  Result one = cli({"run", kDirtyCow, "--bounded-first", "0", "--reach", "W:do_anonymous_page"});
  Result two = cli({"run", kDirtyCow, "--bounded-first", "0", "--reach", "W:do_anonymous_page", "--jobs", "2"});
  LONGS_EQUAL(0, one.code);
  LONGS_EQUAL(0, two.code);
  const std::size_t a = one.out.find("verdict:"), b = two.out.find("verdict:");
  STRCMP_EQUAL(one.out.substr(a, one.out.find('\n', a) - a).c_str(), two.out.substr(b, two.out.find('\n', b) - b).c_str());
}

// A failure of the kernel met before the step: reported as the violation it is (exit 1),
// with a line saying the search ended there. The reverted Dirty COW's pin writes the zero
// page... in P's place: pin_writes_private_page, before any execution reaches a step no
// thread has.
TEST(CliReach, AKernelFailureFirstIsReportedAsOne) {
  Result r = cli({"run", "scenarios/fault/dirty-cow-dontneed-reverted.json", "--reach", "W:no_such_function"});
  LONGS_EQUAL(1, r.code);
  CHECK_TEXT(contains(r.out, "verdict: violation"), r.out.c_str());
  CHECK(contains(r.out, "reach: the search ended at this failure before any execution ran W:no_such_function "
                        "(and no step it ran had that name or ran inside a function of that name)"));
  CHECK(contains(r.out, "counterexample: "));
  // A name that exists is not said to be missing; a misspelled one gets the names like it.
  Result real = cli({"run", "scenarios/fault/dirty-cow-dontneed-reverted.json", "--reach", "W:do_anonymous_page"});
  CHECK_FALSE(contains(real.out, "(and no step it ran had that name"));
  Result typo = cli({"run", "scenarios/fault/dirty-cow-dontneed-reverted.json", "--reach", "W:do_wp_pag"});
  CHECK_TEXT(contains(typo.out, "reach: names 64 executions of this scenario run that look like it: do_wp_page"),
             typo.out.c_str());
}

// Bad --reach values and combinations: one line each, exit 2.
TEST(CliReach, BadTargetsAreOneLineExitTwo) {
  Result thread = cli({"run", kDirtyCow, "--reach", "X:do_wp_page"});
  LONGS_EQUAL(2, thread.code);
  STRCMP_EQUAL("mmcheck: --reach \"X:do_wp_page\": the scenario has no thread \"X\" (its threads: W, D)\n",
               thread.err.c_str());
  Result empty = cli({"run", kDirtyCow, "--reach", ""});
  LONGS_EQUAL(2, empty.code);
  CHECK(contains(empty.err, "--reach: empty"));
  Result nofn = cli({"run", kDirtyCow, "--reach", "W:"});
  LONGS_EQUAL(2, nofn.code);
  CHECK(contains(nofn.err, "no function after the thread"));
  for (const char* opt : {"--expect", "--check-commutation"}) {
    std::vector<std::string> args = {"run", kDirtyCow, "--reach", "W:do_wp_page", opt};
    if (std::string(opt) == "--check-commutation") args.push_back("10");
    Result combo = cli(args);
    LONGS_EQUAL(2, combo.code);
    CHECK_TEXT(contains(combo.err, std::string("--reach does not combine with ") + opt), combo.err.c_str());
  }
  // A label with ": " is a label, not a thread ("user store: page walk").
  Result label = cli({"run", kDirtyCow, "--reach", "user store: page walk", "--max-executions", "3",
                      "--bounded-first", "0"});
  LONGS_EQUAL(1, label.code);
  CHECK(contains(label.out, "not reached"));
}

// An asynchronous reclaimer R's write completes on a thread the model adds, "R.bio": --reach
// names it as the timeline does (R swaps P out with "writeback": "async"; its bio thread's
// first step is bio_endio, which the first execution of the bounded-first pass, R then M then
// R.bio with no preemption, reaches). A thread neither declared nor added is still refused,
// and the error lists the added thread too.
TEST(CliReach, AnAddedBioThreadCanBeNamed) {
  const char* async = "scenarios/ksm/swapout-async-vs-migration-fixed.json";
  Result bio = cli({"run", async, "--reach", "R.bio:bio_endio"});
  LONGS_EQUAL(0, bio.code);
  CHECK_TEXT(contains(bio.out, "reached in CPU2 (R.bio)"), bio.out.c_str());
  Result other = cli({"run", async, "--reach", "M.bio:bio_endio"});
  LONGS_EQUAL(2, other.code);
  STRCMP_EQUAL("mmcheck: --reach \"M.bio:bio_endio\": the scenario has no thread \"M.bio\" (its threads: R, M, R.bio)\n",
               other.err.c_str());
}

// free_swap_and_cache's first step reads SWAP_HAS_CACHE, which reclaim's __delete_from_swap_cache
// clears: DPOR alone (no bounded-first pass) must still order U's zap before R's deletion. By
// hand: U's zap reaches free_swap_and_cache only when its swap_entry_free finds the slot's page
// still cached, i.e. when U's step runs before R's deletion; R first runs R to its end, so the
// witness needs the other order, which DPOR reaches only if it sees the two steps conflict.
TEST(CliReach, DporAloneReachesTheZapBeforeTheSwapCacheDeletion) {
  Result r = cli({"run", "scenarios/ksm/munmap-vs-reclaim-swapcache-fixed.json", "--reach", "U:free_swap_and_cache",
                  "--bounded-first", "0"});
  LONGS_EQUAL(0, r.code);
  CHECK_TEXT(contains(r.out, "reached in CPU1 (U)"), r.out.c_str());
}

// The paths lines count the runs that finished a thread; a --reach search stops at its
// witness, whose own run is cut at the step and not counted, so they are not printed there.
// Here R reclaims a KSM page beside an exit and ksmd (2.6.33): the first bounded-first runs
// keep the page, the witness deletes it from the swap cache; "page kept ... in every run"
// would contradict the witness printed below it.
TEST(CliReach, NoPathsLinesAfterAWitness) {
  Result r = cli({"run", "tests/tool/data/reach-paths-2.6.33.json", "--reach", "R:__delete_from_swap_cache"});
  LONGS_EQUAL(0, r.code);
  CHECK_TEXT(contains(r.out, "reached in CPU2 (R)"), r.out.c_str());
  CHECK_TEXT(!contains(r.out, "\npaths: "), r.out.c_str());
  Result j = cli({"run", "tests/tool/data/reach-paths-2.6.33.json", "--reach", "R:__delete_from_swap_cache", "--format", "json"});
  LONGS_EQUAL(0, j.code);
  CHECK_FALSE(nlohmann::json::parse(j.out).contains("paths"));
}

// A witness trace whose reach names a thread the trace does not have: bad input at its pointer.
TEST(CliReach, TraceWithAReachThreadItLacksIsBadInput) {
  const fs::path dir = fresh_dir("bad-trace");
  const std::string trace = (dir / "w.json").string();
  LONGS_EQUAL(0, cli({"run", kDirtyCow, "--reach", "W:do_anonymous_page", "--trace-out", trace}).code);
  json t = read_json(trace);
  t["provenance"]["explore"]["reach"]["thread"] = "Q";
  std::ofstream(trace) << t.dump(2);
  Result r = cli({"replay", trace});
  LONGS_EQUAL(2, r.code);
  CHECK_TEXT(contains(r.err, "at /provenance/explore/reach/thread: no thread \"Q\" in this trace's /threads"),
             r.err.c_str());
}

// --reach-note: a step whose note (the state change a timeline cell prints) contains the
// text. In numa-migration-vs-ksmd-fixed, M migrates KSM page K to node 1 and ksmd scans; by
// mm/ksm.c 3.9.6 only ksmd moves a stable node to migrate_nodes (stable_tree_search's
// `replace:` and cmp_and_merge_page's top), never migration: asked of KD it is reached (M
// runs first, then ksmd finds S misplaced), asked of M the whole search runs, the same
// executions as the plain search, and says other threads have such notes.
TEST(CliReach, ANoteIsReachedByTheThreadThatWritesIt) {
  const char* const scenario = "scenarios/ksm/numa-migration-vs-ksmd-fixed.json";
  const fs::path dir = fresh_dir("note");
  const std::string trace = (dir / "n.json").string();
  Result r = cli({"run", scenario, "--reach-note", "KD:moved to migrate_nodes", "--trace-out", trace});
  LONGS_EQUAL(0, r.code);
  CHECK_TEXT(contains(r.out, "a note containing \"moved to migrate_nodes\": \"S moved to migrate_nodes"),
             r.out.c_str());
  CHECK(contains(r.out, "stopped at the first execution that reached the step (--reach-note)"));
  const json t = read_json(trace);
  STRCMP_EQUAL("moved to migrate_nodes", t["provenance"]["explore"]["reach"]["note"].get<std::string>().c_str());
  CHECK_FALSE(t["provenance"]["explore"]["reach"].contains("function"));
  const json& last = t["steps"].back();
  STRCMP_EQUAL("KD", last["thread"].get<std::string>().c_str());
  CHECK(contains(last["note"].get<std::string>(), "S moved to migrate_nodes"));
  Result again = cli({"replay", trace});
  LONGS_EQUAL(0, again.code);
  CHECK_TEXT(contains(again.out, "reproduced the recorded witness (it reaches KD:note \"moved to migrate_nodes\")"),
             again.out.c_str());

  Result plain = cli({"run", scenario, "--bounded-first", "0"});
  Result m = cli({"run", scenario, "--bounded-first", "0", "--reach-note", "M:moved to migrate_nodes"});
  LONGS_EQUAL(1, m.code);
  CHECK_TEXT(contains(m.out, "verdict: not reached: no execution of the whole search has a step of thread M whose "
                             "note contains \"moved to migrate_nodes\" (exhaustive: steps of other threads have "
                             "such notes)"),
             m.out.c_str());
  LONGS_EQUAL(executions(plain.out), executions(m.out));
  CHECK(executions(m.out) > 0);
  CHECK_FALSE(contains(m.out, "reach: names"));
  const json mj = json::parse(cli({"run", scenario, "--reach-note", "M:moved to migrate_nodes", "--format", "json",
                                   "--max-executions", "10"})
                                  .out);
  STRCMP_EQUAL("moved to migrate_nodes", mj["reach"]["note"].get<std::string>().c_str());
  // A note's text has colons of its own: only a thread's name before the first one is a thread.
  Result colon = cli({"run", kDirtyCow, "--reach-note", "A:0x1000 nowhere", "--max-executions", "3",
                      "--bounded-first", "0"});
  LONGS_EQUAL(1, colon.code);
  CHECK_TEXT(contains(colon.out, "any thread whose note contains \"A:0x1000 nowhere\""), colon.out.c_str());
}

// Bad --reach-note input, and a witness trace naming both a function and a note.
TEST(CliReach, BadNoteTargetsAreOneLineExitTwo) {
  Result empty = cli({"run", kDirtyCow, "--reach-note", "W:"});
  LONGS_EQUAL(2, empty.code);
  CHECK_TEXT(contains(empty.err, "--reach-note \"W:\": no text to find"), empty.err.c_str());
  // A note target and a function target together are a chain (the function after the note):
  // no step notes "no such text", so the whole search runs and nothing is reached.
  Result both = cli({"run", kDirtyCow, "--reach-note", "no such text", "--reach", "W:do_wp_page"});
  LONGS_EQUAL(1, both.code);
  CHECK_TEXT(contains(both.out, "runs \"do_wp_page\" in thread W after note \"no such text\""), both.out.c_str());
  Result expect = cli({"run", kDirtyCow, "--reach-note", "x", "--expect"});
  LONGS_EQUAL(2, expect.code);
  CHECK_TEXT(contains(expect.err, "--reach-note does not combine with --expect"), expect.err.c_str());
  const fs::path dir = fresh_dir("bad-note-trace");
  const std::string trace = (dir / "w.json").string();
  LONGS_EQUAL(0, cli({"run", kDirtyCow, "--reach", "W:do_anonymous_page", "--trace-out", trace}).code);
  json t = read_json(trace);
  t["provenance"]["explore"]["reach"]["note"] = "x";
  std::ofstream(trace) << t.dump(2);
  Result r = cli({"replay", trace});
  LONGS_EQUAL(2, r.code);
  CHECK_TEXT(contains(r.err, "at /provenance/explore/reach: give one of \"function\""), r.err.c_str());
}

// Chained targets (--reach and --reach-note given more than once, in order): each reached after
// the one before it, in the same thread later or ordered after it by dependent steps. In
// dirty-cow-dontneed-fixed (3.9, 19be0eaffa3a applied), W's forced write pin of A:0x1000 and
// D's MADV_DONTNEED of it, by hand from mm/memory.c 3.9:
// - W:do_wp_page then W:do_anonymous_page: W's COW fault, then D's zap of the new pte before
//   W's follow_page, which finds none and faults again: reached.
// - D:zap_pte_range then W:do_anonymous_page: W reads the none pte D's zap wrote: reached.
// - W:do_anonymous_page then D:zap_pte_range: D zaps one pte, and every zap_pte_range step
//   of D that W's do_anonymous_page does not come after (its pte write, which W's fault
//   read; its ptl release, which W's ptl waits for) comes before it or unordered with it:
//   not reached, exhaustively, although a schedule may run D's release after W's allocation.
// The witness trace records the earlier targets, and its replay reaches it again.
TEST(CliReach, ChainedTargetsAreReachedInOrder) {
  const fs::path dir = fresh_dir("chain");
  const std::string trace = (dir / "c.json").string();
  Result r = cli({"run", kDirtyCow, "--reach", "W:do_wp_page", "--reach", "W:do_anonymous_page", "--trace-out", trace});
  LONGS_EQUAL(0, r.code);
  CHECK_TEXT(contains(r.out, ", inside do_anonymous_page, after W:do_wp_page (this execution is a witness"),
             r.out.c_str());
  const json t = read_json(trace);
  const json& reach = t["provenance"]["explore"]["reach"];
  STRCMP_EQUAL("do_anonymous_page", reach["function"].get<std::string>().c_str());
  LONGS_EQUAL(1, reach["after"].size());
  STRCMP_EQUAL("do_wp_page", reach["after"][0]["function"].get<std::string>().c_str());
  // W's do_wp_page step comes before the last step.
  bool wp = false;
  for (const json& s : t["steps"]) wp |= s["thread"] == "W" && s["function"] == "do_wp_page";
  CHECK(wp);
  Result again = cli({"replay", trace});
  LONGS_EQUAL(0, again.code);
  CHECK_TEXT(contains(again.out, "it reaches W:do_anonymous_page after W:do_wp_page"), again.out.c_str());

  LONGS_EQUAL(0, cli({"run", kDirtyCow, "--reach", "D:zap_pte_range", "--reach", "W:do_anonymous_page"}).code);
  Result no = cli({"run", kDirtyCow, "--reach", "W:do_anonymous_page", "--reach", "D:zap_pte_range"});
  LONGS_EQUAL(1, no.code);
  CHECK_TEXT(contains(no.out, "not reached: no execution of the whole search runs \"zap_pte_range\" in thread D "
                              "after W:do_anonymous_page (exhaustive"),
             no.out.c_str());
  const json j = json::parse(cli({"run", kDirtyCow, "--reach", "W:do_anonymous_page", "--reach", "D:zap_pte_range",
                                  "--format", "json"}).out);
  STRCMP_EQUAL("do_anonymous_page", j["reach"]["after"][0]["function"].get<std::string>().c_str());
  CHECK(j["reach"]["after"][0]["seen"].get<bool>());
  CHECK_FALSE(j["reach"]["reached"].get<bool>());
  CHECK_TEXT(contains(no.out, "(exhaustive: steps so named run, never after the earlier targets in that order)"),
             no.out.c_str());
  CHECK_FALSE(contains(no.out, "matched the earlier target"));
  // A misspelled earlier target is named: no step of any run matched it.
  Result typo = cli({"run", kDirtyCow, "--reach", "W:do_wp_pag", "--reach", "W:do_anonymous_page"});
  LONGS_EQUAL(1, typo.code);
  CHECK_TEXT(contains(typo.out, "reach: no step of any run of the search matched the earlier target W:do_wp_pag ("),
             typo.out.c_str());
}

// More than 8 targets, and a witness trace whose earlier target names a thread it lacks.
TEST(CliReach, BadChainsAreOneLineExitTwo) {
  std::vector<std::string> args = {"run", kDirtyCow};
  for (int i = 0; i < 9; ++i) args.insert(args.end(), {"--reach", "W:do_wp_page"});
  Result many = cli(args);
  LONGS_EQUAL(2, many.code);
  CHECK_TEXT(contains(many.err, "--reach, --reach-note: 9 targets; at most 8"), many.err.c_str());
  const fs::path dir = fresh_dir("bad-chain");
  const std::string trace = (dir / "c.json").string();
  LONGS_EQUAL(0, cli({"run", kDirtyCow, "--reach", "D:zap_pte_range", "--reach", "W:do_anonymous_page", "--trace-out",
                      trace}).code);
  json t = read_json(trace);
  t["provenance"]["explore"]["reach"]["after"][0]["thread"] = "Q";
  std::ofstream(trace) << t.dump(2);
  Result r = cli({"replay", trace});
  LONGS_EQUAL(2, r.code);
  CHECK_TEXT(contains(r.err, "at /provenance/explore/reach/after/0/thread: no thread \"Q\""), r.err.c_str());
  t["provenance"]["explore"]["reach"]["after"] = json::array();
  std::ofstream(trace) << t.dump(2);
  Result empty = cli({"replay", trace});
  LONGS_EQUAL(2, empty.code);
  CHECK_TEXT(contains(empty.err, "at /provenance/explore/reach/after: 1 to 7 earlier targets"), empty.err.c_str());
}
