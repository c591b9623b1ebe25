// check_test.cpp: `mmcheck check` (the static findings, one line each, exit 0
// clean / 1 findings / 2 bad input) and the "paths" lines of `mmcheck run`
// (a thread whose actor never returned success in any run). In-process
// through tool::run_cli, in the repository root.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <model/scenario.h>
#include <nlohmann/json.hpp>
#include <tool/cli.h>

#include "cli_fixture.h"

#include <CppUTest/TestHarness.h>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using tool_test::Result;
using tool_test::cli;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

/// `j` written to a fresh temporary file.
std::string scenario_file(const std::string& name, const json& j) {
  const fs::path d = fs::temp_directory_path() / "mmcheck-check-test";
  fs::create_directories(d);
  const fs::path f = d / name;
  std::ofstream(f, std::ios::binary) << j.dump(2);
  return f.string();
}

/// fault-after-migration with F's COW page on node 1: do_wp_page allocates on
/// node 0 (alloc_page_vma in the model), which then has no free page.
json starved() {
  json j = model::load_json_file("scenarios/ksm/fault-after-migration.json");
  for (json& p : j["initial"]["pages"])
    if (p["name"] == "C1") p["nid"] = 1;
  return j;
}

/// The output line that begins `prefix` (after a newline), or "" when there is none.
std::string line_starting(const std::string& out, const std::string& prefix) {
  const std::size_t at = out.find("\n" + prefix);
  if (at == std::string::npos) return "";
  return out.substr(at + 1, out.find('\n', at + 1) - at - 1);
}

}  // namespace

TEST_GROUP(Check){};

TEST(Check, CleanScenarioExitsZero) {
  Result r = cli({"check", "scenarios/ksm/foll-migration-fixed.json"});
  LONGS_EQUAL(0, r.code);
  STRCMP_EQUAL("check: scenarios/ksm/foll-migration-fixed.json: no findings\n", r.out.c_str());
  STRCMP_EQUAL("", r.err.c_str());
}

TEST(Check, FindingIsOneLineWithItsPointerAndExitsOne) {
  const std::string file = scenario_file("starved.json", starved());
  Result r = cli({"check", file});
  LONGS_EQUAL(1, r.code);
  CHECK_TEXT(r.out.rfind("mmcheck: " + file + ": at /threads/1: too few free pages on node 0: the threads may "
                         "allocate 1 there (F needs 1 for a do_wp_page COW copy at A:0x1000), the scenario declares none "
                         "usable",
                         0) == 0,
             r.out.c_str());
  CHECK_TEXT(contains(r.out, "\ncheck: " + file + ": 1 finding\n"), r.out.c_str());

  Result j = cli({"check", file, "--format", "json"});
  LONGS_EQUAL(1, j.code);
  const json doc = json::parse(j.out);
  LONGS_EQUAL(1, doc["findings"].size());
  STRCMP_EQUAL("free-pages", doc["findings"][0]["kind"].get<std::string>().c_str());
  STRCMP_EQUAL("/threads/1", doc["findings"][0]["pointer"].get<std::string>().c_str());
}

TEST(Check, BadInputIsTheLoadersErrorAndExitsTwo) {
  json j = starved();
  j["threads"][1]["start_after"]["event"] = "dup_mmap";  // offline_pages never forks
  const std::string file = scenario_file("never-emitted.json", j);
  Result r = cli({"check", file});
  LONGS_EQUAL(2, r.code);
  CHECK_TEXT(contains(r.err, "mmcheck: " + file + ": at /threads/1/start_after/event: thread \"H\""), r.err.c_str());
  LONGS_EQUAL(2, cli({"check", "no/such/file.json"}).code);
}

// Every scenario of the repository passes the check: no free-page shortage,
// no thread that can never run, no invariant that cannot fire, and no note.
TEST(Check, EveryRepositoryScenarioIsClean) {
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator("scenarios"))
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path().generic_string());
  std::sort(files.begin(), files.end());
  CHECK(files.size() > 50);
  for (const std::string& f : files) {
    Result r = cli({"check", f});
    CHECK_TEXT(r.code == 0, (f + ": " + r.out + r.err).c_str());
    CHECK_TEXT(!contains(r.out, "note:"), (f + ": " + r.out).c_str());
  }
}

TEST_GROUP(RunPaths){};

// Out of free pages in some runs only: fork pair A and B both store to P with one free page. The
// first COW to allocate takes C1; the second finds none (VM_FAULT_OOM) when it allocates before the
// first switched its pte, and reuses P in place (mapped once by then) when it comes after. The run
// passes and names the runs that ended VM_FAULT_OOM, and why.
TEST(RunPaths, SomeRunsOutOfFreePagesAreNamed) {
  Result r = cli({"run", "tests/tool/data/two-cows-one-free-page.json"});
  LONGS_EQUAL(0, r.code);
  const std::string line = line_starting(r.out, "paths: WA (store): VM_FAULT_OOM in ");
  CHECK_TEXT(!line.empty(), r.out.c_str());
  CHECK(contains(r.out, "never hands out again one other threads saw before it was freed, where the kernel would"));
  // n of the total, n below it: the other runs returned success.
  const std::uint64_t n = std::stoull(line.substr(line.find(" in ") + 4));
  const std::uint64_t total = std::stoull(line.substr(line.find(" of the ") + 8));
  CHECK(n > 0);
  CHECK(n < total);
  // WA's one allocation is do_wp_page's COW, and VM_FAULT_OOM comes only from its failure: as
  // many runs found no free page as ended VM_FAULT_OOM.
  CHECK_TEXT(contains(line, "; an allocation found no free page in " + std::to_string(n) + " runs ("), line.c_str());
  // A COW that lost its race to a migration gives its page back, and the retry takes it again:
  // mremap's break_ksm beside a migration of K, with one free page, never runs out.
  Result back = cli({"run", "tests/tool/data/mremap-ksm-one-free-page.json"});
  LONGS_EQUAL(0, back.code);
  CHECK_TEXT(!contains(back.out, "\npaths: "), back.out.c_str());
}

// `run` says what `check` says before its verdict: a pass read without "too few free pages"
// would hide the paths that shortage leaves unexplored. A clean repository scenario has none.
TEST(RunPaths, RunPrintsChecksFindingsAndNotes) {
  Result r = cli({"run", "tests/tool/data/two-cows-one-free-page.json"});
  LONGS_EQUAL(0, r.code);
  const std::string line = line_starting(r.out, "check: at /initial/pages: too few free pages on node 0");
  CHECK_TEXT(!line.empty(), r.out.c_str());
  CHECK(r.out.find(line) < r.out.find("\nverdict: "));
  // The pass is marked, and never meets an expected pass (--expect: exit 1).
  CHECK_TEXT(contains(r.out, "\nverdict: pass, with 1 check finding above: the search may not have run what the "
                             "scenario is about"),
             r.out.c_str());
  Result expect = cli({"run", "--expect", "tests/tool/data/two-cows-one-free-page.json"});
  LONGS_EQUAL(1, expect.code);
  CHECK_TEXT(contains(expect.out, "expectation: pass (exhaustive): MISSED (got pass with 1 check finding"),
             expect.out.c_str());
  Result j = cli({"run", "--format", "json", "tests/tool/data/two-cows-one-free-page.json"});
  LONGS_EQUAL(0, j.code);
  const json parsed = json::parse(j.out);
  LONGS_EQUAL(1, parsed["check"]["findings"].size());
  STRCMP_EQUAL("free-pages", parsed["check"]["findings"][0]["kind"].get<std::string>().c_str());
  STRCMP_EQUAL("/initial/pages", parsed["check"]["findings"][0]["pointer"].get<std::string>().c_str());
  LONGS_EQUAL(0, parsed["check"]["notes"].size());
  Result clean = cli({"run", "scenarios/ksm/swapin-slot-reuse-fixed.json"});
  LONGS_EQUAL(0, clean.code);
  CHECK_TEXT(!contains(clean.out, "\ncheck: ") && !contains(clean.out, "\nnote: "), clean.out.c_str());
}

// An error of the kernel's own, with every allocation served, is not blamed on the pool: in
// swapin-slot-reuse-fixed, F's read fault finds slot 1 freed (D's zap) in read_swap_cache_async,
// then the same swap(1) in its pte again (KD's merged page reclaimed to the reused slot), and
// 3.9's do_swap_page returns VM_FAULT_OOM (S's new anon page and F's swap-in page come from the
// scenario's three free pages).
TEST(RunPaths, TheKernelsOwnOomIsNotBlamedOnThePool) {
  Result r = cli({"run", "scenarios/ksm/swapin-slot-reuse-fixed.json"});
  LONGS_EQUAL(0, r.code);
  const std::string line = line_starting(r.out, "paths: F (fault): VM_FAULT_OOM in ");
  CHECK_TEXT(!line.empty(), r.out.c_str());
  CHECK_TEXT(contains(line, "(every allocation found a free page: the kernel's own error return)"), line.c_str());
  CHECK_TEXT(!contains(r.out, "no free page"), r.out.c_str());
}

// The shortage the check warns about, seen by the search: F's COW fails with
// VM_FAULT_OOM in every run, and the run's summary says so.
TEST(RunPaths, EveryCowFailsWithOom) {
  const std::string file = scenario_file("starved.json", starved());
  Result r = cli({"run", file});
  LONGS_EQUAL(0, r.code);  // a pass: nothing else would tell the author
  CHECK_TEXT(contains(r.out, "\npaths: F (fault): VM_FAULT_OOM in every run that finished it ("), r.out.c_str());
  CHECK_TEXT(contains(r.out, "; never returned success\n"), r.out.c_str());

  Result j = cli({"run", file, "--format", "json"});
  const json doc = json::parse(j.out);
  const json& paths = doc["paths"];
  // A pass without a re-search: every run is an execution of the bounded-first
  // pass or of the search proper, or a sleep-set-blocked run.
  CHECK(doc["statistics"]["bounded_first"]["executions"].get<std::uint64_t>() > 0);
  CHECK(paths["runs"].get<std::uint64_t>() ==
        doc["statistics"]["bounded_first"]["executions"].get<std::uint64_t>() +
            doc["statistics"]["executions"].get<std::uint64_t>() + doc["statistics"]["sleep_blocked"].get<std::uint64_t>());
  const json& f = paths["threads"][1];
  STRCMP_EQUAL("F", f["name"].get<std::string>().c_str());
  // Every run's COW found no free page, and each such run ended VM_FAULT_OOM.
  CHECK(f["outcomes"] == json({{"VM_FAULT_OOM", f["finished"]}, {"an allocation found no free page", f["finished"]}}));
  CHECK(f["finished"].get<std::uint64_t>() > 0);
  // H migrates K to N (node 1 has N and N2 free): it succeeds in some run.
  CHECK(paths["threads"][0]["outcomes"].contains("ok"));
  LONGS_EQUAL(1, paths["never_ok"].size());
}

// With C1 on node 0 (the repository's scenario) the COW succeeds: no paths line.
TEST(RunPaths, NoLineWhenEveryThreadSucceedsSomewhere) {
  Result r = cli({"run", "scenarios/ksm/fault-after-migration.json"});
  LONGS_EQUAL(0, r.code);
  CHECK_TEXT(!contains(r.out, "paths:"), r.out.c_str());
}

// A pinned KSM page fails migration's refcount check on every schedule
// (migrate_page_move_mapping expects mapcount + 1 references): -EAGAIN, by design.
TEST(RunPaths, PinnedPageMigrationNeverSucceeds) {
  Result r = cli({"run", "scenarios/ksm/migrate-pinned-ksm-page.json"});
  LONGS_EQUAL(0, r.code);
  CHECK_TEXT(contains(r.out, "\npaths: M (migrate_pages): -EAGAIN in every run that finished it ("), r.out.c_str());
}

// Reclaim of a page with a get_user_pages pin: __remove_mapping's freeze finds one
// reference more than the swap cache's and the isolation's, so shrink_page_list
// keeps the page on every schedule, and the summary says so. Without the pin the
// same scenario frees the page in some runs and keeps it in others (a fault holds
// it): no paths line for R.
TEST(RunPaths, PinnedPageIsNeverReclaimed) {
  json j = model::load_json_file("scenarios/ksm/swapout-vs-fault-fixed.json");
  Result plain = cli({"run", "scenarios/ksm/swapout-vs-fault-fixed.json", "--format", "json"});
  const json outcomes = json::parse(plain.out)["paths"]["threads"][0]["outcomes"];
  CHECK(outcomes.contains("ok"));
  CHECK(outcomes.contains("page kept (not reclaimed)"));
  j["initial"]["pages"][0]["pins"] = 1;
  j["initial"]["pages"][0].erase("refcount");
  const std::string file = scenario_file("pinned-reclaim.json", j);
  Result r = cli({"run", file});
  LONGS_EQUAL(0, r.code);
  CHECK_TEXT(contains(r.out, "\npaths: R (reclaim): page kept (not reclaimed) in every run that finished it ("),
             r.out.c_str());
}

// A swapoff beside an exit: its -ENOMEM runs are try_to_unuse's busy loop on a slot the exiting
// mm still holds (each pass reads it into a new page), so the line says more pages only lengthen
// it instead of asking for more.
TEST(RunPaths, SwapoffBesideAnExitNamesItsBusyLoop) {
  Result r = cli({"run", "scenarios/fault/swapoff-vs-exit-fixed.json"});
  LONGS_EQUAL(0, r.code);
  const std::string line = line_starting(r.out, "paths: O (swapoff): -ENOMEM in ");
  CHECK_TEXT(!line.empty(), r.out.c_str());
  CHECK_TEXT(contains(line, "a busy loop that more pages only lengthen"), line.c_str());
  CHECK_TEXT(!contains(line, "declare more"), line.c_str());
}
