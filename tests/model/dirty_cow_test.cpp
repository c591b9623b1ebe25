// dirty_cow_test.cpp: get_user_pages with FOLL_FORCE (the `get_user_pages` actor's
// "force", as ptrace and /proc/PID/mem write) in both eras that have it (model/src/gup.cpp,
// model/src/gup_v4_19.cpp), FOLL_COW and can_follow_write_pte (19be0eaffa3a, Fix::FollCow),
// the step check pin_writes_private_page, and the Dirty COW scenarios. The unit tests run
// one thread on a state written here; the expected states are derived by hand from
// __get_user_pages, follow_page_mask, do_anonymous_page and do_wp_page (mm/memory.c of the
// 3.9.6 tree, mm/gup.c and mm/memory.c v4.19), in each comment.
#include <string>

#include "model_fixture.h"
#include <model/gup.h>
#include <model/gup_v4_19.h>
#include <model/initial_state.h>
#include <model/memory.h>
#include <model/lint.h>
#include <model/scenario.h>

#include <CppUTest/TestHarness.h>

using namespace model;
using namespace model_test;

namespace {

constexpr PageId P = 0, N1 = 1;  // pages "P" and "N1"

/// A's vma [0x1000, 0x2000) is VM_READ only (mprotect(PROT_READ) of a private mapping: VM_MAYWRITE
/// kept) with its anon_vma; the pte at 0x1000 maps P (data 7) read-only and clean, or is none when
/// `none` (then P is declared free too, before N1); N1 is free.
nlohmann::json read_only_state(bool none) {
  nlohmann::json j = nlohmann::json::parse(R"({
    "pages": [
      { "name": "P", "nid": 0, "flags": ["Anon", "Uptodate", "LRU"], "mapcount": 1, "refcount": 1, "content": 7 },
      { "name": "N1", "nid": 0, "free": true }
    ],
    "mms": [ { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ"], "anon_vma": "avA" } ] } ],
    "ptes": [ { "mm": "A", "address": "0x1000", "pte": "present", "page": "P", "writable": false } ]
  })");
  if (none) {
    j["pages"][0] = {{"name", "P"}, {"nid", 0}, {"free", true}};
    j["ptes"][0] = {{"mm", "A"}, {"address", "0x1000"}, {"pte", "none"}};
  }
  return j;
}

Kernel with_era(const nlohmann::json& initial, Era era, std::vector<Fix> reverted = {}) {
  KernelConfig config;
  config.era = era;
  config.reverted = std::move(reverted);
  Kernel k = parse_initial_state(initial, "t", "/initial", config);
  k.user_data.track = true;  // as a scenario with a DMA write sets it
  return k;
}

const Pte& pte_at(const Kernel& k, std::uint64_t addr) { return k.mms.at(0).ptes.at(addr).pte; }

/// The forced write of 9 at A:0x1000 run alone; returns get_user_pages_dma's result and leaves
/// the state in `after`.
long forced_write(Kernel initial, std::unique_ptr<Kernel>& after) {
  long ret = 0;
  OneThread t(std::move(initial), [&](Kernel& k) { ret = get_user_pages_dma(k, 0, 0x1000, true, 9, true); },
              {"pin_writes_private_page", "page_counts_consistent", "no_lost_write"});
  const checker::Report r = explore_once(t);
  CHECK_TEXT(r.verdict == checker::Verdict::Pass, r.counterexample ? r.counterexample->violation.message.c_str() : "");
  after = std::move(t.kernel);
  return ret;
}

/// body(era, reverted) in 3.9 and 4.19, each with 19be0eaffa3a applied and reverted.
template <class Body>
void for_each_era_with_and_without_the_fix(Body body) {
  for (Era era : {Era::V3_9, Era::V4_19})
    for (const std::vector<Fix>& reverted : {std::vector<Fix>{}, std::vector<Fix>{Fix::FollCow}}) body(era, reverted);
}

/// The scenario of the repository's Dirty COW file, explored under its own options.
checker::Report run_file(const char* path) {
  Scenario s = Scenario::load(path);
  auto program = s.make_program();
  return checker::explore(*program, s.options());
}

}  // namespace

TEST_GROUP(DirtyCow){};

// A forced write on P's read-only pte, alone, in both eras and with the fix or without:
// follow_page(FOLL_WRITE|FOLL_FORCE) refuses the read-only clean pte; the write fault's
// do_wp_page reuses P (anon, mapped once, not in the swap cache): maybe_mkwrite leaves it
// read-only (no VM_WRITE) but dirty, VM_FAULT_WRITE. With the fix FOLL_COW follows the dirty
// pte; without it FOLL_WRITE is dropped and the read follows it: either way P is pinned,
// 9 lands in P, the release drops the pin (refcount 1), N1 is never taken.
TEST(DirtyCow, ForcedWriteBreaksCowInPlace) {
  for_each_era_with_and_without_the_fix([](Era era, const std::vector<Fix>& reverted) {
    std::unique_ptr<Kernel> k;
    LONGS_EQUAL(1, forced_write(with_era(read_only_state(false), era, reverted), k));
    const Pte& pte = pte_at(*k, 0x1000);
    CHECK(maps(pte, P, false));
    CHECK(pte.dirty);
    LONGS_EQUAL(9, k->pages[P].content);
    LONGS_EQUAL(1, k->pages[P].refcount);
    LONGS_EQUAL(0, k->pages[P].pins);
    CHECK(k->pages[N1].in_free_pool);
  });
}

// A forced write on a none pte: the write fault's do_anonymous_page maps a fresh zeroed page
// (P, the first free page: this state declares P free, then N1) read-only and clean
// (pte_mkwrite(pte_mkdirty()) only with VM_WRITE),
// returning 0, so FOLL_WRITE stays and follow_page refuses the clean pte; the second write fault
// reuses P in place (dirty, VM_FAULT_WRITE), and the lookup after it pins P. With the fix
// and without, the same page: nothing raced.
TEST(DirtyCow, ForcedWriteOnANonePteFaultsTwice) {
  for_each_era_with_and_without_the_fix([](Era era, const std::vector<Fix>& reverted) {
    std::unique_ptr<Kernel> k;
    LONGS_EQUAL(1, forced_write(with_era(read_only_state(true), era, reverted), k));
    const Pte& pte = pte_at(*k, 0x1000);
    CHECK(maps(pte, P, false));
    CHECK(pte.dirty);
    LONGS_EQUAL(9, k->pages[P].content);
    LONGS_EQUAL(1, k->pages[P].refcount);
    LONGS_EQUAL(1, k->pages[P].mapcount);
    CHECK(k->pages[N1].in_free_pool);
  });
}

// can_follow_write_pte: a writable pte always; a read-only dirty one only with FOLL_COW and
// FOLL_FORCE (3.9.6 tree, 4.19 with 17839856fd58 reverted), or FOLL_COW alone in the 4.19.y
// tree with 17839856fd58, whose forced COW break of a read pin has no FOLL_FORCE.
TEST(DirtyCow, CanFollowWritePte) {
  const Kernel k39 = with_era(read_only_state(false), Era::V3_9);
  const Kernel k419 = with_era(read_only_state(false), Era::V4_19);
  const Kernel k419_old = with_era(read_only_state(false), Era::V4_19, {Fix::GupCowBreak});
  const Pte dirty_ro = pte_mkdirty(Pte::mk_pte(P));
  const Pte clean_ro = Pte::mk_pte(P);
  for (const Kernel* k : {&k39, &k419, &k419_old}) {
    CHECK(can_follow_write_pte(*k, pte_mkwrite(clean_ro), FOLL_WRITE));
    CHECK_FALSE(can_follow_write_pte(*k, clean_ro, FOLL_WRITE | FOLL_FORCE | FOLL_COW));
    CHECK(can_follow_write_pte(*k, dirty_ro, FOLL_WRITE | FOLL_FORCE | FOLL_COW));
    CHECK_FALSE(can_follow_write_pte(*k, dirty_ro, FOLL_WRITE | FOLL_FORCE));
  }
  CHECK_FALSE(can_follow_write_pte(k39, dirty_ro, FOLL_WRITE | FOLL_COW));
  CHECK(can_follow_write_pte(k419, dirty_ro, FOLL_WRITE | FOLL_COW));
  CHECK_FALSE(can_follow_write_pte(k419_old, dirty_ro, FOLL_WRITE | FOLL_COW));
}

// 4.19 with 17839856fd58: a read pin in a vma without VM_WRITE (once refused at load) breaks COW
// first: should_force_cow_break adds FOLL_WRITE, the write fault reuses P in place (mapped once:
// dirty, read-only, VM_FAULT_WRITE -> FOLL_COW) and FOLL_COW without FOLL_FORCE follows it: P
// pinned, its data read back (7). With 17839856fd58 reverted the read pin follows P at once and
// the pte stays clean.
TEST(DirtyCow, ReadPinInAReadOnlyVma419) {
  STRCMP_EQUAL("", v4_19::gup_model_error(with_era(read_only_state(false), Era::V4_19), 0, 0x1000, false).c_str());
  for (bool cow_break : {true, false}) {
    const std::vector<Fix> reverted = cow_break ? std::vector<Fix>{} : std::vector<Fix>{Fix::GupCowBreak};
    long ret = 0;
    OneThread t(with_era(read_only_state(false), Era::V4_19, reverted),
                [&](Kernel& k) { ret = get_user_pages_dma(k, 0, 0x1000, false, 0); }, {"page_counts_consistent"});
    CHECK(explore_once(t).verdict == checker::Verdict::Pass);
    LONGS_EQUAL(1, ret);
    const Pte& pte = pte_at(*t.kernel, 0x1000);
    CHECK(maps(pte, P, false));
    CHECK_EQUAL(cow_break, pte.dirty);
    LONGS_EQUAL(7, t.kernel->pages[P].content);
    LONGS_EQUAL(1, t.kernel->pages[P].refcount);
  }
}

// The step check fires at the write into the zero page, whoever pinned it: here a forced write
// pin is handed the zero page directly (the state after the race: the retry read-faulted it in).
TEST(DirtyCow, WriteIntoTheZeroPageIsCaught) {
  nlohmann::json j = read_only_state(true);
  Kernel initial = with_era(j, Era::V3_9, {Fix::FollCow});
  add_zero_page(initial);
  OneThread t(std::move(initial),
              [&](Kernel& k) {
                k.own_page_ref(k.zero_page);  // the pin the racy retry took (follow_page's get_page)
                ++k.pages[k.zero_page].refcount;
                ++k.pages[k.zero_page].pins;
                dma_write_page(k, k.zero_page, 0, 0x1000, 9, "copy_to_user_page");
              },
              {"pin_writes_private_page"});
  const checker::Report r = explore_once(t);
  CHECK(r.verdict == checker::Verdict::Violation);
  CHECK_TEXT(r.counterexample && contains(r.counterexample->violation.message,
                                          "pin_writes_private_page: the write through the pin at A:0x1000 lands in "
                                          "the zero page"),
             r.counterexample ? r.counterexample->violation.message.c_str() : "");
}

// The repository's Dirty COW scenarios: each reverted one is found with pin_writes_private_page
// naming the page the write reached (the zero page after a MADV_DONTNEED, the KSM page after a
// ksmd merge, the huge zero page after a MADV_DONTNEED and a read pin's touch_pmd; 2.6.33, which
// predates FOLL_COW, has the first race as it is); each fixed one is clean and exhaustive, and
// plain DFS within two preemptions agrees (2.6.33's control: a pin of a VM_WRITE vma keeps
// FOLL_WRITE, so it never follows the zero page).
TEST(DirtyCow, Scenarios) {
  const std::pair<const char*, const char*> found[] = {
      {"scenarios/fault/dirty-cow-dontneed-reverted.json", "lands in the zero page"},
      {"scenarios/fault/dirty-cow-dontneed-4.19-reverted.json", "lands in the zero page"},
      {"scenarios/fault/dirty-cow-dontneed-2.6.33.json", "lands in the zero page"},
      {"scenarios/ksm/dirty-cow-ksmd-merge-reverted.json", "lands in KSM page PB"},
      {"scenarios/thp/huge-dirty-cow-4.19-reverted.json", "lands in the huge zero page (HUGE_ZERO_PAGE)"}};
  for (const auto& [path, message] : found) {
    const checker::Report r = run_file(path);
    CHECK_TEXT(r.verdict == checker::Verdict::Violation, path);
    CHECK_TEXT(r.counterexample && r.counterexample->violation.invariant == "pin_writes_private_page", path);
    CHECK_TEXT(r.counterexample && contains(r.counterexample->violation.message, message), path);
  }
  for (const char* path : {"scenarios/fault/dirty-cow-dontneed-fixed.json", "scenarios/fault/dirty-cow-dontneed-4.19-fixed.json",
                           "scenarios/thp/huge-dirty-cow-4.19-fixed.json",
                           "scenarios/fault/gup-write-vs-dontneed-2.6.33-fixed.json"})
    check_clean_and_dfs_agrees(path);
  check_clean("scenarios/ksm/dirty-cow-ksmd-merge-fixed.json");
}

// "force" is get_user_pages' alone, a bool, and refused where the model has no FOLL_FORCE path:
// a VM_SHARED vma, a huge pmd in 4.19; without it a write in a vma lacking VM_WRITE is refused
// with a pointer to it. pin_writes_private_page without a write pin is a lint finding.
// A forced write pin, or a read pin that 17839856fd58 turns into a forced COW break, under the
// huge zero pmd of a vma without VM_WRITE (Huge Dirty COW's setting): the pmd keeps its dirty bit
// for can_follow_write_pmd, so all of them load (they were a model limit before the bit).
TEST(DirtyCow, PinUnderAHugePmdOfAReadOnlyVmaLoads) {
  const nlohmann::json initial = nlohmann::json::parse(R"({
    "numa_nodes": 1,
    "pages": [ { "name": "T1", "nid": 0, "subpages": 4, "free": true } ],
    "mms": [ { "name": "A", "vmas": [ { "start": "0x200000", "end": "0x400000",
                                         "flags": ["VM_READ", "VM_HUGEPAGE"], "anon_vma": "AV" } ] } ],
    "pmds": [ { "mm": "A", "address": "0x200000", "pmd": "huge_zero" } ] })");
  const nlohmann::json forced = nlohmann::json::parse(R"([
    { "name": "W", "actor": "get_user_pages", "args": { "mm": "A", "address": "0x200000", "force": true } } ])");
  STRCMP_EQUAL("<none>", scenario_load_error("4.19", initial, forced).c_str());
  const nlohmann::json read = nlohmann::json::parse(R"([
    { "name": "R", "actor": "get_user_pages", "args": { "mm": "A", "address": "0x200000", "write": false } } ])");
  STRCMP_EQUAL("<none>", scenario_load_error("4.19", initial, read).c_str());
  STRCMP_EQUAL("<none>", scenario_load_error("4.19", initial, read, [](nlohmann::json& j) {
                           j["reverted"] = {"17839856fd58"};
                         }).c_str());
}

TEST(DirtyCow, BadInputAndLint) {
  const nlohmann::json threads = nlohmann::json::parse(R"([
    { "name": "W", "actor": "get_user_pages", "args": { "mm": "A", "address": "0x1000", "force": true } } ])");
  std::string msg = scenario_load_error("3.9", read_only_state(false), threads);
  STRCMP_EQUAL("<none>", msg.c_str());
  msg = scenario_load_error("3.9", read_only_state(false), threads,
                            [](nlohmann::json& j) { j["threads"][0]["actor"] = "get_user_pages_fast"; });
  CHECK_TEXT(contains(msg, "at /threads/0/args/force: get_user_pages_fast takes no FOLL_FORCE"), msg.c_str());
  msg = scenario_load_error("3.9", read_only_state(false), threads,
                            [](nlohmann::json& j) { j["threads"][0]["args"]["force"] = "yes"; });
  CHECK_TEXT(contains(msg, "at /threads/0/args/force"), msg.c_str());
  msg = scenario_load_error("3.9", read_only_state(false), threads,
                            [](nlohmann::json& j) { j["threads"][0]["args"].erase("force"); });
  CHECK_TEXT(contains(msg, "at /threads/0/args/address") && contains(msg, "\"force\": true"), msg.c_str());
  for (const char* era : {"2.6.33", "3.9", "4.19"}) {
    msg = scenario_load_error(era, read_only_state(false), threads, [](nlohmann::json& j) {
      j["initial"]["mms"][0]["vmas"][0]["flags"] = {"VM_READ", "VM_SHARED"};
    });
    CHECK_TEXT(contains(msg, "at /threads/0/args/address") && contains(msg, "VM_SHARED"), msg.c_str());
  }

  nlohmann::json j = scenario_json("3.9", read_only_state(false), threads);
  j["invariants"] = {"pin_writes_private_page"};
  auto mentions = [](const LintReport& r) {
    for (const LintFinding& f : r.findings)
      if (contains(f.message, "pin_writes_private_page")) return true;
    return false;
  };
  CHECK_FALSE(mentions(lint(Scenario::parse(j, "t.json"))));
  j["threads"][0]["args"]["write"] = false;
  j["threads"][0]["args"].erase("force");
  CHECK(mentions(lint(Scenario::parse(j, "t.json"))));
}
