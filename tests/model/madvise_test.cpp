// madvise_test.cpp: madvise(MADV_DONTNEED), the `madvise_dontneed` actor (issue 13),
// in v3.9 and v2.6.33, and how no_lost_write reads the zero fill it leaves. Each
// test runs the path in one thread and asserts on the state left behind; the
// expected values are derived by hand from mm/madvise.c and mm/memory.c
// (zap_page_range -> zap_pte_range), step by step in each comment.
#include <string>

#include "model_fixture.h"
#include <model/ksm.h>
#include <model/madvise.h>
#include <model/memory.h>
#include <model/mmap.h>
#include <model/scenario.h>
#include <model/user_access.h>

#include <CppUTest/TestHarness.h>

using namespace model;
using namespace model_test;

namespace {

const Pte& pte_at(const Kernel& k, std::uint32_t mm, std::uint64_t addr) { return k.mms.at(mm).ptes.at(addr).pte; }

constexpr std::uint32_t avA = 0;

/// seed000_initial: A's vma 0x1000-0x3000 maps K at 0x1000 and swap(7) at 0x2000; B maps K.
Kernel seed000_in(Era era) {
  KernelConfig config;
  config.era = era;
  nlohmann::json initial = seed000_initial();
  if (era == Era::V2_6_33) {  // 2.6.33 has no swap ptes: A's 0x2000 is none
    initial = seed000_scenario()["initial"];
  }
  return parse_initial_state(initial, "t", "/initial", config);
}

/// A scenario: task D discards [start, end) of A; the state as seed000_scenario's.
nlohmann::json dontneed_scenario(const char* start, const char* end) {
  nlohmann::json j = seed000_scenario();
  j["threads"] = {{{"name", "D"}, {"actor", "madvise_dontneed"},
                   {"args", {{"mm", "A"}, {"start", start}, {"end", end}}}}};
  j["invariants"] = {"page_counts_consistent"};
  j["expect"] = {{"result", "pass"}};
  return j;
}

}  // namespace

TEST_GROUP(MadviseDontneed){};

// v3.9 over A's whole vma: zap_pte_range under A's ptl clears A:0x1000 (K mapcount
// 2 -> 1, K batched in the mmu_gather: refcount 2 -> 1 at tlb_finish_mmu) and
// A:0x2000 (swap(7): swap_free, swap_map[7] 1 -> 0). The vma and its anon_vma
// stay (no detach, no unlink_anon_vmas), the page table too; mmap_sem was taken
// for read and is free again.
TEST(MadviseDontneed, ZapsTheRangeAndKeepsTheVma39) {
  long ret = -1;
  OneThread p(seed000_in(Era::V3_9), [&](Kernel& k) { ret = madvise_dontneed(k, mmA, 0x1000, 0x3000); });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(0, ret);
  CHECK(pte_at(k, mmA, 0x1000).is_none());
  CHECK(pte_at(k, mmA, 0x2000).is_none());
  LONGS_EQUAL(1, k.pages[K].mapcount);
  LONGS_EQUAL(1, k.pages[K].refcount);
  LONGS_EQUAL(0, k.swap.swap_map.at(7));
  LONGS_EQUAL(1, k.mms[mmA].vmas.size());
  LONGS_EQUAL(1, k.anon_vmas[avA].vmas.size());
  CHECK(k.mms[mmA].pgtables_freed_at.empty());
  CHECK(k.mms[mmA].mmap_sem->writer() == checker::kNoThread && k.mms[mmA].mmap_sem->readers() == 0);
  CHECK(maps(pte_at(k, mmB, 0x1000), K, false));
}

// Only [0x2000, 0x3000): A:0x1000 still maps K (mapcount and refcount stay 2); the
// swap pte goes (swap_map[7] 1 -> 0).
TEST(MadviseDontneed, ZapsOnlyItsRange) {
  OneThread p(seed000_in(Era::V3_9), [](Kernel& k) { madvise_dontneed(k, mmA, 0x2000, 0x3000); });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(maps(pte_at(k, mmA, 0x1000), K, false));
  CHECK(pte_at(k, mmA, 0x2000).is_none());
  LONGS_EQUAL(2, k.pages[K].mapcount);
  LONGS_EQUAL(2, k.pages[K].refcount);
  LONGS_EQUAL(0, k.swap.swap_map.at(7));
}

// v2.6.33: zap_pte_range drops K's mapcount (2 -> 1) and batches K; tlb_finish_mmu puts it
// (refcount 2 -> 1); the vma stays in A's list and in its anon_vma.
TEST(MadviseDontneed, ZapsTheRangeIn2633) {
  OneThread p(seed000_in(Era::V2_6_33), [](Kernel& k) { madvise_dontneed(k, mmA, 0x1000, 0x2000); });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  CHECK(pte_at(k, mmA, 0x1000).is_none());
  LONGS_EQUAL(1, k.pages[K].mapcount);
  LONGS_EQUAL(1, k.pages[K].refcount);
  LONGS_EQUAL(1, k.mms[mmA].vmas.size());
  LONGS_EQUAL(1, k.anon_vmas[avA].vmas.size());
}

// v2.6.33 on SMP (include/asm-generic/tlb.h: tlb_gather_mmu sets nr = 0 when more than one
// CPU is online, so tlb_remove_page batches): zap_pte_range clears A:0x1000 and drops K's
// mapcount (2 -> 1) under A's ptl, but K's reference goes only at zap_page_range's
// tlb_finish_mmu, after the ptl is released. So a thread taking A's ptl right after the zap
// can find A:0x1000 none while K's count is still 2 (B's mapping and the gather's page).
TEST(MadviseDontneed, ZapReleasesThePageAfterThePtlIn2633) {
  // O records, over all executions, whether it ever saw that state.
  class Observer : public checker::Program {
   public:
    Observer(Kernel k, bool& seen) : initial_(std::move(k)), seen_(seen) {}
    void setup() override {
      kernel = std::make_unique<Kernel>(initial_);
      kernel->create_objects();
      checker::spawn("D", [this] { madvise_dontneed(*kernel, mmA, 0x1000, 0x2000); });
      checker::spawn("O", [this] {
        Kernel& k = *kernel;
        k.mms[mmA].ptl->lock("observer");
        if (k.mms[mmA].ptes.at(0x1000).pte.is_none() && k.page_count(K, "observer") == 2) seen_ = true;
        k.mms[mmA].ptl->unlock("observer");
      });
    }
    std::unique_ptr<Kernel> kernel;

   private:
    Kernel initial_;
    bool& seen_;
  };
  bool seen = false;
  Observer p(seed000_in(Era::V2_6_33), seen);
  checker::Options options;
  options.strategy = checker::StrategyKind::Dpor;
  CHECK(checker::explore(p, options).verdict == checker::Verdict::Pass);
  CHECK_TEXT(seen, "no execution saw A:0x1000 none with K's count still 2");
  CHECK(maps(pte_at(*p.kernel, mmB, 0x1000), K, false));
}

// A store of 9 to A:0x1000 (writable PA), then MADV_DONTNEED of it: the pte is none,
// and a read returns the zero fill. The madvise marks the stores of its range it
// discarded (after its TLB flush), and no_lost_write accepts the zero fill for those;
// without the discard the same end state is a lost write ("maps nothing").
TEST(MadviseDontneed, NoLostWriteReadsTheZeroFillOfItsRange) {
  nlohmann::json initial = two_pages(7, 7);
  auto run = [&](bool discard) {
    Kernel k = kernel_v39(initial);
    k.user_data.track = true;
    OneThread p(std::move(k), [discard](Kernel& kk) {
      user_store(kk, mmA, 0x1000, 9);
      if (discard) {
        madvise_dontneed(kk, mmA, 0x1000, 0x2000);
      } else {  // the same pte change and counts without madvise: as a buggy unmap would leave them
        MmuGather tlb;
        unmap_vmas(kk, tlb, {vmaA}, 0x1000, 0x2000);
        tlb_finish_mmu(kk, tlb);
      }
    }, {"no_lost_write", "page_counts_consistent"});
    return explore_once(p);
  };
  checker::Report with = run(true), without = run(false);
  CHECK(with.verdict == checker::Verdict::Pass);
  CHECK(without.verdict == checker::Verdict::Violation);
  CHECK_TEXT(contains(without.counterexample->violation.message, "no_lost_write: A:0x1000 maps nothing"),
             without.counterexample->violation.message.c_str());
}

// no_lost_write excuses a none pte (or the zero page) only for a store MADV_DONTNEED
// discarded: one that completed before the discard of its address. A store of 9 to
// A:0x1000 after the madvise completed went into a fresh page (do_anonymous_page); if a
// path then lost that page (here the test clears the pte, as a buggy zap would), a read
// returns zeroes where the store wrote 9: a lost write, though A:0x1000 is in the range.
TEST(MadviseDontneed, NoLostWriteCatchesAStoreAfterTheDiscardThatIsLost) {
  Kernel k = kernel_v39(two_pages(7, 7));
  k.user_data.track = true;

  OneThread p(std::move(k), [](Kernel& kk) {
    madvise_dontneed(kk, mmA, 0x1000, 0x2000);
    user_store(kk, mmA, 0x1000, 9);
    PteSlot& slot = kk.mms[mmA].ptes.at(0x1000);
    kk.set_pte(mmA, slot, Pte::none(), "test: the page lost");
  }, {"no_lost_write"});
  const checker::Report r = explore_once(p);
  CHECK(r.verdict == checker::Verdict::Violation);
  CHECK_TEXT(r.counterexample && contains(r.counterexample->violation.message, "no_lost_write: A:0x1000 maps nothing"),
             r.counterexample ? r.counterexample->violation.message.c_str() : "no violation");
}

// mm/madvise.c v3.9 madvise_dontneed: a VM_LOCKED vma is refused with -EINVAL before
// zap_page_range, so nothing is discarded: A:0x1000 still maps K, A:0x2000 keeps swap(7)
// (swap_map[7] stays 1), K's counts stay 2 and 2.
TEST(MadviseDontneed, VmLockedVmaIsEinvalAndKeepsItsPtes) {
  Kernel initial = seed000_in(Era::V3_9);
  initial.vmas[0].flags |= VM_LOCKED;
  long ret = 0;
  OneThread p(std::move(initial), [&](Kernel& k) { ret = madvise_dontneed(k, mmA, 0x1000, 0x3000); });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(-kEINVAL, ret);
  CHECK(maps(pte_at(k, mmA, 0x1000), K, false));
  CHECK(pte_at(k, mmA, 0x2000).is_swap());
  LONGS_EQUAL(1, k.swap.swap_map.at(7));
  LONGS_EQUAL(2, k.pages[K].mapcount);
  LONGS_EQUAL(2, k.pages[K].refcount);
  CHECK(k.mms[mmA].mmap_sem->readers() == 0);
}

// sys_madvise v3.9 (and v2.6.33) over a range with no vma any more (munmap went first, as
// another thread of the scenario may): find_vma finds nothing, -ENOMEM.
TEST(MadviseDontneed, RangeWithoutAVmaIsEnomem) {
  long ret = 0;
  OneThread p(seed000_in(Era::V3_9), [&](Kernel& k) {
    vm_munmap(k, mmB, 0x1000);
    ret = madvise_dontneed(k, mmB, 0x1000, 0x2000);
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  LONGS_EQUAL(-kENOMEM, ret);
  CHECK(p.kernel->mms[mmB].mmap_sem->readers() == 0);
}

// The scenario loader records the range, and refuses bad ranges with one pointer.
TEST(MadviseDontneed, ScenarioInputAndBadRanges) {
  std::string msg;
  STRCMP_EQUAL("<none>", load_error_pointer(dontneed_scenario("0x1000", "0x2000"), &msg).c_str());
  STRCMP_EQUAL("/threads/0/args/end", load_error_pointer(dontneed_scenario("0x1000", "0x1000"), &msg).c_str());
  CHECK_TEXT(contains(msg, "end must be above start"), msg.c_str());
  STRCMP_EQUAL("/threads/0/args/end", load_error_pointer(dontneed_scenario("0x1000", "0x3000"), &msg).c_str());
  CHECK_TEXT(contains(msg, "the range must lie in one vma"), msg.c_str());
  STRCMP_EQUAL("/threads/0/args/start", load_error_pointer(dontneed_scenario("0x5000", "0x6000"), &msg).c_str());
  nlohmann::json extra = dontneed_scenario("0x1000", "0x2000");
  extra["threads"][0]["args"]["len"] = 4096;
  STRCMP_EQUAL("/threads/0/args/len", load_error_pointer(extra, &msg).c_str());
  // Kernel 4.19 has the actor too (zap_v4_19_test.cpp): the same scenario loads there.
  nlohmann::json v419 = dontneed_scenario("0x1000", "0x2000");
  v419["kernel"] = "4.19";
  STRCMP_EQUAL("<none>", load_error_pointer(v419, &msg).c_str());
}

// Two stores racing a MADV_DONTNEED of their address: after the discard a read returns the zero
// fill or a token one of the stores wrote (the one that landed in the page faulted in after the
// zap), whichever store was the last to complete. Clean under DPOR and under bounded DFS;
// before no_lost_write knew of racing writes it reported the store that landed in the
// discarded page before the TLB flush as lost.
TEST(MadviseDontneed, StoresRacingTheDiscardAreNotLostWrites) {
  model_test::check_clean_and_dfs_agrees("scenarios/ksm/stores-vs-dontneed-fixed.json");
}
