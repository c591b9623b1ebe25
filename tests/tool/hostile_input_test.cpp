// hostile_input_test.cpp: input a user could feed mmcheck to crash or hang it
// (found by fuzzing, issue 9), each answered with exit 2 and one located,
// short error line "mmcheck: FILE: at /pointer: what", and the output files
// mmcheck writes: checked before the search, written atomically, never over
// an input, with the system's reason on failure.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <stdexcept>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <model/input_limits.h>
#include <model/scenario.h>
#include <nlohmann/json.hpp>
#include <tool/cli.h>
#include <tool/regress.h>

#include "cli_fixture.h"

#include <CppUTest/TestHarness.h>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using tool_test::Result;
using tool_test::cli;

std::size_t lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A small clean scenario (one thread, two executions).
const char* const kBase = "scenarios/ksm/swapin-not-uptodate-fixed.json";
// A failing one whose search takes well under a second.
const char* const kFailing = "scenarios/ksm/fork-during-unmerge-reverted.json";

}  // namespace

TEST_GROUP(HostileInput) {
  fs::path dir;
  json base;
  void setup() override {
    dir = fs::temp_directory_path() / "mmcheck-hostile-test";
    fs::remove_all(dir);
    fs::create_directories(dir);
    base = json::parse(slurp(kBase));
  }
  void teardown() override { fs::remove_all(dir); }

  std::string write(const std::string& name, const std::string& text) {
    fs::path f = dir / name;
    std::ofstream(f, std::ios::binary) << text;
    return f.string();
  }

  /// `run FILE` must exit 2 with exactly "mmcheck: FILE: at PTR: " and a
  /// message containing `what`, on one short line; a model limit found at load
  /// (`unsupported`) exits 4 with "unsupported: " after the location.
  void expect_bad(const std::string& text, const std::string& ptr, const std::string& what,
                  bool unsupported = false) {
    std::string file = write("s.json", text);
    Result r = cli({"run", file});
    LONGS_EQUAL_TEXT(unsupported ? 4 : 2, r.code, r.err.c_str());
    std::string prefix = "mmcheck: " + file + ": at " + ptr + ": " + (unsupported ? "unsupported: " : "");
    CHECK_TEXT(r.err.rfind(prefix, 0) == 0, r.err.c_str());
    CHECK_TEXT(r.err.find(what) != std::string::npos, r.err.c_str());
    LONGS_EQUAL_TEXT(1, lines(r.err), r.err.c_str());
    CHECK_TEXT(r.err.size() < 600, r.err.substr(0, 600).c_str());
    STRCMP_EQUAL("", r.out.c_str());
  }
};

TEST(HostileInput, DeepNestingUnderAnUnknownKeyIsALimitNotAStackOverflow) {
  std::string s = base.dump();
  std::string deep = std::string(65000, '[') + std::string(65000, ']');
  s.insert(s.size() - 1, ",\"x\":" + deep);
  std::string ptr = "/x";
  for (std::size_t i = 1; i < model::kMaxJsonDepth; ++i) ptr += "/0";
  expect_bad(s, ptr, "nested deeper than 64 arrays and objects");
}

TEST(HostileInput, DeepNestingInATraceIsALimit) {
  std::string file = write("t.json", "{\"format_version\": " + std::string(65000, '[') + "}");
  Result r = cli({"replay", file});
  LONGS_EQUAL(2, r.code);
  CHECK_TEXT(r.err.find("nested deeper than 64") != std::string::npos, r.err.c_str());
  LONGS_EQUAL(1, lines(r.err));
}

// A scenario given to replay: one line saying it is a scenario, not a trace (exit 2).
TEST(HostileInput, AScenarioGivenToReplayIsNamedAsOne) {
  std::string file = write("s.json", base.dump());
  Result r = cli({"replay", file});
  LONGS_EQUAL(2, r.code);
  CHECK_TEXT(r.err.find("this is a scenario, not a trace") != std::string::npos, r.err.c_str());
  LONGS_EQUAL(1, lines(r.err));
}

TEST(HostileInput, NestingUpToTheLimitParses) {
  // 64 levels: the document itself is one, then 63 arrays.
  std::string ok = "{\"a\":" + std::string(model::kMaxJsonDepth - 1, '[') +
                   std::string(model::kMaxJsonDepth - 1, ']') + "}";
  json j = model::parse_json_text(ok, "ok.json");
  CHECK(j.contains("a"));
  std::string one_more = "{\"a\":" + std::string(model::kMaxJsonDepth, '[') +
                         std::string(model::kMaxJsonDepth, ']') + "}";
  CHECK_THROWS(model::InputError, model::parse_json_text(one_more, "deep.json"));
}

TEST(HostileInput, ANumberBeyondADoubleIsLocated) {
  std::string s = base.dump();
  std::string key = "\"refcount\":2";
  s.replace(s.find(key), key.size(), "\"refcount\":1e400");
  expect_bad(s, "/initial/pages/0/refcount", "number \"1e400\" does not fit a double");
}

TEST(HostileInput, TheLargestUnsignedIsReportedAsItIs) {
  json j = base;
  j["initial"]["pages"][0]["refcount"] = UINT64_MAX;
  expect_bad(j.dump(), "/initial/pages/0/refcount",
             "expected an integer in [0, 1000], got 18446744073709551615");
  j = base;
  j["initial"]["mms"][0]["vmas"][0]["start"] = UINT64_MAX;
  expect_bad(j.dump(), "/initial/mms/0/vmas/0/start", "0xffffffffffffffff is above the end of user space");
}

TEST(HostileInput, AddressesAreStrict) {
  for (const char* bad : {"-0x1000", " 0x1000", "0x1000 ", "+4096", "0x", "0x1g00", "0x10000000000000000"}) {
    json j = base;
    j["initial"]["ptes"][0]["address"] = bad;
    expect_bad(j.dump(), "/initial/ptes/0/address", "expected an address like \"0x1000\"");
  }
}

TEST(HostileInput, AHugeVmaIsRefused) {
  json j = base;
  j["initial"]["mms"][0]["vmas"][0]["end"] = "0xfffffffffffff000";
  expect_bad(j.dump(), "/initial/mms/0/vmas/0/end", "above the end of user space");
  j["initial"]["mms"][0]["vmas"][0]["end"] = "0x7ffffffff000";
  expect_bad(j.dump(), "/initial/mms/0/vmas/0/end", "pages; at most 4096");
  // Many vmas of the largest size: their total is bounded too.
  j = base;
  json& vmas = j["initial"]["mms"][1]["vmas"];
  vmas = json::array();
  for (int i = 0; i < 5; ++i) {
    std::uint64_t start = 0x1000 + static_cast<std::uint64_t>(i) * model::kMaxVmaPages * 0x1000;
    char a[32], b[32];
    std::snprintf(a, sizeof a, "0x%llx", static_cast<unsigned long long>(start));
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(start + model::kMaxVmaPages * 0x1000));
    vmas.push_back({{"start", a}, {"end", b}, {"anon_vma", "avB"}});
  }
  expect_bad(j.dump(), "/initial/mms/1/vmas/3/end", "more than 16384 pages together");
}

TEST(HostileInput, DuplicateKeysAreRefused) {
  std::string s = base.dump();
  s.insert(s.find("\"kernel\""), "\"kernel\":\"2.6.33\",");
  expect_bad(s, "/kernel", "duplicate key \"kernel\"");
}

TEST(HostileInput, ASwapPteOutsideAnAnonVmaIsRefused) {
  json j = base;
  j["initial"]["mms"][1]["vmas"][0].erase("anon_vma");
  expect_bad(j.dump(), "/initial/ptes/1/entry", "a swap entry in a vma without an anon_vma");
}

// mremap (issue 13) and vm_pgoff: a target that is not free, out of range or not
// an address, and a vm_pgoff beyond user space, each one located line.
TEST(HostileInput, BadMremapArgumentsAndVmPgoffAreOneLine) {
  json m = json::parse(slurp("scenarios/ksm/mremap-vs-migration-fixed.json"));
  json j = m;
  j["threads"][0]["args"]["new_address"] = "0x2000";
  expect_bad(j.dump(), "/threads/0/args/new_address", "the new range overlaps the old one");
  j = m;
  j["threads"][0]["args"]["new_address"] = UINT64_MAX;
  expect_bad(j.dump(), "/threads/0/args/new_address", "above the end of user space");
  j = m;
  j["threads"][0]["args"]["new_address"] = "0x7ffffffff000";
  expect_bad(j.dump(), "/threads/0/args/new_address", "the new range ends above the end of user space");
  j = m;
  j["threads"][0]["args"]["old_address"] = json::array();
  expect_bad(j.dump(), "/threads/0/args/old_address", "expected an address");
  j = m;
  j["threads"][0]["args"]["mm"] = "Z";
  expect_bad(j.dump(), "/threads/0/args/mm", "no mm named \"Z\"");
  j = m;
  j["initial"]["mms"][0]["vmas"][0]["vm_pgoff"] = UINT64_MAX;
  expect_bad(j.dump(), "/initial/mms/0/vmas/0/vm_pgoff", "expected an integer in [0, 34359738367]");
}

// The store actor and ksmd's batches (issue 13): out-of-range and mistyped values,
// unknown fields, a store where it cannot run; each one located line, exit 2 (a store into a
// vma without VM_WRITE, a SIGSEGV the model does not have: unsupported, exit 4).
TEST(HostileInput, StoreAndKsmdBatchesAreChecked) {
  const json merge = json::parse(slurp("scenarios/ksm/ksmd-merge-vs-write-fixed.json"));
  json j = merge;
  j["threads"][1]["args"]["value"] = -1;
  expect_bad(j.dump(), "/threads/1/args/value", "expected an integer in [1, 1048576], got -1");
  j["threads"][1]["args"]["value"] = UINT64_MAX;
  expect_bad(j.dump(), "/threads/1/args/value", "got 18446744073709551615");
  j["threads"][1]["args"]["value"] = "9";
  expect_bad(j.dump(), "/threads/1/args/value", "expected an integer");
  j = merge;
  j["threads"][1]["args"]["mm"] = "Z";
  expect_bad(j.dump(), "/threads/1/args/mm", "no mm named \"Z\"");
  j = merge;
  j["threads"][1]["args"]["address"] = "0x1001";
  expect_bad(j.dump(), "/threads/1/args/address", "address 0x1001 is not page aligned");
  j = merge;
  j["threads"][1]["args"]["address"] = "0x9000";
  expect_bad(j.dump(), "/threads/1/args/address", "no pte slot of mm A at this address");
  j = merge;
  j["threads"][1]["args"]["bytes"] = 4;
  expect_bad(j.dump(), "/threads/1/args/bytes", "unknown");
  j = merge;
  j["initial"]["mms"][0]["vmas"][0]["flags"] = {"VM_READ", "VM_MERGEABLE"};
  expect_bad(j.dump(), "/threads/1/args/address", "not VM_WRITE", true);
  j = merge;
  j["threads"][0]["args"]["batches"] = 0;
  expect_bad(j.dump(), "/threads/0/args/batches", "expected an integer in [1, 8], got 0");
  j["threads"][0]["args"]["batches"] = 1e300;
  expect_bad(j.dump(), "/threads/0/args/batches", "expected an integer");
}

TEST(HostileInput, ErrorsQuoteOnlyAnExcerpt) {
  // Whitespace, then garbage: the line stays short.
  std::string s = std::string(1 << 20, ' ') + std::string(1 << 20, 'x');
  std::string file = write("s.json", s);
  Result r = cli({"run", file});
  LONGS_EQUAL(2, r.code);
  LONGS_EQUAL(1, lines(r.err));
  CHECK_TEXT(r.err.size() < 400, r.err.substr(0, 400).c_str());
  CHECK(r.err.find("malformed JSON") != std::string::npos);

  // A long name with control characters.
  json j = base;
  j["kernel"] = std::string(1 << 20, 'k') + "\n";
  expect_bad(j.dump(), "/kernel", "unknown kernel era \"kkkk");

  // A long unknown key.
  j = base;
  j[std::string(100000, 'q')] = 1;
  std::string file2 = write("s.json", j.dump());
  Result r2 = cli({"run", file2});
  LONGS_EQUAL(2, r2.code);
  CHECK_TEXT(r2.err.size() < 400, r2.err.substr(0, 400).c_str());

  // A trace's format_version of 10 MB is not echoed whole.
  std::string file3 = write("t.json", json{{"format_version", std::string(10 << 20, '9')}}.dump());
  Result r3 = cli({"replay", file3});
  LONGS_EQUAL(2, r3.code);
  LONGS_EQUAL(1, lines(r3.err));
  CHECK_TEXT(r3.err.size() < 400, r3.err.substr(0, 400).c_str());
}

TEST(HostileInput, AFileAboveTheSizeLimitIsRefused) {
  std::string s = base.dump();
  s += std::string(model::kMaxFileBytes, ' ');
  std::string file = write("s.json", s);
  Result r = cli({"run", file});
  LONGS_EQUAL(2, r.code);
  STRCMP_EQUAL(("mmcheck: " + file + ": at /: file larger than 8 MiB; scenario and trace files are at most that\n").c_str(),
               r.err.c_str());
}

TEST(HostileInput, ASymlinkLoopSaysSo) {
  fs::create_symlink(dir / "b.json", dir / "a.json");
  fs::create_symlink(dir / "a.json", dir / "b.json");
  std::string a = (dir / "a.json").string();
  Result r = cli({"run", a});
  LONGS_EQUAL(2, r.code);
  STRCMP_EQUAL(("mmcheck: " + a + ": cannot open scenario file: Too many levels of symbolic links\n").c_str(),
               r.err.c_str());
}

TEST(HostileInput, OptionsBeyondTheLimits) {
  Result r = cli({"run", kBase, "--max-steps", "1000001"});
  LONGS_EQUAL(2, r.code);
  STRCMP_EQUAL("mmcheck: --max-steps: at most 1000000 steps per execution\n", r.err.c_str());
  json j = base;
  j["explore"]["max_steps"] = 1000001;
  expect_bad(j.dump(), "/explore/max_steps", "expected an integer in [1, 1000000], got 1000001");
}

TEST_GROUP(OutputFiles) {
  fs::path dir;
  void setup() override {
    dir = fs::temp_directory_path() / "mmcheck-output-test";
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void teardown() override { fs::remove_all(dir); }
};

TEST(OutputFiles, TheTraceNeverReplacesTheScenario) {
  fs::copy_file(kFailing, dir / "s.json");
  std::string s = (dir / "s.json").string();
  std::string before = slurp(s);
  Result r = cli({"run", s, "--trace-out", s});
  LONGS_EQUAL(2, r.code);
  STRCMP_EQUAL(("mmcheck: " + s + ": cannot write trace file: it is the input file " + s +
                " (choose another path)\n").c_str(),
               r.err.c_str());
  STRCMP_EQUAL("", r.out.c_str());  // refused before the search
  CHECK(before == slurp(s));
  // The same file by another path.
  std::string other = (dir / "." / "s.json").string();
  Result r2 = cli({"run", s, "--trace-out", other});
  LONGS_EQUAL(2, r2.code);
  CHECK(before == slurp(s));
}

TEST(OutputFiles, AnUnwritablePathFailsBeforeTheSearchWithTheReason) {
  std::ofstream(dir / "plain") << "x";
  std::string out = (dir / "plain" / "t.json").string();
  Result r = cli({"run", kFailing, "--trace-out", out});
  LONGS_EQUAL(2, r.code);
  STRCMP_EQUAL("", r.out.c_str());
  CHECK_TEXT(r.err.rfind("mmcheck: " + out + ": cannot write trace file: ", 0) == 0, r.err.c_str());
  CHECK_TEXT(r.err.find("File exists") != std::string::npos || r.err.find("Not a directory") != std::string::npos,
             r.err.c_str());
}

TEST(OutputFiles, AFailedWriteKeepsTheOldFileAndLeavesNoPart) {
  std::string out = (dir / "t.json").string();
  std::ofstream(out) << "old";
  // A file size limit makes write() fail with EFBIG, as a full disk fails with ENOSPC.
  struct rlimit old_limit;
  getrlimit(RLIMIT_FSIZE, &old_limit);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old_limit;
  small.rlim_cur = 100;
  setrlimit(RLIMIT_FSIZE, &small);
  Result r = cli({"run", kFailing, "--trace-out", out});
  setrlimit(RLIMIT_FSIZE, &old_limit);
  std::signal(SIGXFSZ, old_handler);
  LONGS_EQUAL(2, r.code);
  STRCMP_EQUAL(("mmcheck: " + out + ": cannot write trace file: File too large\n").c_str(), r.err.c_str());
  STRCMP_EQUAL("old", slurp(out).c_str());
  std::size_t files = 0;
  for (auto& e : fs::directory_iterator(dir)) files += e.is_regular_file() ? 1 : 0;
  LONGS_EQUAL(1, files);  // no temporary file left behind
  // Without the limit the trace is written whole and parses.
  Result ok = cli({"run", kFailing, "--trace-out", out});
  LONGS_EQUAL(1, ok.code);
  json t = json::parse(slurp(out));
  LONGS_EQUAL(1, t["format_version"].get<int>());
}

TEST_GROUP(RegressIsolation) {
  fs::path dir;
  void setup() override {
    dir = fs::temp_directory_path() / "mmcheck-regress-isolation";
    fs::remove_all(dir);
    fs::create_directories(dir / "scenarios");
  }
  void teardown() override { fs::remove_all(dir); }
  tool::Regress::Row row() {
    tool::Regress::Row r;
    r.kind = "scenario";
    r.name = "scenarios/x.json";
    return r;
  }
};

TEST(RegressIsolation, ARowComesBackFromItsProcess) {
  tool::Regress::Row in = row();
  tool::Regress::Row got = tool::Regress::run_isolated(
      [&] {
        tool::Regress::Row r = in;
        r.got = "pass (exhaustive)";
        r.executions = 12345;
        r.detail = std::string("caf\xc3\xa9");
        return r;
      },
      in, 60);
  CHECK(got.status == tool::Regress::Status::Pass);
  STRCMP_EQUAL("pass (exhaustive)", got.got.c_str());
  LONGS_EQUAL(12345, got.executions);
  STRCMP_EQUAL("caf\xc3\xa9", got.detail.c_str());
}

TEST(RegressIsolation, ACrashFailsItsRowWithTheSignal) {
  tool::Regress::Row got = tool::Regress::run_isolated(
      []() -> tool::Regress::Row {
        std::signal(SIGSEGV, SIG_DFL);
        std::raise(SIGSEGV);
        return {};
      },
      row(), 60);
  CHECK(got.status == tool::Regress::Status::Crashed);
  CHECK_TEXT(got.detail.find("SIGSEGV") != std::string::npos, got.detail.c_str());
  STRCMP_EQUAL("scenarios/x.json", got.name.c_str());
}

TEST(RegressIsolation, AHangIsKilledAtTheRowLimit) {
  tool::Regress::Row got = tool::Regress::run_isolated(
      []() -> tool::Regress::Row {
        for (;;) ::pause();
      },
      row(), 0.3);
  CHECK(got.status == tool::Regress::Status::TimedOut);
  CHECK_TEXT(got.detail.find("timed out") != std::string::npos, got.detail.c_str());
  CHECK(got.seconds >= 0.3);
}

TEST(RegressIsolation, AnExceptionIsAnInternalError) {
  tool::Regress::Row got = tool::Regress::run_isolated(
      []() -> tool::Regress::Row { throw std::runtime_error("boom"); }, row(), 60);
  CHECK(got.status == tool::Regress::Status::ModelError);
  STRCMP_EQUAL("internal error: boom", got.detail.c_str());
}

TEST(RegressIsolation, OneBadFileFailsItsRowAndTheRunGoesOnToTheTableAndJUnit) {
  fs::copy_file(kBase, dir / "scenarios" / "b-good.json");
  std::string deep = "{\"x\":" + std::string(65000, '[') + std::string(65000, ']') + "}";
  std::ofstream(dir / "scenarios" / "a-deep.json") << deep;
  std::string junit = (dir / "junit.xml").string();
  Result r = cli({"regress", dir.string(), "--junit", junit});
  LONGS_EQUAL(2, r.code);
  CHECK_TEXT(r.out.find("scenarios/a-deep.json") != std::string::npos, r.out.c_str());
  CHECK_TEXT(r.out.find("FAIL (bad input)") != std::string::npos, r.out.c_str());
  CHECK_TEXT(r.out.find("1 passed, 1 failed (2 scenarios, 0 traces)") != std::string::npos, r.out.c_str());
  std::string xml = slurp(junit);
  CHECK_TEXT(xml.find("tests=\"2\" failures=\"1\"") != std::string::npos, xml.c_str());
}

TEST(RegressIsolation, ASlowRowTimesOutAndTheOthersRun) {
  // foll-migration-fixed with four mms searches for a few seconds; 1 s is
  // its limit here (the other row takes milliseconds).
  fs::copy_file("tests/tool/data/foll-migration-fixed-4mms.json", dir / "scenarios" / "a-slow.json");
  fs::copy_file(kBase, dir / "scenarios" / "b-good.json");
  std::string junit = (dir / "junit.xml").string();
  Result r = cli({"regress", dir.string(), "--junit", junit, "--row-timeout", "1"});
  LONGS_EQUAL(3, r.code);
  CHECK_TEXT(r.out.find("FAIL (timed out)") != std::string::npos, r.out.c_str());
  CHECK_TEXT(r.out.find("1 passed, 1 failed") != std::string::npos, r.out.c_str());
  CHECK_TEXT(r.err.find("scenarios/a-slow.json: timed out") != std::string::npos, r.err.c_str());
  CHECK(fs::exists(junit));
}
