// interrupt_test.cpp: `run --time-budget` in-process (validation and the
// text of a search the budget cut) and the exit codes of an interrupted run
// in --help. The signal path (SIGINT, SIGTERM on the
// real process) is tests/tool/interrupt.sh, run by ctest as tool_interrupt.
#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include <tool/cli.h>

#include "cli_fixture.h"

#include <CppUTest/TestHarness.h>

namespace {

using tool_test::Result;
using tool_test::cli;

// An exhaustive search of a few seconds (DPOR): seed 000's fixed scenario
// with four mms mapping the KSM page (bench/scaling_bench --write).
const char* const kLong = "tests/tool/data/foll-migration-fixed-4mms.json";

}  // namespace

TEST_GROUP(CliTimeBudget){};

TEST(CliTimeBudget, BadValuesAreOneLineExitTwo) {
  for (const char* bad : {"0", "-1", "-0.5", "abc", "nan", "inf", "1e400", "", "99999999999"}) {
    Result r = cli({"run", kLong, "--time-budget", bad});
    LONGS_EQUAL_TEXT(2, r.code, bad);
    CHECK_TEXT(r.err.rfind("mmcheck: ", 0) == 0, r.err.c_str());
    LONGS_EQUAL_TEXT(1, std::count(r.err.begin(), r.err.end(), '\n'), r.err.c_str());
    STRCMP_EQUAL("", r.out.c_str());
  }
  Result zero = cli({"run", kLong, "--time-budget", "0"});
  STRCMP_EQUAL("mmcheck: --time-budget: must be a number of seconds greater than 0\n",
               zero.err.c_str());
}

// A fractional budget cuts the search and the text names it as given; no
// exhaustive claim, and an exhaustive expectation is missed.
TEST(CliTimeBudget, FractionalBudgetCutsTheSearch) {
  Result r = cli({"run", kLong, "--time-budget", "0.25", "--expect"});
  CHECK_TEXT(r.out.find("incomplete (time budget of 0.25s spent)") != std::string::npos,
             r.out.c_str());
  CHECK(r.out.find("complete (exhaustive)") == std::string::npos);
  CHECK_TEXT(r.out.find("expectation: pass (exhaustive): MISSED (got pass (incomplete))") !=
                 std::string::npos,
             r.out.c_str());
  LONGS_EQUAL(1, r.code);
}

TEST_GROUP(CliInterrupt){};

TEST(CliInterrupt, HelpDocumentsTheInterruptExitCodes) {
  Result r = cli({"--help"});
  LONGS_EQUAL(0, r.code);
  CHECK(r.out.find("  130, 143  run interrupted by SIGINT (Ctrl-C) or SIGTERM") != std::string::npos);
}
