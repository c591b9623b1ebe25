// gup_test.cpp: the get_user_pages actor (issue 13, v3.9; model/src/gup.cpp): the
// pin, the DMA and the release on a writable page; the fault-then-retry paths
// (do_wp_page's reuse, a KSM page's COW, do_anonymous_page, the zero page for a
// read); the pin counted by page_counts_consistent while held and a leaked one
// caught; write_protect_page's count check refusing to merge a pinned page; the
// DMA read back by no_lost_write; the two scenarios (DPOR exhaustive, DFS within
// two preemptions agreeing); the lint rule; and bad input for each argument.
// Each test runs one thread on a small state written here and asserts on what it
// leaves (never inside the thread); expected values are derived by hand from
// mm/memory.c v3.9 (__get_user_pages, follow_page_mask, do_wp_page) and
// fs/direct-io.c v3.9 (dio_bio_complete) in each comment.
#include <string>

#include "model_fixture.h"
#include <model/actors.h>
#include <model/gup.h>
#include <model/initial_state.h>
#include <model/ksmd.h>
#include <model/lint.h>
#include <model/path_stats.h>
#include <model/scenario.h>

#include <CppUTest/TestHarness.h>

using namespace model;
using namespace model_test;

namespace {

constexpr PageId PA = 0, PB = 1, PC1 = 2;

/// As a scenario with a get_user_pages for write loads it: the data steps ("K.data") on.
Kernel tracking(Kernel k) {
  k.user_data.track = true;
  return k;
}

const Pte& pte_at(const Kernel& k, std::uint32_t mm, std::uint64_t addr) { return k.mms.at(mm).ptes.at(addr).pte; }

/// A scenario: thread G get_user_pages A:0x1000 for write with DMA value 9 (state pinnable_page(true)).
nlohmann::json gup_scenario() { return pin_scenario("get_user_pages"); }

std::string gup_error(const std::function<void(nlohmann::json&)>& edit, std::string* message = nullptr) {
  nlohmann::json j = gup_scenario();
  edit(j);
  return load_error_pointer(j, message);
}

}  // namespace

TEST_GROUP(GetUserPages){};

// The whole actor on a writable pte: follow_page(FOLL_GET|FOLL_WRITE) finds PA at once
// and takes the pin (refcount 1 -> 2, pins 1); the DMA writes 9 into PA; the release
// (dio_bio_complete) sets PG_dirty under the page lock and put_page drops the pin
// (refcount 2 -> 1, pins 0). A still maps PA writable; nothing allocated.
TEST(GetUserPages, PinThenWriteThenRelease) {
  long ret = 0;
  OneThread p(tracking(kernel_v39(pinnable_page(true))),
              [&](Kernel& k) { ret = get_user_pages_dma(k, mmA, 0x1000, true, 9); },
              {"no_lost_write", "page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(1, ret);
  LONGS_EQUAL(9, k.pages[PA].content);
  LONGS_EQUAL(1, k.pages[PA].refcount);
  LONGS_EQUAL(0, k.pages[PA].pins);
  CHECK(k.pages[PA].test(PG_dirty));
  CHECK_FALSE(k.pages[PA].PageLocked());
  CHECK(maps(pte_at(k, mmA, 0x1000), PA, true));
  CHECK(k.pages[PC1].in_free_pool);
  LONGS_EQUAL(9, k.user_data.last_store.at({mmA, 0x1000}));
  CHECK(k.user_data.last_by_dma.count({mmA, 0x1000}));
}

// While the pin is held (get_user_pages returned, no release yet) page_counts_consistent
// accepts PA's extra reference: refcount 2 = mapcount 1 + pins 1.
TEST(GetUserPages, PinIsCountedWhileHeld) {
  long ret = 0;
  PageId page = kNoPage;
  OneThread p(kernel_v39(pinnable_page(true)), [&](Kernel& k) { ret = get_user_pages(k, mmA, 0x1000, true, page); },
              {"page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  LONGS_EQUAL(1, ret);
  LONGS_EQUAL(PA, page);
  LONGS_EQUAL(2, p.kernel->pages[PA].refcount);
  LONGS_EQUAL(1, p.kernel->pages[PA].pins);
}

// A pin whose reference is never put (the thread forgets it: the ghost count dropped,
// the refcount not) is a leak page_counts_consistent reports: refcount 2, but the one
// mapping and no pin hold 1.
TEST(GetUserPages, LeakedPinIsCaught) {
  OneThread p(kernel_v39(pinnable_page(true)), [](Kernel& k) {
    PageId page = kNoPage;
    get_user_pages(k, mmA, 0x1000, true, page);
    --k.pages[page].pins;  // the release without its put_page
  }, {"page_counts_consistent"});
  const checker::Report r = explore_once(p);
  CHECK(r.verdict == checker::Verdict::Violation);
  CHECK_TEXT(contains(r.counterexample->violation.message, "PA refcount 2 but mappings, swap cache and pins hold 1"),
             r.counterexample->violation.message.c_str());
}

// A read-only pte of an anon page mapped once: follow_page(FOLL_WRITE) finds nothing
// (!pte_write), handle_mm_fault(FAULT_FLAG_WRITE) -> do_wp_page reuses PA (trylock_page,
// reuse_swap_page: mapcount 1, not in the swap cache) and makes the pte writable; the
// second follow_page pins PA. No page allocated, the DMA lands in PA.
TEST(GetUserPages, ReadOnlyPteFaultsThenRetries) {
  long ret = 0;
  OneThread p(tracking(kernel_v39(pinnable_page(false))),
              [&](Kernel& k) { ret = get_user_pages_dma(k, mmA, 0x1000, true, 9); },
              {"no_lost_write", "page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(1, ret);
  CHECK(maps(pte_at(k, mmA, 0x1000), PA, true));
  LONGS_EQUAL(9, k.pages[PA].content);
  LONGS_EQUAL(1, k.pages[PA].refcount);
  CHECK(k.pages[PC1].in_free_pool);
}

// A KSM page (seed 000's K, mapped read-only by A and B, token 1): the write fault
// copies it (do_wp_page never reuses a KSM page) into C1, the first free page of
// node 0; A maps C1 writable and the pin and the DMA go to C1. K keeps its data and
// B's mapping: mapcount 1, refcount 1. C1: mapped once, pin released: refcount 1.
TEST(GetUserPages, KsmPageIsCopiedBeforeThePin) {
  long ret = 0;
  OneThread p(tracking(seed000_kernel()), [&](Kernel& k) { ret = get_user_pages_dma(k, mmA, 0x1000, true, 9); },
              {"no_lost_write", "page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(1, ret);
  CHECK(maps(pte_at(k, mmA, 0x1000), C1, true));
  CHECK(maps(pte_at(k, mmB, 0x1000), K, false));
  LONGS_EQUAL(9, k.pages[C1].content);
  LONGS_EQUAL(1, k.pages[K].content);
  LONGS_EQUAL(1, k.pages[K].mapcount);
  LONGS_EQUAL(1, k.pages[K].refcount);
  LONGS_EQUAL(1, k.pages[C1].refcount);
  LONGS_EQUAL(0, k.pages[C1].pins);
}

// A none pte: the write fault is do_anonymous_page (a zeroed C1, mapped writable), then
// the pin; the DMA writes 9 into C1. A read get_user_pages of a none pte instead maps
// the zero page read-only (do_anonymous_page without FAULT_FLAG_WRITE) and pins it
// (follow_page's is_zero_pfn branch): its refcount goes 1 -> 2 -> 1, it is never rmapped.
TEST(GetUserPages, NonePteFaultsInAPageOrTheZeroPage) {
  long ret = 0;
  OneThread w(tracking(kernel_v39(pinnable_page(true))),
              [&](Kernel& k) { ret = get_user_pages_dma(k, mmA, 0x2000, true, 9); },
              {"no_lost_write", "page_counts_consistent"});
  CHECK(explore_once(w).verdict == checker::Verdict::Pass);
  LONGS_EQUAL(1, ret);
  CHECK(maps(pte_at(*w.kernel, mmA, 0x2000), PC1, true));
  LONGS_EQUAL(9, w.kernel->pages[PC1].content);
  LONGS_EQUAL(1, w.kernel->pages[PC1].refcount);

  Kernel zero = kernel_v39(pinnable_page(true));
  add_zero_page(zero);
  PageId pinned = kNoPage;
  int held = 0;
  OneThread r(zero, [&](Kernel& k) {
    ret = get_user_pages(k, mmA, 0x2000, false, pinned);
    held = k.pages[pinned].refcount;
    release_user_page(k, pinned, false);
  }, {"page_counts_consistent"});
  CHECK(explore_once(r).verdict == checker::Verdict::Pass);
  LONGS_EQUAL(1, ret);
  LONGS_EQUAL(r.kernel->zero_page, pinned);
  LONGS_EQUAL(2, held);
  LONGS_EQUAL(1, r.kernel->pages[pinned].refcount);
  CHECK(maps(pte_at(*r.kernel, mmA, 0x2000), pinned, false));
}

// write_protect_page's count check (mm/ksm.c v3.9) refuses a pinned page: with A's PA
// pinned, ksmd's second full scan puts RA in the unstable tree, and RB's merge first
// upgrades PB (write-protected, PageKsm), then tries PA into PB: page_mapcount(PA) 1 + 1
// (ksmd's get_mergeable_page reference) != page_count(PA) 3 (mapping, that reference,
// the pin), so the merge fails and break_cow(RB) COWs B's pte into C1 (writable), PB is
// freed by the scan's put_page. A keeps PA writable, S stays unused; the DMA then lands
// in the page A maps.
TEST(GetUserPages, KsmdRefusesToMergeAPinnedPage) {
  OneThread p(tracking(kernel_v39(two_pages(7, 7))), [](Kernel& k) {
    PageId page = kNoPage;
    get_user_pages(k, mmA, 0x1000, true, page);
    ksmd_scan(k, 3, 2);
    dma_write_page(k, page, mmA, 0x1000, 9);
    release_user_page(k, page, true);
  }, {"no_lost_write", "page_counts_consistent", "ksm_counters_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(maps(pte_at(k, mmA, 0x1000), PA, true));
  CHECK(maps(pte_at(k, mmB, 0x1000), PC1, true));
  CHECK(k.pages[PB].freed);
  LONGS_EQUAL(7, k.pages[PC1].content);
  LONGS_EQUAL(9, k.pages[PA].content);
  LONGS_EQUAL(1, k.pages[PA].refcount);
  CHECK(k.stable_nodes[S].unused);
  LONGS_EQUAL(0, k.ksm.pages_shared);
}

// No vma at the address (a munmap won the race): __get_user_pages returns -EFAULT and
// pins nothing.
TEST(GetUserPages, NoVmaIsEfault) {
  long ret = 0;
  PageId page = PA;
  OneThread p(kernel_v39(pinnable_page(true)), [&](Kernel& k) { ret = get_user_pages(k, mmA, 0x5000, true, page); });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  LONGS_EQUAL(-14, ret);
  LONGS_EQUAL(kNoPage, page);
}

// no_lost_write reads the DMA back: after the DMA of 9 into PA, editing PA's data behind
// the model's back (as a merge away from the pinned page would leave A reading another
// page) is reported as a lost DMA write.
TEST(GetUserPages, NoLostWriteChecksTheDma) {
  OneThread p(tracking(kernel_v39(pinnable_page(true))), [](Kernel& k) {
    get_user_pages_dma(k, mmA, 0x1000, true, 9);
    k.pages[PA].content = 7;
  }, {"no_lost_write"});
  const checker::Report r = explore_once(p);
  CHECK(r.verdict == checker::Verdict::Violation);
  CHECK_TEXT(contains(r.counterexample->violation.message,
                      "no_lost_write: a read of A:0x1000 (present(PA,rw,dirty)) returns 7, but the last DMA write "
                      "(get_user_pages) there wrote 9"),
             r.counterexample->violation.message.c_str());
}

// The scenario loads: write defaults to true, dma_value to 1 + the largest initial token
// (PB's 8: 9); a read has no DMA value. The data steps are on only for a write.
TEST(GetUserPages, ArgumentsAndDefaults) {
  nlohmann::json j = gup_scenario();
  j["threads"][0]["args"].erase("write");
  j["threads"][0]["args"].erase("dma_value");
  Scenario s = Scenario::parse(j, "t.json");
  CHECK(s.calls().at(0).write);
  LONGS_EQUAL(9, s.calls().at(0).value);
  CHECK(s.initial_kernel().user_data.track);
  j["threads"][0]["args"]["write"] = false;
  j["invariants"] = {"page_counts_consistent"};
  Scenario r = Scenario::parse(j, "t.json");
  CHECK_FALSE(r.calls().at(0).write);
  CHECK_FALSE(r.initial_kernel().user_data.track);
  CHECK(r.initial_kernel().zero_page != kNoPage);  // a read may fault in the zero page
}

TEST(GetUserPages, BadInput) {
  std::string msg;
  STRCMP_EQUAL("<none>", gup_error([](nlohmann::json&) {}).c_str());
  // Every era has it (2.6.33: the same __get_user_pages over 2.6.33's fault; 4.19: gup_v4_19.cpp).
  STRCMP_EQUAL("<none>", gup_error([](nlohmann::json& j) { j["kernel"] = "2.6.33"; }).c_str());
  STRCMP_EQUAL("<none>", gup_error([](nlohmann::json& j) { j["kernel"] = "4.19"; }).c_str());
  // Unknown mm.
  STRCMP_EQUAL("/threads/0/args/mm", gup_error([](nlohmann::json& j) { j["threads"][0]["args"]["mm"] = "C"; }, &msg).c_str());
  CHECK_TEXT(contains(msg, "no mm named \"C\""), msg.c_str());
  STRCMP_EQUAL("/threads/0/args", gup_error([](nlohmann::json& j) { j["threads"][0]["args"].erase("mm"); }, &msg).c_str());
  CHECK_TEXT(contains(msg, "\"mm\""), msg.c_str());
  // An address in no vma, unaligned, or in a vma without the access.
  STRCMP_EQUAL("/threads/0/args/address",
               gup_error([](nlohmann::json& j) { j["threads"][0]["args"]["address"] = "0x5000"; }, &msg).c_str());
  CHECK_TEXT(contains(msg, "no vma of mm A contains this address"), msg.c_str());
  // An address of the vma with no pte declared is pte_none (a none slot is made): it loads.
  STRCMP_EQUAL("<none>",
               gup_error([](nlohmann::json& j) { j["initial"]["ptes"].erase(1); j["threads"][0]["args"]["address"] = "0x2000"; },
                         &msg).c_str());
  STRCMP_EQUAL("/threads/0/args/address",
               gup_error([](nlohmann::json& j) { j["threads"][0]["args"]["address"] = "0x1001"; }).c_str());
  STRCMP_EQUAL("/threads/0/args/address", gup_error([](nlohmann::json& j) {
                 j["initial"]["mms"][0]["vmas"][0]["flags"] = {"VM_READ"};
               }, &msg).c_str());
  CHECK_TEXT(contains(msg, "the vma is not VM_WRITE"), msg.c_str());
  // Bad types and ranges.
  STRCMP_EQUAL("/threads/0/args/write",
               gup_error([](nlohmann::json& j) { j["threads"][0]["args"]["write"] = "yes"; }, &msg).c_str());
  CHECK_TEXT(contains(msg, "expected a boolean"), msg.c_str());
  STRCMP_EQUAL("/threads/0/args/address",
               gup_error([](nlohmann::json& j) { j["threads"][0]["args"]["address"] = 4096.5; }).c_str());
  STRCMP_EQUAL("/threads/0/args/dma_value",
               gup_error([](nlohmann::json& j) { j["threads"][0]["args"]["dma_value"] = "nine"; }).c_str());
  STRCMP_EQUAL("/threads/0/args/dma_value",
               gup_error([](nlohmann::json& j) { j["threads"][0]["args"]["dma_value"] = 0; }).c_str());
  STRCMP_EQUAL("/threads/0/args/dma_value",
               gup_error([](nlohmann::json& j) { j["threads"][0]["args"]["dma_value"] = (1 << 20) + 1; }).c_str());
  // A DMA value for a read: the device only reads the page.
  STRCMP_EQUAL("/threads/0/args/dma_value",
               gup_error([](nlohmann::json& j) { j["threads"][0]["args"]["write"] = false; }, &msg).c_str());
  CHECK_TEXT(contains(msg, "no DMA value"), msg.c_str());
  // Unknown argument.
  STRCMP_EQUAL("/threads/0/args/pages",
               gup_error([](nlohmann::json& j) { j["threads"][0]["args"]["pages"] = 1; }).c_str());
  // Another writer of the same address (a store or a second DMA): which is last must be explored
  // even when the two land in different pages, so every page's data becomes one object
  // (UserData::one_object); writers of different addresses, or a read pin, keep one per page.
  auto one_object = [](const std::function<void(nlohmann::json&)>& edit) {
    nlohmann::json j = gup_scenario();
    edit(j);
    return Scenario::parse(j, "t.json").initial_kernel().user_data.one_object;
  };
  CHECK(one_object([](nlohmann::json& j) {
    j["threads"].push_back({{"name", "W"}, {"actor", "store"}, {"args", {{"mm", "A"}, {"address", "0x1000"}, {"value", 5}}}});
  }));
  CHECK(one_object([](nlohmann::json& j) {
    j["threads"].push_back({{"name", "G2"}, {"actor", "get_user_pages"}, {"args", {{"mm", "A"}, {"address", "0x1000"}}}});
  }));
  CHECK_FALSE(one_object([](nlohmann::json& j) {
    j["threads"].push_back({{"name", "W"}, {"actor", "store"}, {"args", {{"mm", "A"}, {"address", "0x2000"}, {"value", 5}}}});
    j["threads"].push_back({{"name", "R"}, {"actor", "get_user_pages"},
                            {"args", {{"mm", "A"}, {"address", "0x1000"}, {"write", false}}}});
  }));
  // A task of an mm that exits.
  STRCMP_EQUAL("/threads/0/actor", gup_error([](nlohmann::json& j) {
                 j["threads"].push_back({{"name", "X"}, {"actor", "exit"}, {"args", {{"mm", "A"}}}});
               }, &msg).c_str());
  CHECK_TEXT(contains(msg, "acts as a task of mm A"), msg.c_str());
}

// The two scenarios are clean and exhaustive under their own DPOR search, and plain DFS
// (the reference strategy, no reduction) agrees within two preemptions.
TEST(GetUserPages, ScenariosAreCleanAndDfsAgrees) {
  for (const char* path : {"scenarios/ksm/gup-vs-ksmd-merge-fixed.json", "scenarios/ksm/gup-vs-migration-fixed.json"}) {
    check_clean_and_dfs_agrees(path);
  }
}

// run_actor records how get_user_pages returned. Against a munmap of its vma (mmap_sem
// orders the two): munmap first leaves no vma, -EFAULT; get_user_pages first pins PA, the
// zap drops A's mapping and reference while the pin keeps PA, and the release frees it.
// Both orders occur in the exhaustive search, and the counts stay consistent in each.
TEST(GetUserPages, OutcomesAgainstMunmap) {
  nlohmann::json j = gup_scenario();
  j["threads"].push_back({{"name", "U"}, {"actor", "munmap"}, {"args", {{"mm", "A"}, {"address", "0x1000"}}}});
  j["expect"] = {{"result", "pass"}, {"exhaustive", true}};
  Scenario s = Scenario::parse(j, "t.json");
  auto paths = std::make_shared<PathStats>(2);
  auto program = s.make_program(paths);
  checker::Options o = s.options();
  const checker::Report r = checker::explore(*program, o);
  CHECK(r.verdict == checker::Verdict::Pass);
  CHECK(r.stats.complete);
  CHECK(paths->count(0, Outcome::Efault) > 0);
  CHECK(paths->finished(0) > paths->count(0, Outcome::Efault));  // the other runs returned ok
  LONGS_EQUAL(paths->finished(0), paths->runs());
}

// mmcheck check: a get_user_pages for write beside ksmd may COW its page (write_fault_may_copy:
// ksmd may write-protect it), one free page; with none declared that is a finding at the
// thread. no_lost_write can fire with a DMA write, not with a read alone. No "note:".
TEST(GetUserPages, LintRule) {
  nlohmann::json j = gup_scenario();
  j["initial"]["mms"][0]["vmas"][0]["flags"] = {"VM_READ", "VM_WRITE", "VM_MERGEABLE"};
  j["initial"]["ksm"] = {{"run", 1}, {"mm_slots", {"A"}}};
  j["threads"].push_back({{"name", "KD"}, {"actor", "ksmd"}, {"args", {{"pages", 2}}}});
  LintReport clean = lint(Scenario::parse(j, "t.json"));
  CHECK(clean.findings.empty());
  CHECK(clean.notes.empty());
  j["initial"]["pages"].erase(3);
  j["initial"]["pages"].erase(2);
  LintReport none = lint(Scenario::parse(j, "t.json"));
  LONGS_EQUAL(1, none.findings.size());
  CHECK_TEXT(contains(none.findings[0].message, "a do_wp_page COW copy at A:0x1000"), none.findings[0].message.c_str());
  nlohmann::json r = gup_scenario();
  r["threads"][0]["args"]["write"] = false;
  r["threads"][0]["args"].erase("dma_value");
  LintReport read = lint(Scenario::parse(r, "t.json"));
  LONGS_EQUAL(1, read.findings.size());
  STRCMP_EQUAL("/invariants/0", read.findings[0].pointer.c_str());
  CHECK(read.notes.empty());
}

// A DMA into a page pinned before a MADV_DONTNEED of its address lands in the orphaned page
// (the user discarded the buffer; the kernel keeps the page alive for the device): the address
// then reads the zero fill or a page faulted in since, and no_lost_write accepts that. The
// clean gup-vs-migration scenario with a MADV_DONTNEED of A:0x1000 added stays clean under
// DPOR (before 2026-11-26: "A:0x1000 maps nothing, but the last DMA write there wrote 9").
TEST(GetUserPages, ADmaIntoAPageOrphanedByADiscardIsNoLostWrite) {
  const checker::Report r = model_test::run_with_extra_thread(
      "scenarios/ksm/gup-vs-migration-fixed.json",
      {{"name", "D"}, {"actor", "madvise_dontneed"}, {"args", {{"mm", "A"}, {"start", "0x1000"}, {"end", "0x2000"}}}});
  CHECK(r.verdict == checker::Verdict::Pass);
  CHECK(r.stats.complete);
}
