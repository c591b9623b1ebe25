// gup_fast_test.cpp: the get_user_pages_fast actor and the irq-off section the TLB
// flush waits for (issue 13, v3.9; model/src/gup_fast.cpp): the fast walk pins a
// present writable pte without mmap_sem; a pte the walk refuses (not present, not
// writable for a write) takes the slow path under mmap_sem, which faults; the flush's
// IPI never completes while a CPU of the mm has interrupts off; write_protect_page in
// the kernel's order (clear, flush, count check) refuses a page the fast walk pinned;
// the three scenarios (DPOR exhaustive, plain DFS within two preemptions agreeing);
// the lint rule; and bad input for each argument. Expected values are derived by hand
// from arch/x86/mm/gup.c v3.9 (get_user_pages_fast, gup_pte_range), arch/x86/mm/tlb.c
// v3.9 (native_flush_tlb_others' wait) and mm/ksm.c v3.9 (write_protect_page).
#include <memory>
#include <string>
#include <vector>

#include "model_fixture.h"
#include <model/actors.h>
#include <model/gup.h>
#include <model/gup_fast.h>
#include <model/ksmd.h>
#include <model/lint.h>
#include <model/scenario.h>

#include <CppUTest/TestHarness.h>

using namespace model;
using namespace model_test;

namespace {

// pinnable_page(writable): model_fixture.h.
constexpr PageId PA = 0, PB = 1, PC1 = 2;

/// As a scenario with a get_user_pages_fast for write of mm A loads it: A.irqs_off and the
/// data steps on.
Kernel walked(Kernel k) {
  k.mms[mmA].gup_fast = true;
  k.user_data.track = true;
  return k;
}

const Pte& pte_at(const Kernel& k, std::uint32_t mm, std::uint64_t addr) { return k.mms.at(mm).ptes.at(addr).pte; }

/// A scenario: thread G get_user_pages_fast A:0x1000 for write with DMA value 9.
nlohmann::json fast_scenario() { return pin_scenario("get_user_pages_fast"); }

std::string fast_error(const std::function<void(nlohmann::json&)>& edit, std::string* message = nullptr) {
  nlohmann::json j = fast_scenario();
  edit(j);
  return load_error_pointer(j, message);
}

/// Two threads on A: "W" runs a walk's irq-off section (local_irq_disable, then
/// local_irq_enable) and marks a ghost `inside` from its disable step to its enable step;
/// "F" runs a flush's wait and records, once per execution, whether W was inside when the
/// wait returned.
class FlushVsIrqOff : public checker::Program {
 public:
  void setup() override {
    kernel = std::make_unique<Kernel>(initial_);
    kernel->create_objects();
    inside = false;
    seen.push_back(-1);
    checker::spawn("W", [this] {
      local_irq_disable(*kernel, mmA);
      inside = true;
      local_irq_enable(*kernel, mmA);
      inside = false;
    });
    checker::spawn("F", [this] {
      flush_tlb_others_wait(*kernel, mmA, "flush_tlb_page");
      seen.back() = inside ? 1 : 0;
    });
  }
  std::unique_ptr<Kernel> kernel;
  bool inside = false;
  std::vector<int> seen;  ///< per execution: 1 when the flush's wait returned inside W's section

 private:
  Kernel initial_ = walked(kernel_v39(pinnable_page(true)));
};

}  // namespace

TEST_GROUP(GetUserPagesFast){};

// gup_pte_range on a present writable pte: get_page inside the irq-off section, no mmap_sem.
// The thread holds A's mmap_sem for write itself, so any down_read (the slow path) would
// deadlock: the fast path pins PA (refcount 1 -> 2, pins 1) and leaves no CPU of A with interrupts off; the
// release drops the pin (refcount 1, pins 0).
TEST(GetUserPagesFast, FastPathPinsWithoutMmapSem) {
  long ret = 0;
  PageId page = kNoPage;
  int held = 0, pins = 0;
  OneThread p(walked(kernel_v39(pinnable_page(true))), [&](Kernel& k) {
    k.mms[mmA].mmap_sem->down_write("test");
    ret = get_user_pages_fast(k, mmA, 0x1000, true, page);
    held = k.pages[PA].refcount;
    pins = k.pages[PA].pins;
    k.mms[mmA].mmap_sem->up_write("test");
    release_user_page(k, page, true);
  }, {"page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  LONGS_EQUAL(1, ret);
  LONGS_EQUAL(PA, page);
  LONGS_EQUAL(2, held);
  LONGS_EQUAL(1, pins);
  LONGS_EQUAL(1, p.kernel->pages[PA].refcount);
  LONGS_EQUAL(0, p.kernel->pages[PA].pins);
  LONGS_EQUAL(0, p.kernel->mms[mmA].irqs_off->readers());
}

// The walk refuses a read-only pte for a write (mask has _PAGE_RW) and a none pte (no
// _PAGE_PRESENT): "goto slow", whose down_read(mmap_sem) deadlocks against the thread's own
// down_write. A read of the read-only pte passes the mask: fast, no deadlock.
TEST(GetUserPagesFast, RefusedPteTakesTheSlowPath) {
  struct Case {
    std::uint64_t addr;
    bool write;
    checker::Verdict verdict;
  };
  for (const Case c : {Case{0x1000, true, checker::Verdict::Deadlock}, Case{0x2000, true, checker::Verdict::Deadlock},
                       Case{0x2000, false, checker::Verdict::Deadlock}, Case{0x1000, false, checker::Verdict::Pass}}) {
    Kernel k0 = walked(kernel_v39(pinnable_page(false)));
    add_zero_page(k0);
    OneThread p(k0, [&](Kernel& k) {
      k.mms[mmA].mmap_sem->down_write("test");
      PageId page = kNoPage;
      get_user_pages_fast(k, mmA, c.addr, c.write, page);
    });
    CHECK_TEXT(explore_once(p).verdict == c.verdict, k0.where(mmA, c.addr).c_str());
  }
}

// The slow path of a write to a read-only pte of a page mapped once: get_user_pages faults,
// do_wp_page reuses PA and makes the pte writable, follow_page pins PA; the DMA writes 9 into
// PA and the release drops the pin. Nothing allocated.
TEST(GetUserPagesFast, SlowPathFaultsThenPins) {
  long ret = 0;
  OneThread p(walked(kernel_v39(pinnable_page(false))),
              [&](Kernel& k) { ret = get_user_pages_fast_dma(k, mmA, 0x1000, true, 9); },
              {"no_lost_write", "page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(1, ret);
  CHECK(maps(pte_at(k, mmA, 0x1000), PA, true));
  LONGS_EQUAL(9, k.pages[PA].content);
  LONGS_EQUAL(1, k.pages[PA].refcount);
  LONGS_EQUAL(0, k.pages[PA].pins);
  CHECK(k.pages[PC1].in_free_pool);
}

// native_flush_tlb_others waits for a CPU with interrupts off: W's two steps and F's two
// (the IPI sent and waited for, then done) interleave as F before W's local_irq_disable, or
// after its local_irq_enable (F cannot start inside W's section, nor W between F's steps):
// two executions, and in neither does F's wait return inside W's section. DPOR and plain
// DFS agree.
TEST(GetUserPagesFast, FlushWaitsForIrqOffCpus) {
  for (const checker::StrategyKind strategy : {checker::StrategyKind::Dpor, checker::StrategyKind::Dfs}) {
    FlushVsIrqOff p;
    checker::Options o;
    o.strategy = strategy;
    const checker::Report r = checker::explore(p, o);
    CHECK(r.verdict == checker::Verdict::Pass);
    CHECK(r.stats.complete);
    LONGS_EQUAL(2, r.stats.executions);
    LONGS_EQUAL(2, p.seen.size());
    for (int s : p.seen) LONGS_EQUAL(0, s);
  }
}

// write_protect_page in the kernel's order when a fast walker exists: with PA pinned by the
// fast walk (refcount 3 during ksmd's check: the mapping, get_mergeable_page's reference,
// the pin), ptep_clear_flush, then page_mapcount 1 + 1 + 0 != 3: set_pte_at puts A's pte
// back writable and the merge is refused; break_cow(RB) COWs B's pte into C1 and PB is freed
// by the scan (as in gup_test's KsmdRefusesToMergeAPinnedPage). The DMA lands in PA.
TEST(GetUserPagesFast, WriteProtectPageRefusesAFastPin) {
  Kernel k0 = kernel_v39(two_pages(7, 7));
  k0.mms[mmA].gup_fast = true;
  k0.user_data.track = true;
  OneThread p(k0, [](Kernel& k) {
    PageId page = kNoPage;
    get_user_pages_fast(k, mmA, 0x1000, true, page);
    ksmd_scan(k, 3, 2);
    dma_write_page(k, page, mmA, 0x1000, 9);
    release_user_page(k, page, true);
  }, {"no_lost_write", "page_counts_consistent", "ksm_counters_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(maps(pte_at(k, mmA, 0x1000), PA, true));
  CHECK(maps(pte_at(k, mmB, 0x1000), PC1, true));
  CHECK(k.pages[PB].freed);
  LONGS_EQUAL(9, k.pages[PA].content);
  LONGS_EQUAL(1, k.pages[PA].refcount);
  LONGS_EQUAL(0, k.ksm.pages_shared);
}

// Loading: a get_user_pages_fast thread marks its mm walked (A.irqs_off) and, for a write,
// switches the data steps on; the plain get_user_pages does not mark it.
TEST(GetUserPagesFast, ArgumentsAndDefaults) {
  nlohmann::json j = fast_scenario();
  j["threads"][0]["args"].erase("write");
  j["threads"][0]["args"].erase("dma_value");
  Scenario s = Scenario::parse(j, "t.json");
  CHECK(s.calls().at(0).write);
  LONGS_EQUAL(9, s.calls().at(0).value);
  CHECK(s.initial_kernel().user_data.track);
  CHECK(s.initial_kernel().mms[mmA].gup_fast);
  CHECK_FALSE(s.initial_kernel().mms[mmB].gup_fast);
  j["threads"][0]["actor"] = "get_user_pages";
  CHECK_FALSE(Scenario::parse(j, "t.json").initial_kernel().mms[mmA].gup_fast);
}

TEST(GetUserPagesFast, BadInput) {
  std::string msg;
  STRCMP_EQUAL("<none>", fast_error([](nlohmann::json&) {}).c_str());
  STRCMP_EQUAL("/threads/0/actor", fast_error([](nlohmann::json& j) { j["kernel"] = "2.6.33"; }, &msg).c_str());
  CHECK_TEXT(contains(msg, "actor \"get_user_pages_fast\" is not modelled in kernel 2.6.33"), msg.c_str());
  STRCMP_EQUAL("<none>", fast_error([](nlohmann::json& j) { j["kernel"] = "4.19"; }).c_str());  // gup_v4_19.cpp
  STRCMP_EQUAL("/threads/0/args/mm", fast_error([](nlohmann::json& j) { j["threads"][0]["args"]["mm"] = "C"; }, &msg).c_str());
  CHECK_TEXT(contains(msg, "no mm named \"C\""), msg.c_str());
  STRCMP_EQUAL("/threads/0/args", fast_error([](nlohmann::json& j) { j["threads"][0]["args"].erase("mm"); }).c_str());
  STRCMP_EQUAL("/threads/0/args/address",
               fast_error([](nlohmann::json& j) { j["threads"][0]["args"]["address"] = "0x5000"; }, &msg).c_str());
  CHECK_TEXT(contains(msg, "no vma of mm A contains this address"), msg.c_str());
  STRCMP_EQUAL("/threads/0/args/address",
               fast_error([](nlohmann::json& j) { j["threads"][0]["args"]["address"] = "0x1001"; }).c_str());
  STRCMP_EQUAL("/threads/0/args/address", fast_error([](nlohmann::json& j) {
                 j["initial"]["mms"][0]["vmas"][0]["flags"] = {"VM_READ"};
               }, &msg).c_str());
  CHECK_TEXT(contains(msg, "the vma is not VM_WRITE"), msg.c_str());
  STRCMP_EQUAL("/threads/0/args/write",
               fast_error([](nlohmann::json& j) { j["threads"][0]["args"]["write"] = "yes"; }, &msg).c_str());
  CHECK_TEXT(contains(msg, "expected a boolean"), msg.c_str());
  STRCMP_EQUAL("/threads/0/args/dma_value",
               fast_error([](nlohmann::json& j) { j["threads"][0]["args"]["dma_value"] = 0; }).c_str());
  STRCMP_EQUAL("/threads/0/args/dma_value",
               fast_error([](nlohmann::json& j) { j["threads"][0]["args"]["dma_value"] = (1 << 20) + 1; }).c_str());
  STRCMP_EQUAL("/threads/0/args/dma_value",
               fast_error([](nlohmann::json& j) { j["threads"][0]["args"]["write"] = false; }, &msg).c_str());
  CHECK_TEXT(contains(msg, "no DMA value"), msg.c_str());
  STRCMP_EQUAL("/threads/0/args/pages",
               fast_error([](nlohmann::json& j) { j["threads"][0]["args"]["pages"] = 1; }).c_str());
  // A task of an mm that exits: the last mmput cannot run while the walker's task lives.
  STRCMP_EQUAL("/threads/0/actor", fast_error([](nlohmann::json& j) {
                 j["threads"].push_back({{"name", "X"}, {"actor", "exit"}, {"args", {{"mm", "A"}}}});
               }, &msg).c_str());
  CHECK_TEXT(contains(msg, "acts as a task of mm A"), msg.c_str());
}

// The three scenarios are clean and exhaustive under DPOR, and plain DFS (no reduction)
// agrees within two preemptions.
TEST(GetUserPagesFast, ScenariosAreCleanAndDfsAgrees) {
  for (const char* path : {"scenarios/ksm/gup-fast-vs-ksmd-merge-fixed.json", "scenarios/ksm/gup-fast-vs-migration-fixed.json",
                           "scenarios/ksm/gup-fast-vs-munmap-fixed.json"}) {
    check_clean_and_dfs_agrees(path);
  }
}

// mmcheck check: a get_user_pages_fast for write beside ksmd may take the slow path and COW
// its page (ksmd may write-protect it): one free page; with none declared that is a finding.
TEST(GetUserPagesFast, LintRule) {
  nlohmann::json j = fast_scenario();
  j["initial"]["mms"][0]["vmas"][0]["flags"] = {"VM_READ", "VM_WRITE", "VM_MERGEABLE"};
  j["initial"]["ksm"] = {{"run", 1}, {"mm_slots", {"A"}}};
  j["threads"].push_back({{"name", "KD"}, {"actor", "ksmd"}, {"args", {{"pages", 2}}}});
  LintReport clean = lint(Scenario::parse(j, "t.json"));
  CHECK(clean.findings.empty());
  j["initial"]["pages"].erase(3);
  j["initial"]["pages"].erase(2);
  LintReport none = lint(Scenario::parse(j, "t.json"));
  LONGS_EQUAL(1, none.findings.size());
  CHECK_TEXT(contains(none.findings[0].message, "a do_wp_page COW copy at A:0x1000"), none.findings[0].message.c_str());
}
