// gup_v4_19_test.cpp: get_user_pages and get_user_pages_fast in kernel 4.19
// (model/src/gup_v4_19.cpp, mm/gup.c v4.19 as the 4.19.y tree has it): the fast
// walk's pin of a writable pte and of a huge pmd's THP, follow_trans_huge_pmd
// under the pmd lock, 17839856fd58's forced COW break of a read pin (and the
// read pin of the shared page when it is reverted), the zero page, the load-time
// refusals, the step check pin_reads_own_data and its lint rule, and the
// repository's 4.19 pin scenarios. Each unit test runs one thread on a state
// written here and asserts on what it leaves; the expected values are derived by
// hand from mm/gup.c, mm/memory.c and mm/huge_memory.c v4.19 in each comment.
#include <fstream>
#include <string>

#include "model_fixture.h"
#include <model/gup.h>
#include <model/gup_v4_19.h>
#include <model/lint.h>
#include <model/scenario.h>

#include <CppUTest/TestHarness.h>

using namespace model;
using namespace model_test;

namespace {

constexpr PageId P = 0, kC1 = 1;  // pages "P" and "C1"
constexpr std::uint32_t mmC = 1;

/// A maps anon page P (data 7) at 0x1000 writable, or, when `shared`, P is mapped
/// read-only by A and by C at 0x1000 (after a fork: mapcount 2, refcount 2); free page C1.
nlohmann::json pte_state(bool shared) {
  nlohmann::json j = nlohmann::json::parse(R"({
    "pages": [
      { "name": "P", "nid": 0, "flags": ["Anon", "Uptodate", "LRU"], "mapcount": 1, "refcount": 1, "content": 7 },
      { "name": "C1", "nid": 0, "free": true }
    ],
    "mms": [
      { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "avA" } ] },
      { "name": "C", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "avA" } ] }
    ],
    "ptes": [
      { "mm": "A", "address": "0x1000", "pte": "present", "page": "P", "writable": true },
      { "mm": "C", "address": "0x1000", "pte": "none" }
    ]
  })");
  if (shared) {
    j["pages"][0]["mapcount"] = 2;
    j["pages"][0]["refcount"] = 2;
    j["ptes"][0]["writable"] = false;
    j["ptes"][1] = {{"mm", "C"}, {"address", "0x1000"}, {"pte", "present"}, {"page", "P"}, {"writable", false}};
  }
  return j;
}

/// A maps THP T (4 subpages, data 7) by a huge pmd at 0x200000, writable unless said.
nlohmann::json thp_state(bool writable) {
  nlohmann::json j = nlohmann::json::parse(R"({
    "pages": [ { "name": "T", "nid": 0, "subpages": 4, "flags": ["Anon", "Uptodate", "LRU"], "content": 7 } ],
    "mms": [ { "name": "A", "vmas": [ { "start": "0x200000", "end": "0x400000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "avA" } ] } ],
    "pmds": [ { "mm": "A", "address": "0x200000", "pmd": "huge", "page": "T" } ]
  })");
  j["pmds"][0]["writable"] = writable;
  return j;
}

/// Runs `fast` (get_user_pages_fast) or get_user_pages of (mm, addr) in one thread; the result
/// and the page it pinned.
struct Pinned {
  long ret = 0;
  PageId page = kNoPage;
};
Pinned pin_once(Kernel initial, bool fast, std::uint32_t mm, std::uint64_t addr, bool write,
                std::unique_ptr<Kernel>& after) {
  Pinned out;
  if (fast) initial.mms.at(mm).gup_fast = true;  // as scenario loading marks a walked mm ("A.irqs_off")
  OneThread t(std::move(initial), [&](Kernel& k) {
    out.ret = fast ? v4_19::get_user_pages_fast(k, mm, addr, write, out.page)
                   : v4_19::get_user_pages(k, mm, addr, write, out.page);
  });
  const checker::Report r = explore_once(t);
  CHECK_TEXT(r.verdict == checker::Verdict::Pass, r.counterexample ? r.counterexample->violation.message.c_str() : "");
  after = std::move(t.kernel);
  return out;
}

const Pte& pte_at(const Kernel& k, std::uint32_t mm, std::uint64_t addr) { return k.mms.at(mm).ptes.at(addr).pte; }

nlohmann::json load(const char* path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

}  // namespace

TEST_GROUP(GetUserPages419){};

// gup_pte_range on a present writable pte: try_get_compound_head takes P's reference
// (refcount 1 -> 2), the recheck finds the same pte, and the pin is P's (pins 1); no
// fault, no copy (C1 stays free), the pte unchanged. get_user_pages (follow_page_pte
// under the ptl, try_get_page) ends the same way.
TEST(GetUserPages419, BothWalksPinAWritablePte) {
  for (bool fast : {true, false}) {
    std::unique_ptr<Kernel> k;
    const Pinned r = pin_once(kernel_v419(pte_state(false)), fast, mmA, 0x1000, true, k);
    LONGS_EQUAL(1, r.ret);
    LONGS_EQUAL(P, r.page);
    LONGS_EQUAL(2, k->pages[P].refcount);
    LONGS_EQUAL(1, k->pages[P].pins);
    CHECK(k->pages[kC1].in_free_pool);
    CHECK(maps(pte_at(*k, mmA, 0x1000), P, true));
  }
}

// A huge pmd: gup_huge_pmd (fast) or follow_trans_huge_pmd under the pmd lock (slow) pins
// the compound head T for an address inside it (0x201000): T's refcount 1 -> 2, pins 1.
// On a read-only huge pmd of a THP mapped once, the fast walk refuses it (not writable),
// and the slow one's write fault reuses T (do_huge_pmd_wp_page: mapcount 1, the pmd made
// writable): the same pin of T.
TEST(GetUserPages419, AHugePmdPinsItsHead) {
  for (bool writable : {true, false})
    for (bool fast : {true, false}) {
      std::unique_ptr<Kernel> k;
      const Pinned r = pin_once(kernel_v419(thp_state(writable)), fast, mmA, 0x201000, true, k);
      LONGS_EQUAL(1, r.ret);
      LONGS_EQUAL(0, r.page);  // T
      LONGS_EQUAL(2, k->pages[0].refcount);
      LONGS_EQUAL(1, k->pages[0].pins);
      // dirty: declared writable (so dirty), or the reuse's maybe_pmd_mkwrite(pmd_mkdirty(...))
      CHECK(k->mms[mmA].pmds.at(0x200000).pmd == Pmd::huge(0, true, true));
    }
}

// 17839856fd58 (should_force_cow_break): C's read pin of P, which C shares read-only with A,
// follows as a write: follow_page_pte refuses the read-only pte, faultin_page's write fault
// copies P into C1 (do_wp_page -> wp_page_copy: P is mapped twice), and the pin is C1's
// (refcount: C's mapping + the pin = 2; data 7 copied). P keeps A's mapping only (mapcount 1,
// refcount 1). The fast walk takes writable entries only, so it goes the same way.
TEST(GetUserPages419, AReadPinBreaksCowFirst) {
  for (bool fast : {true, false}) {
    std::unique_ptr<Kernel> k;
    const Pinned r = pin_once(kernel_v419(pte_state(true)), fast, mmC, 0x1000, false, k);
    LONGS_EQUAL(1, r.ret);
    LONGS_EQUAL(kC1, r.page);
    CHECK(maps(pte_at(*k, mmC, 0x1000), kC1, true));
    LONGS_EQUAL(2, k->pages[kC1].refcount);
    LONGS_EQUAL(1, k->pages[kC1].pins);
    LONGS_EQUAL(7, k->pages[kC1].content);
    LONGS_EQUAL(1, k->pages[P].mapcount);
    LONGS_EQUAL(1, k->pages[P].refcount);
  }
}

// 17839856fd58 reverted (4.19.0): the read pin follows C's read-only pte to the shared P
// (refcount 2 -> 3, pins 1); nothing is copied.
TEST(GetUserPages419, WithoutTheFixAReadPinTakesTheSharedPage) {
  for (bool fast : {true, false}) {
    std::unique_ptr<Kernel> k;
    const Pinned r = pin_once(kernel_v419(pte_state(true), {Fix::GupCowBreak}), fast, mmC, 0x1000, false, k);
    LONGS_EQUAL(1, r.ret);
    LONGS_EQUAL(P, r.page);
    LONGS_EQUAL(3, k->pages[P].refcount);
    LONGS_EQUAL(1, k->pages[P].pins);
    CHECK(maps(pte_at(*k, mmC, 0x1000), P, false));
    CHECK(k->pages[kC1].in_free_pool);
  }
}

// The zero page: a read pin without the fix gets it from follow_page_pte (vm_normal_page is
// NULL, is_zero_pfn: pte_page with a reference): the zero page's refcount 1 -> 2 and one pin
// (the fast walk refuses pte_special and takes the slow path). With the fix the pin is a
// write: do_wp_page finds no normal page and wp_page_copy maps a zeroed C1 writable, pinned.
TEST(GetUserPages419, TheZeroPage) {
  nlohmann::json j = pte_state(false);
  j["ptes"][0] = {{"mm", "A"}, {"address", "0x1000"}, {"pte", "zero"}};
  j["pages"][0] = {{"name", "P"}, {"nid", 0}, {"free", true}};
  for (bool fast : {true, false}) {
    std::unique_ptr<Kernel> k;
    const Pinned without = pin_once(kernel_v419(j, {Fix::GupCowBreak}), fast, mmA, 0x1000, false, k);
    LONGS_EQUAL(1, without.ret);
    LONGS_EQUAL(k->zero_page, without.page);
    LONGS_EQUAL(2, k->pages[k->zero_page].refcount);
    LONGS_EQUAL(1, k->pages[k->zero_page].pins);
    const Pinned with = pin_once(kernel_v419(j), fast, mmA, 0x1000, false, k);
    LONGS_EQUAL(1, with.ret);
    CHECK(with.page != k->zero_page);
    CHECK(maps(pte_at(*k, mmA, 0x1000), with.page, true));
    LONGS_EQUAL(1, k->pages[k->zero_page].refcount);
    LONGS_EQUAL(0, k->pages[with.page].content);
  }
}

// Load-time refusal (exit 4, unsupported): a write pin in a vma without VM_WRITE and without
// "force" is -EFAULT at once. (A read pin there is modelled: dirty_cow_test.cpp.)
TEST(GetUserPages419, ReadOnlyVmaWritePin) {
  nlohmann::json j = pte_state(false);
  j["mms"][0]["vmas"][0]["flags"] = {"VM_READ"};
  j["ptes"][0]["writable"] = false;
  CHECK(contains(v4_19::gup_model_error(kernel_v419(j), mmA, 0x1000, true), "the vma is not VM_WRITE"));
  STRCMP_EQUAL("", v4_19::gup_model_error(kernel_v419(j), mmA, 0x1000, true, true).c_str());
}

// The repository's 4.19 pin scenarios: the clean ones are exhaustive and clean under DPOR
// and plain DFS within two preemptions agrees; the leak with 17839856fd58 reverted and the
// kernel's own DMA-after-fork loss are found, each with its invariant.
TEST(GetUserPages419, Scenarios) {
  for (const char* path : {"scenarios/thp/gup-fast-vs-thp-migration-4.19-fixed.json",
                           "scenarios/fault/gup-fast-vs-anon-migration-4.19-fixed.json",
                           "scenarios/fault/gup-read-pin-cow-leak-4.19-fixed.json"})
    check_clean_and_dfs_agrees(path);
  const std::pair<const char*, const char*> found[] = {
      {"scenarios/fault/gup-read-pin-cow-leak-4.19-reverted.json", "pin_reads_own_data: the DMA read of the page pinned at C:0x1000 (P) returns 5"},
      {"scenarios/fault/gup-fork-cow-4.19.json", "no_lost_write: a read of A:0x1000"}};
  for (const auto& [path, message] : found) {
    Scenario s = Scenario::load(path);
    auto program = s.make_program();
    const checker::Report r = checker::explore(*program, s.options());
    CHECK_TEXT(r.verdict == checker::Verdict::Violation, path);
    CHECK_TEXT(r.counterexample && contains(r.counterexample->violation.message, message), path);
  }
}

// The leak scenario with the read pin made a write pin: the pin's own write is C's data, and
// C's write fault copies P whichever way the pin goes; no read, so pin_reads_own_data cannot
// fire and `mmcheck check` says so. With the read pin it can, and the rule is silent.
TEST(GetUserPages419, LintRule) {
  nlohmann::json j = load("scenarios/fault/gup-read-pin-cow-leak-4.19-reverted.json");
  auto silent = [](const LintReport& r) {
    for (const LintFinding& f : r.findings)
      if (contains(f.message, "pin_reads_own_data")) return false;
    return true;
  };
  CHECK(silent(lint(Scenario::parse(j, "t.json"))));
  j["threads"][1]["args"]["write"] = true;
  CHECK_FALSE(silent(lint(Scenario::parse(j, "t.json"))));
}
