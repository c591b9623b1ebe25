// huge_zero_test.cpp: kernel 4.19's huge zero page (model/src/huge_memory.cpp:
// do_huge_pmd_anonymous_page's read branch, do_huge_pmd_wp_page from its alloc label,
// copy_huge_pmd and zap_huge_pmd of a huge zero pmd; follow_trans_huge_pmd's pin of it),
// its input ("pmd": "huge_zero"), what loading adds, and what `mmcheck check` counts.
//
// Expected states come from reading mm/huge_memory.c v4.19:
// * a read fault under a none pmd of a VM_HUGEPAGE vma (do_huge_pmd_anonymous_page, after
//   anon_vma_prepare): set_huge_zero_page under the pmd lock when the pmd is still none:
//   mk_pmd(zero_page, vm_page_prot), read-only, no rmap, no reference (mm_get_huge_zero_page
//   counts in huge_zero_refcount, not in the page). No THP is allocated.
// * a write on it: do_huge_pmd_wp_page jumps to alloc with page = NULL: a new THP cleared
//   (clear_huge_page: data 0), mapped maybe_pmd_mkwrite(pmd_mkdirty(mk_huge_pmd())) with
//   page_add_new_anon_rmap (mapcount 1, refcount 1); the huge zero page is neither unmapped
//   from the rmap nor put (it has neither).
// * copy_huge_pmd: the child's pmd gets the huge zero page by set_huge_zero_page; the parent's
//   pmd is not write-protected (it is read-only already) and nothing is counted.
// * zap_huge_pmd: the pmd cleared; tlb_remove_page_size of the huge zero page, which
//   release_pages skips: its count stays.
// * follow_trans_huge_pmd (a read pin): pmd_page, get_page: one more reference.
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include <model/fork.h>
#include <model/gup.h>
#include <model/initial_state.h>
#include <model/lint.h>
#include <model/madvise.h>
#include <model/memory.h>
#include <model/migrate_v4_19.h>
#include <model/scenario.h>

#include "model_fixture.h"

#include <CppUTest/TestHarness.h>

namespace {

using model::Pmd;
using model_test::OneThread;

const std::vector<std::string> kCounts = {"page_counts_consistent"};

/// A's vma [0x200000, 0x400000) VM_HUGEPAGE with anon_vma "av", its pmd `pmd` ("none" or
/// "huge_zero"); free THPs T1 and T2 of 4 subpages on node 0. PageIds: T1=0, T2=1, and the
/// huge zero page 2 once added.
nlohmann::json thp_vma(const char* pmd) {
  nlohmann::json j = nlohmann::json::parse(R"({
    "pages": [ { "name": "T1", "nid": 0, "subpages": 4, "free": true },
               { "name": "T2", "nid": 0, "subpages": 4, "free": true } ],
    "mms": [ { "name": "A", "vmas": [ { "start": "0x200000", "end": "0x400000", "flags": ["VM_READ", "VM_WRITE", "VM_HUGEPAGE"], "anon_vma": "av" } ] },
             { "name": "C", "vmas": [ { "start": "0x200000", "end": "0x400000", "flags": ["VM_READ", "VM_WRITE", "VM_HUGEPAGE"], "anon_vma": "cv" } ] } ],
    "pmds": [ { "mm": "A", "address": "0x200000" }, { "mm": "C", "address": "0x200000", "pmd": "none" } ] })");
  j["pmds"][0]["pmd"] = pmd;
  return j;
}

constexpr model::PageId T1 = 0, T2 = 1, HZ = 2;
constexpr std::uint32_t A = 0, C = 1;

/// The 4.19 kernel of thp_vma(pmd) with its huge zero page (scenario loading adds it for a
/// read fault; a "huge_zero" pmd's parse adds it itself).
model::Kernel kernel(const char* pmd, bool gup_cow_break = true) {
  model::KernelConfig config;
  config.era = model::Era::V4_19;
  if (!gup_cow_break) config.reverted = {model::Fix::GupCowBreak};
  model::Kernel k = model::parse_initial_state(thp_vma(pmd), "t", "/initial", config);
  model::add_huge_zero_page(k);
  return k;
}

const Pmd& pmd_at(const model::Kernel& k, std::uint32_t mm) { return k.mms[mm].pmds.at(0x200000).pmd; }

nlohmann::json fault(bool write, const char* addr = "0x201000") {
  nlohmann::json t = nlohmann::json::parse(R"([{ "name": "W", "actor": "handle_mm_fault", "args": { "mm": "A" } }])");
  t[0]["args"]["address"] = addr;
  t[0]["args"]["write"] = write;
  return t;
}

}  // namespace

TEST_GROUP(HugeZeroPage419){};

TEST(HugeZeroPage419, AReadFaultUnderANonePmdMapsIt) {
  unsigned ret = 99;
  OneThread p(kernel("none"), [&](model::Kernel& k) { ret = model::v4_19::user_access(k, A, 0x201000, false); }, kCounts);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(pmd_at(k, A) == Pmd::huge(HZ, false, false));
  LONGS_EQUAL(0, k.pages[HZ].mapcount);
  LONGS_EQUAL(1, k.pages[HZ].refcount);
  CHECK(k.pages[T1].in_free_pool);
  CHECK(k.pages[T2].in_free_pool);
  LONGS_EQUAL(0u, ret);
}

TEST(HugeZeroPage419, AWriteOnItTakesAClearedThp) {
  unsigned ret = 99;
  OneThread p(kernel("huge_zero"), [&](model::Kernel& k) { ret = model::v4_19::user_access(k, A, 0x201000, true); }, kCounts);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(pmd_at(k, A) == Pmd::huge(T1, true, true));
  LONGS_EQUAL(0, k.pages[T1].content);
  LONGS_EQUAL(1, k.pages[T1].mapcount);
  LONGS_EQUAL(1, k.pages[T1].refcount);
  CHECK(k.pages[T1].test(model::PG_uptodate));
  LONGS_EQUAL(0, k.pages[HZ].mapcount);
  LONGS_EQUAL(1, k.pages[HZ].refcount);
  CHECK(k.pages[T2].in_free_pool);
  LONGS_EQUAL(model::VM_FAULT_WRITE, ret);
}

TEST(HugeZeroPage419, ForkGivesTheChildItAndCountsNothing) {
  OneThread p(kernel("huge_zero"), [](model::Kernel& k) { model::v4_19::dup_mmap(k, C, A); }, kCounts);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(pmd_at(k, A) == Pmd::huge(HZ, false, false));
  CHECK(pmd_at(k, C) == Pmd::huge(HZ, false, false));
  LONGS_EQUAL(0, k.pages[HZ].mapcount);
  LONGS_EQUAL(1, k.pages[HZ].refcount);
}

TEST(HugeZeroPage419, AZapLeavesItsCount) {
  OneThread p(kernel("huge_zero"), [](model::Kernel& k) { model::madvise_dontneed(k, A, 0x200000, 0x400000); }, kCounts);
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  const model::Kernel& k = *p.kernel;
  CHECK(pmd_at(k, A) == Pmd::none());
  LONGS_EQUAL(1, k.pages[HZ].refcount);
  CHECK(!k.pages[HZ].freed);
}

// A read pin (FOLL_GET, no FOLL_WRITE; 17839856fd58 reverted, as in 4.19.0: with it the pin
// faults as a write and takes a THP) under the none pmd: faultin_page's read fault maps the
// huge zero page, follow_trans_huge_pmd pins it (the step after, pin_taken): refcount 2 while
// held; page_counts_consistent counts the pin.
TEST(HugeZeroPage419, AReadPinFaultsItInAndHoldsAReference) {
  model::PageId pinned = model::kNoPage;
  long ret = 0;
  OneThread p(kernel("none", false),
              [&](model::Kernel& k) { ret = model::get_user_pages(k, A, 0x203000, false, pinned); }, kCounts);
  const checker::Report r = model_test::explore_once(p);
  CHECK_TEXT(r.verdict == checker::Verdict::Pass, r.counterexample ? r.counterexample->violation.message.c_str() : "");
  const model::Kernel& k = *p.kernel;
  LONGS_EQUAL(1, ret);
  LONGS_EQUAL(HZ, pinned);
  CHECK(pmd_at(k, A) == Pmd::huge(HZ, false, false));
  LONGS_EQUAL(2, k.pages[HZ].refcount);
  LONGS_EQUAL(1, k.pages[HZ].pins);
}

TEST_GROUP(HugeDirtyCow419){};

namespace {

/// thp_vma("huge_zero") with A's vma read-only (VM_READ | VM_HUGEPAGE: Huge Dirty COW's mapping),
/// the fixes `reverted`, and the data steps on.
model::Kernel read_only_kernel(std::vector<model::Fix> reverted) {
  nlohmann::json j = thp_vma("huge_zero");
  j["mms"][0]["vmas"][0]["flags"] = {"VM_READ", "VM_HUGEPAGE"};
  model::KernelConfig config;
  config.era = model::Era::V4_19;
  config.reverted = std::move(reverted);
  model::Kernel k = model::parse_initial_state(j, "t", "/initial", config);
  k.user_data.track = true;  // as a scenario with a DMA write sets it
  return k;
}

}  // namespace

// A read pin of the huge zero pmd (17839856fd58 reverted: FOLL_GET | FOLL_TOUCH, no FOLL_WRITE):
// follow_trans_huge_pmd pins the huge zero page and calls touch_pmd. With a8f97366452e the pmd
// is dirtied for FOLL_WRITE only, so it stays clean; reverted, pmd_mkyoung(pmd_mkdirty(*pmd)) is
// written for any pin: huge(HZ, ro, dirty). No fault either way (the pmd allowed the read).
TEST(HugeDirtyCow419, AReadPinDirtiesTheHugeZeroPmdOnlyWithA8f97366452eReverted) {
  for (bool reverted : {false, true}) {
    std::vector<model::Fix> fixes = {model::Fix::GupCowBreak};
    if (reverted) fixes.push_back(model::Fix::TouchPmdDirty);
    model::PageId pinned = model::kNoPage;
    OneThread p(read_only_kernel(fixes),
                [&](model::Kernel& k) { LONGS_EQUAL(1, model::get_user_pages(k, A, 0x201000, false, pinned)); }, kCounts);
    CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
    LONGS_EQUAL(HZ, pinned);
    CHECK(pmd_at(*p.kernel, A) == Pmd::huge(HZ, false, reverted));
    CHECK(p.kernel->pages[T1].in_free_pool);
  }
}

// A forced write pin alone (ptrace's FOLL_FORCE | FOLL_WRITE), the 4.19.y kernel: the huge zero
// pmd is read-only and clean, so follow_trans_huge_pmd refuses it; faultin_page's write fault
// copies it into T1 (do_huge_pmd_wp_page from alloc: cleared, pmd_mkdirty, no VM_WRITE so not
// writable), VM_FAULT_WRITE without VM_WRITE sets FOLL_COW, and the retry follows T1's pmd
// because it is dirty (can_follow_write_pmd). The write (9) lands in T1, the huge zero page
// still reads 0; the pin is put (refcount back to the pmd's 1).
TEST(HugeDirtyCow419, AForcedWritePinFollowsItsDirtyCopy) {
  OneThread p(read_only_kernel({}),
              [&](model::Kernel& k) { LONGS_EQUAL(1, model::get_user_pages_dma(k, A, 0x201000, true, 9, true)); },
              {"page_counts_consistent", "pin_writes_private_page"});
  const checker::Report r = model_test::explore_once(p);
  CHECK_TEXT(r.verdict == checker::Verdict::Pass, r.counterexample ? r.counterexample->violation.message.c_str() : "");
  const model::Kernel& k = *p.kernel;
  CHECK(pmd_at(k, A) == Pmd::huge(T1, false, true));
  LONGS_EQUAL(9, k.pages[T1].content);
  LONGS_EQUAL(0, k.pages[HZ].content);
  LONGS_EQUAL(1, k.pages[T1].refcount);
  LONGS_EQUAL(0, k.pages[T1].pins);
}

TEST_GROUP(HugeZeroPage419Input){};

// Loading adds the huge zero page only where a read fault may map it, so every other
// scenario's pages keep their ids: a write fault under the none pmd gets none.
TEST(HugeZeroPage419Input, OnlyAReadFaultUnderANonePmdAddsIt) {
  model::Scenario read = model::Scenario::parse(model_test::scenario_json("4.19", thp_vma("none"), fault(false)), "t.json");
  LONGS_EQUAL(HZ, read.initial_kernel().huge_zero_page);
  STRCMP_EQUAL("HUGE_ZERO_PAGE", read.initial_kernel().pages[HZ].name.c_str());
  model::Scenario write = model::Scenario::parse(model_test::scenario_json("4.19", thp_vma("none"), fault(true)), "t.json");
  LONGS_EQUAL(model::kNoPage, write.initial_kernel().huge_zero_page);
  LONGS_EQUAL(2, write.initial_kernel().pages.size());
}

TEST(HugeZeroPage419Input, AHugeZeroPmdIsDeclaredAsSuch) {
  STRCMP_EQUAL("<none>", model_test::scenario_load_error("4.19", thp_vma("huge_zero"), fault(true)).c_str());
  nlohmann::json named = thp_vma("huge_zero");
  named["pmds"][0]["page"] = "T1";
  STRCMP_CONTAINS("at /initial/pmds/0/page: a huge_zero pmd maps the huge zero page: it names no page",
                  model_test::scenario_load_error("4.19", named, fault(true)).c_str());
  nlohmann::json writable = thp_vma("huge_zero");
  writable["pmds"][0]["writable"] = true;
  STRCMP_CONTAINS("at /initial/pmds/0/writable: the huge zero page is always mapped read-only",
                  model_test::scenario_load_error("4.19", writable, fault(true)).c_str());
  nlohmann::json plain = thp_vma("huge_zero");
  plain["mms"][0]["vmas"][0]["flags"] = {"VM_READ", "VM_WRITE"};
  STRCMP_CONTAINS("at /initial/pmds/0/pmd: the huge zero page is mapped by a read fault in a VM_HUGEPAGE vma",
                  model_test::scenario_load_error("4.19", plain, fault(true)).c_str());
  nlohmann::json no_anon = thp_vma("huge_zero");
  no_anon["mms"][0]["vmas"][0].erase("anon_vma");
  STRCMP_CONTAINS("at /initial/pmds/0/pmd: the huge zero page is mapped by a read fault after anon_vma_prepare",
                  model_test::scenario_load_error("4.19", no_anon, fault(true)).c_str());
  nlohmann::json unknown = thp_vma("zero");
  STRCMP_CONTAINS("unknown pmd \"zero\" (expected none, table, huge, huge_zero)",
                  model_test::scenario_load_error("4.19", unknown, fault(true)).c_str());
  // "dirty": a huge zero pmd is mapped clean; false is what it is; a none pmd has no such bit.
  nlohmann::json dirty = thp_vma("huge_zero");
  dirty["pmds"][0]["dirty"] = true;
  STRCMP_CONTAINS("at /initial/pmds/0/dirty: set_huge_zero_page maps the huge zero page clean",
                  model_test::scenario_load_error("4.19", dirty, fault(true)).c_str());
  dirty["pmds"][0]["dirty"] = false;
  STRCMP_EQUAL("<none>", model_test::scenario_load_error("4.19", dirty, fault(true)).c_str());
  dirty["pmds"][0]["dirty"] = "yes";
  STRCMP_CONTAINS("at /initial/pmds/0/dirty: ", model_test::scenario_load_error("4.19", dirty, fault(true)).c_str());
  nlohmann::json none_dirty = thp_vma("none");
  none_dirty["pmds"][0]["dirty"] = true;
  STRCMP_CONTAINS("at /initial/pmds/0/dirty: ", model_test::scenario_load_error("4.19", none_dirty, fault(true)).c_str());
}

// A huge pmd's "dirty" defaults to its "writable" (the fault that mapped it made it dirty) and
// may be given either way; it is a bool.
TEST(HugeZeroPage419Input, AHugePmdsDirtyBit) {
  for (const char* given : {"none", "false", "true"})
    for (bool writable : {false, true}) {
      nlohmann::json j = thp_vma("huge");
      j["pages"][0].erase("free");
      j["pages"][0]["mapcount"] = 1;
      j["pages"][0]["refcount"] = 1;
      j["pages"][0]["flags"] = {"Anon", "Uptodate", "LRU"};
      j["pmds"][0]["page"] = "T1";
      j["pmds"][0]["writable"] = writable;
      if (std::string(given) != "none") j["pmds"][0]["dirty"] = std::string(given) == "true";
      model::KernelConfig config;
      config.era = model::Era::V4_19;
      const model::Kernel k = model::parse_initial_state(j, "t", "/initial", config);
      const bool want = std::string(given) == "none" ? writable : std::string(given) == "true";
      CHECK(pmd_at(k, A) == Pmd::huge(T1, writable, want));
    }
  nlohmann::json bad = thp_vma("huge");
  bad["pages"][0].erase("free");
  bad["pages"][0]["flags"] = {"Anon", "Uptodate", "LRU"};
  bad["pmds"][0]["page"] = "T1";
  bad["pmds"][0]["dirty"] = 1;
  STRCMP_CONTAINS("at /initial/pmds/0/dirty: ", model_test::scenario_load_error("4.19", bad, fault(true)).c_str());
}

// A read fault can meet a none pmd that no declaration shows: the one step of a COW's
// pmdp_huge_clear_flush_notify (here after a fork shared A's writable THP T). It takes the
// pmd lock, finds the new THP and leaves it (the kernel's pte_free path): every read fault in a
// VM_HUGEPAGE range gets the huge zero page at load, and the search is clean.
TEST(HugeZeroPage419Input, AReadFaultMeetingACowWindowFindsTheNewThp) {
  const nlohmann::json initial = nlohmann::json::parse(R"({
    "pages": [ { "name": "T", "nid": 0, "subpages": 4, "flags": ["Anon", "Uptodate", "LRU"], "content": 7 },
               { "name": "T1", "nid": 0, "subpages": 4, "free": true }, { "name": "T2", "nid": 0, "subpages": 4, "free": true } ],
    "mms": [ { "name": "A", "vmas": [ { "start": "0x200000", "end": "0x400000", "flags": ["VM_READ", "VM_WRITE", "VM_HUGEPAGE"], "anon_vma": "av" } ] },
             { "name": "C", "vmas": [ { "start": "0x200000", "end": "0x400000", "flags": ["VM_READ", "VM_WRITE", "VM_HUGEPAGE"], "anon_vma": "cv" } ] } ],
    "pmds": [ { "mm": "A", "address": "0x200000", "pmd": "huge", "page": "T", "writable": true },
              { "mm": "C", "address": "0x200000", "pmd": "none" } ] })");
  const nlohmann::json threads = nlohmann::json::parse(R"([
    { "name": "F", "actor": "fork", "args": { "mm": "A", "child": "C" } },
    { "name": "W", "actor": "store", "args": { "mm": "A", "address": "0x201000", "value": 9 }, "start_after": { "thread": "F", "event": "dup_mmap" } },
    { "name": "R", "actor": "handle_mm_fault", "args": { "mm": "A", "address": "0x202000" }, "start_after": { "thread": "F", "event": "dup_mmap" } } ])");
  nlohmann::json j = model_test::scenario_json("4.19", initial, threads);
  j["invariants"] = {"no_lost_write", "page_counts_consistent"};
  model::Scenario s = model::Scenario::parse(j, "t.json");
  CHECK(s.initial_kernel().huge_zero_page != model::kNoPage);
  model_test::check_json_clean_and_dfs_agrees(j);
}

// Names and declarations the huge zero page keeps for itself; two stores into one THP's 2 MiB
// under no_lost_write (one data token per THP in the model) are refused, not misjudged.
TEST(HugeZeroPage419Input, WhatIsRefused) {
  nlohmann::json named = thp_vma("none");
  named["pages"][1]["name"] = "HUGE_ZERO_PAGE";
  STRCMP_CONTAINS("at /initial/pages/1/name: the name HUGE_ZERO_PAGE is the huge zero page's",
                  model_test::scenario_load_error("4.19", named, fault(true)).c_str());
  nlohmann::json pte = thp_vma("huge_zero");
  pte["ptes"] = nlohmann::json::parse(R"([{ "mm": "A", "address": "0x201000", "pte": "none" }])");
  STRCMP_CONTAINS("at /initial/ptes/0/address: the pmd over A:0x201000 maps the huge zero page (\"huge_zero\"), not a table of ptes",
                  model_test::scenario_load_error("4.19", pte, fault(true)).c_str());
  const nlohmann::json stores = nlohmann::json::parse(R"([
    { "name": "W1", "actor": "store", "args": { "mm": "A", "address": "0x201000", "value": 9 } },
    { "name": "W2", "actor": "store", "args": { "mm": "A", "address": "0x202000", "value": 7 } } ])");
  auto with_no_lost_write = [](nlohmann::json& j) { j["invariants"] = {"no_lost_write"}; };
  STRCMP_CONTAINS("at /threads/1/actor: unsupported: threads \"W1\" and \"W2\" write A:0x201000 and A:0x202000, two pages "
                  "of one 2 MiB a THP maps (or may map)",
                  model_test::scenario_load_error("4.19", thp_vma("huge_zero"), stores, with_no_lost_write).c_str());
  STRCMP_EQUAL("<none>", model_test::scenario_load_error("4.19", thp_vma("huge_zero"), stores).c_str());
}

// mmcheck check: a write on the huge zero page takes one THP; a write under a none pmd that
// another thread's read fault may fill with the huge zero page first takes two (create_huge_pmd's,
// put back when it loses, and the copy's). One free THP: a finding; two: none.
TEST(HugeZeroPage419Input, LintCountsTheCopy) {
  nlohmann::json one = thp_vma("huge_zero");
  one["pages"].erase(1);
  CHECK(model_test::free_page_findings("4.19", one, fault(true)).empty());
  nlohmann::json none_one = thp_vma("none");
  none_one["pages"].erase(1);
  nlohmann::json both = fault(false, "0x203000");
  both.push_back(fault(true)[0]);
  both[1]["name"] = "V";
  const auto f = model_test::free_page_findings("4.19", none_one, both);
  LONGS_EQUAL(1, f.size());
  STRCMP_CONTAINS("too few free pages of 4 subpages on node 0: the threads may allocate 2 there (V needs 1 for a THP "
                  "for do_huge_pmd_wp_page's copy of the huge zero page at A:0x201000",
                  f[0].c_str());
  CHECK(model_test::free_page_findings("4.19", thp_vma("none"), both).empty());
  nlohmann::json zero_none = thp_vma("huge_zero");
  zero_none["pages"] = nlohmann::json::array();
  LONGS_EQUAL(1, model_test::free_page_findings("4.19", zero_none, fault(true)).size());
  // A read pin with 17839856fd58 applied (the default) faults as a write: it copies the huge zero page too.
  const nlohmann::json pin = nlohmann::json::parse(R"([{ "name": "G", "actor": "get_user_pages", "args": { "mm": "A", "address": "0x201000", "write": false } }])");
  LONGS_EQUAL(1, model_test::free_page_findings("4.19", zero_none, pin).size());
}

// The repository's huge zero page scenarios: exhaustive and clean; plain DFS within two
// preemptions agrees on the two-thread fault race.
TEST(HugeZeroPage419Input, Scenarios) {
  model_test::check_clean_and_dfs_agrees("scenarios/thp/huge-zero-read-vs-store-4.19-fixed.json");
  model_test::check_clean("scenarios/thp/huge-zero-hmm-fault-vs-store-4.19-fixed.json");
  model_test::check_clean("scenarios/thp/huge-zero-fork-vs-store-4.19-fixed.json");
  model_test::check_clean("scenarios/thp/huge-zero-cow-vs-dontneed-4.19-fixed.json");
}
