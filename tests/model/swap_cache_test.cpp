// swap_cache_test.cpp: the swap cache as a radix tree of its own and the
// paths around it (v3.9): find_get_page through lookup_swap_cache during a
// migration's handover and against reclaim, swap_duplicate in
// try_to_unmap_one, reuse_swap_page in do_wp_page. Each expected value is
// derived by hand from the kernel code (see the comment on each test).
#include <set>
#include <string>

#include "model_fixture.h"
#include <model/initial_state.h>
#include <model/madvise.h>
#include <model/ksm.h>
#include <model/memory.h>
#include <model/migrate.h>
#include <model/rmap.h>
#include <model/scenario.h>
#include <model/swap_state.h>
#include <model/swapin.h>

#include <CppUTest/TestHarness.h>

using namespace model;
using namespace model_test;

namespace {

// KSM page K (node 0) of stable node S is in the swap cache (slot 9) and
// mapped read-only by A and B at 0x1000 (rmap_items RA, RB): refcount 2
// mappings + 1 swap cache = 3. P is an anon swap-cache page (slot 4) mapped
// read-only by A at 0x2000, no swap pte holds slot 4: refcount 2. Free pages
// C1 (node 0) and N (node 1). Pages by PageId: K=0, P=1, C1=2, N=3.
nlohmann::json swap_cache_initial() {
  return nlohmann::json::parse(R"({
    "numa_nodes": 2,
    "pages": [
      { "name": "K", "nid": 0, "flags": ["Anon", "Ksm", "Uptodate", "LRU", "SwapCache"], "swap_entry": 9 },
      { "name": "P", "nid": 0, "flags": ["Anon", "Uptodate", "LRU", "SwapCache"], "swap_entry": 4 },
      { "name": "C1", "nid": 0, "free": true },
      { "name": "N", "nid": 1, "free": true }
    ],
    "mms": [
      { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x3000",
          "flags": ["VM_READ", "VM_WRITE", "VM_MERGEABLE"], "anon_vma": "avA" } ] },
      { "name": "B", "vmas": [ { "start": "0x1000", "end": "0x2000",
          "flags": ["VM_READ", "VM_WRITE", "VM_MERGEABLE"], "anon_vma": "avB" } ] }
    ],
    "ptes": [
      { "mm": "A", "address": "0x1000", "pte": "present", "page": "K" },
      { "mm": "A", "address": "0x2000", "pte": "present", "page": "P" },
      { "mm": "B", "address": "0x1000", "pte": "present", "page": "K" }
    ],
    "stable_nodes": [ { "name": "S", "page": "K" } ],
    "rmap_items": [
      { "name": "RA", "mm": "A", "address": "0x1000", "stable_node": "S" },
      { "name": "RB", "mm": "B", "address": "0x1000", "stable_node": "S" }
    ],
    "ksm": { "run": 1, "mm_slots": ["A", "B"] }
  })");
}

constexpr PageId sK = 0, sP = 1, sC1 = 2, sN = 3;
constexpr std::uint32_t sA = 0, sB = 1, svA = 0;
constexpr unsigned kTtu = TTU_MIGRATION | TTU_IGNORE_MLOCK | TTU_IGNORE_ACCESS;

Kernel swap_cache_kernel() {
  KernelConfig config;
  config.era = Era::V3_9;
  return parse_initial_state(swap_cache_initial(), "swapcache", "/initial", config);
}

const Pte& pte_at(const Kernel& k, std::uint32_t mm, std::uint64_t addr) { return k.mms.at(mm).ptes.at(addr).pte; }

/// Two simulated threads on a fresh copy of `initial`; `check` runs as a final
/// check after both finished (it reports with checker::check, never CHECK).
class TwoThreads : public checker::Program {
 public:
  using Body = std::function<void(Kernel&)>;
  TwoThreads(Kernel initial, Body t1, Body t2, Body check)
      : initial_(std::move(initial)), t1_(std::move(t1)), t2_(std::move(t2)), check_(std::move(check)) {}

  void setup() override {
    kernel = std::make_unique<Kernel>(initial_);
    kernel->create_objects();
    checker::spawn("T1", [this] { t1_(*kernel); });
    checker::spawn("T2", [this] { t2_(*kernel); });
    checker::final_check("test", [this] { check_(*kernel); });
  }

  std::unique_ptr<Kernel> kernel;

 private:
  Kernel initial_;
  Body t1_, t2_, check_;
};

/// Every interleaving up to DPOR's equivalence (what the scenarios run).
checker::Report explore_dpor(checker::Program& program) {
  checker::Options options;
  options.strategy = checker::StrategyKind::Dpor;
  return checker::explore(program, options);
}

}  // namespace

TEST_GROUP(SwapCache){};

// Slot 9's radix tree entry after migrate_page_move_mapping(N, K) and before
// migrate_page_copy: v3.9's radix_tree_replace_slot already points the slot
// at N while K still has PG_swapcache, so find_get_page returns N (refcount:
// alloc 1 + swap cache 1 + lookup 1 = 3). K keeps our reference only (the
// unfreeze to expected_count - 1 = 1). K was unmapped first (swap ptes) and
// pinned by us: 3 - 2 + 1 = 2 = expected_count.
TEST(SwapCache, LookupDuringTheHandoverFindsTheNewPage) {
  int rc = -1;
  PageId got = kNoPage;
  OneThread p(swap_cache_kernel(), [&](Kernel& k) {
    k.pages[sK].lock->lock();
    try_to_unmap(k, sK, kTtu);
    k.get_page(sK, "test");
    PageId n = k.alloc_page(1, "test");
    rc = migrate_page_move_mapping(k, n, sK);
    got = lookup_swap_cache(k, 9);
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(0, rc);
  UNSIGNED_LONGS_EQUAL(sN, got);
  UNSIGNED_LONGS_EQUAL(sN, swap_cache_page(k, 9));
  LONGS_EQUAL(3, k.pages[sN].refcount);
  CHECK_TRUE(k.pages[sN].test(PG_swapcache));
  UNSIGNED_LONGS_EQUAL(9, k.pages[sN].swap_entry);
  LONGS_EQUAL(1, k.pages[sK].refcount);
  CHECK_TRUE(k.pages[sK].test(PG_swapcache));  // until migrate_page_copy
}

// A migration of K (T1, one pass) against a lookup of slot 9 (T2, which keeps
// its reference), in every interleaving DPOR explores: the lookup's
// reference is taken either before page_freeze_refs (K's count is then 3 at
// migrate_page_move_mapping: -EAGAIN, and T2 holds K) or after the handover
// (T2 holds N and the migration succeeds). A frozen K makes find_get_page
// repeat; a lookup that read the slot before the handover and got K after it
// sees the slot changed, drops K and repeats. So: rc == 0 iff T2 got N.
TEST(SwapCache, LookupRacingTheHandoverGetsTheSlotsPage) {
  int rc = 1;
  PageId got = kNoPage;
  std::set<std::pair<int, PageId>> outcomes;
  TwoThreads p(
      swap_cache_kernel(), [&](Kernel& k) { rc = migrate_one_page(k, sK, 1, 1); },
      [&](Kernel& k) { got = lookup_swap_cache(k, 9); },
      [&](Kernel& k) {
        outcomes.insert({rc, got});
        checker::check((rc == 0) == (got == sN) && got != kNoPage && !k.pages[got].freed,
                       checker::FailureKind::Assertion,
                       "migration rc " + std::to_string(rc) + " but the lookup got page " + std::to_string(got));
      });
  checker::Report r = explore_dpor(p);
  CHECK(r.verdict == checker::Verdict::Pass);
  CHECK_TRUE(r.stats.complete);
  CHECK(outcomes == (std::set<std::pair<int, PageId>>{{0, sN}, {-kEAGAIN, sK}}));
}

// Reclaim of P (unmapped first: A's pte cleared by hand, as if zapped, so P
// holds only the swap cache's reference) against a lookup of slot 4: either
// the lookup wins (P referenced: refcount 2 != 1, reclaim keeps it) or
// reclaim wins (slot emptied, P freed, lookup returns NULL). get_page_unless_zero
// fails on the frozen count and find_get_page repeats; it never takes a
// reference on a freed page.
TEST(SwapCache, LookupNeverRevivesAPageReclaimFreed) {
  nlohmann::json j = swap_cache_initial();
  j["ptes"].erase(1);  // A:0x2000: P is unmapped, only in the swap cache
  j["pages"][1]["flags"] = {"Uptodate", "LRU", "SwapCache"};
  KernelConfig config;
  Kernel initial = parse_initial_state(j, "reclaim", "/initial", config);
  PageId got = kNoPage;
  bool freed = false;
  std::set<std::pair<bool, PageId>> outcomes;
  TwoThreads p(
      initial, [&](Kernel& k) { freed = reclaim_swapcache_page(k, sP); },
      [&](Kernel& k) {
        got = lookup_swap_cache(k, 4);
        checker::check(got == kNoPage || (!k.pages[got].freed && k.pages[got].refcount == 2),
                       checker::FailureKind::Assertion, "lookup_swap_cache took a reference on a freed page");
      },
      [&](Kernel&) { outcomes.insert({freed, got}); });
  checker::Report r = explore_dpor(p);
  CHECK(r.verdict == checker::Verdict::Pass);
  CHECK(outcomes == (std::set<std::pair<bool, PageId>>{{true, kNoPage}, {false, sP}}));
}

// try_to_unmap of the swap-cache page K installs swap(9) in A and B, each
// counted by swap_duplicate: swap_map[9] 0 -> 2, K keeps only the swap
// cache's reference (3 - 2 = 1). A's read fault then maps K again (ksm_run 1:
// no copy) and swap_free drops A's count: swap_map[9] = 1, B's pte.
TEST(SwapCache, TryToUnmapCountsTheSwapPtesItInstalls) {
  int after_unmap = -1;
  OneThread p(swap_cache_kernel(), [&](Kernel& k) {
    k.pages[sK].lock->lock();
    try_to_unmap(k, sK, kTtu);
    after_unmap = k.swap.swap_map[9];
    k.pages[sK].lock->unlock();
    swapin_fault(k, sA, 0x1000, false);
  }, {"page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(2, after_unmap);
  LONGS_EQUAL(1, k.swap.swap_map.at(9));
  CHECK(maps(pte_at(k, sA, 0x1000), sK, false));
  CHECK(pte_at(k, sB, 0x1000) == Pte::swap(9));
  LONGS_EQUAL(1, k.pages[sK].mapcount);
  LONGS_EQUAL(2, k.pages[sK].refcount);
}

// Write fault on P (mapcount 1, in the swap cache, swap count 0): v3.9's
// reuse_swap_page counts 1 + 0 = 1, deletes P from the swap cache (its
// reference dropped: refcount 2 -> 1), SetPageDirty, and the pte becomes
// present(P, writable): no copy, the pool keeps C1 and N.
TEST(SwapCache, WriteFaultReusesASwapCachePageNoSwapPteHolds) {
  unsigned ret = 0;
  OneThread p(swap_cache_kernel(), [&](Kernel& k) { ret = handle_mm_fault(k, svA, 0x2000, FAULT_FLAG_WRITE); },
              {"page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  UNSIGNED_LONGS_EQUAL(VM_FAULT_WRITE, ret);
  CHECK(maps(pte_at(k, sA, 0x2000), sP, true));
  CHECK_FALSE(k.pages[sP].test(PG_swapcache));
  CHECK_TRUE(k.pages[sP].test(PG_dirty));
  UNSIGNED_LONGS_EQUAL(kNoPage, swap_cache_page(k, 4));
  LONGS_EQUAL(1, k.pages[sP].refcount);
  LONGS_EQUAL(1, k.pages[sP].mapcount);
  UNSIGNED_LONGS_EQUAL(2, k.free_pool.size());
}

// The same fault while another pte's swap count holds slot 4 (swap_duplicate
// first): 1 + 1 = 2, no reuse: COW to C1 (node 0), P stays in the swap cache
// with only the swap cache's reference (the mapping's is dropped), mapcount 0.
TEST(SwapCache, WriteFaultCopiesASwapCachePageAnotherSwapPteHolds) {
  unsigned ret = 0;
  OneThread p(swap_cache_kernel(), [&](Kernel& k) {
    swap_duplicate(k, 4);
    ret = handle_mm_fault(k, svA, 0x2000, FAULT_FLAG_WRITE);
  });
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  const Kernel& k = *p.kernel;
  UNSIGNED_LONGS_EQUAL(VM_FAULT_WRITE, ret);
  CHECK(maps(pte_at(k, sA, 0x2000), sC1, true));
  CHECK_TRUE(k.pages[sP].test(PG_swapcache));
  UNSIGNED_LONGS_EQUAL(sP, swap_cache_page(k, 4));
  LONGS_EQUAL(1, k.pages[sP].refcount);
  LONGS_EQUAL(0, k.pages[sP].mapcount);
  LONGS_EQUAL(1, k.swap.swap_map.at(4));
}

// A swap-cache page reclaim unmapped is still PageAnon (page_remove_rmap leaves
// page->mapping): declared Anon with A:0x2000 = swap(4) and no present pte, P takes
// the anon_vma of A's vma and 0x2000's linear index, and a read fault of A maps P
// itself (ksm_might_need_to_copy: same anon_vma root and index, no copy). With no
// swap pte of its slot either, "Anon" is refused with how a page stays Anon.
TEST(SwapCache, AnUnmappedAnonSwapCachePageTakesItsSwapPtesAnonVma) {
  nlohmann::json j = swap_cache_initial();
  j["ptes"][1] = {{"mm", "A"}, {"address", "0x2000"}, {"pte", "swap"}, {"entry", 4}};
  KernelConfig config;
  config.era = Era::V3_9;
  Kernel k0 = parse_initial_state(j, "t.json", "/initial", config);
  CHECK(k0.pages[sP].mapping.kind == Mapping::Kind::Anon);
  CHECK(k0.pages[sP].mapping.id == k0.vmas[svA].anon_vma);
  LONGS_EQUAL(k0.vmas[svA].linear_page_index(0x2000), k0.pages[sP].index);
  OneThread p(std::move(k0), [](Kernel& k) { handle_mm_fault(k, svA, 0x2000, 0); }, {"page_counts_consistent"});
  CHECK(explore_once(p).verdict == checker::Verdict::Pass);
  CHECK(maps(pte_at(*p.kernel, sA, 0x2000), sP, false));
  j["ptes"].erase(1);
  std::string message;
  try {
    parse_initial_state(j, "t.json", "/initial", config);
  } catch (const InputError& e) {
    message = e.what();
  }
  STRCMP_CONTAINS("page P is marked Anon but nothing maps it (a swap-cache page stays Anon while a swap pte of its slot",
                  message.c_str());
}

// The radix tree holds one page per slot: a second page declared in slot 9
// is refused at load, naming its swap_entry.
TEST(SwapCache, TwoPagesInOneSlotAreRefused) {
  nlohmann::json j = swap_cache_initial();
  j["pages"][1]["swap_entry"] = 9;
  std::string pointer, message;
  try {
    parse_initial_state(j, "t.json", "/initial", KernelConfig{});
  } catch (const InputError& e) {
    pointer = e.pointer();
    message = e.what();
  }
  STRCMP_EQUAL("/initial/pages/1/swap_entry", pointer.c_str());
  STRCMP_EQUAL("t.json: at /initial/pages/1/swap_entry: swap cache slot 9 already holds page K", message.c_str());
}

namespace {

/// A holds swap(4) at 0x1000 (vma [0x1000, 0x2000)); P (data 7) is slot 4's swap-cache page,
/// unmapped: refcount 1, the swap cache's. `b` adds mm B at 0x1000 with "swap" (another swap pte
/// of slot 4: swap count 2) or "present" (B maps P: mapcount 1, refcount 2).
nlohmann::json zapped_swap_state(const std::string& b) {
  nlohmann::json j = nlohmann::json::parse(R"({
    "pages": [ { "name": "P", "nid": 0, "flags": ["Anon", "Uptodate", "LRU", "SwapCache"], "swap_entry": 4,
                 "mapcount": 0, "refcount": 1, "content": 7 } ],
    "mms": [
      { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "avA" } ] },
      { "name": "B", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "avB" } ] }
    ],
    "ptes": [ { "mm": "A", "address": "0x1000", "pte": "swap", "entry": 4 } ]
  })");
  if (b == "swap") j["ptes"].push_back({{"mm", "B"}, {"address", "0x1000"}, {"pte", "swap"}, {"entry", 4}});
  if (b == "present") {
    j["pages"][0]["mapcount"] = 1;
    j["pages"][0]["refcount"] = 2;
    j["ptes"].push_back({{"mm", "B"}, {"address", "0x1000"}, {"pte", "present"}, {"page", "P"}, {"writable", false}});
  }
  return j;
}

}  // namespace

TEST_GROUP(FreeSwapAndCache){};

// MADV_DONTNEED of A's swap pte, in each era: zap_pte_range -> free_swap_and_cache. Alone on
// slot 4, swap_entry_free leaves only SWAP_HAS_CACHE: find_get_page takes P (refcount 2),
// trylock_page succeeds, P is still in the swap cache, not under writeback and not mapped,
// so delete_from_swap_cache (the cache's reference: 1) and SetPageDirty; unlock,
// page_cache_release frees P (the freed page's flags are not kept). With B's swap pte too the count stays 1 and nothing is looked
// up; with B mapping P the lookup finds it mapped and leaves it in the swap cache (refcount 2).
TEST(FreeSwapAndCache, ZapOfTheLastSwapPteTakesAnUnmappedPageOutOfTheSwapCache) {
  for (Era era : {Era::V2_6_33, Era::V3_9, Era::V4_19})
    for (const char* b : {"", "swap", "present"}) {
      KernelConfig config;
      config.era = era;
      Kernel initial = parse_initial_state(zapped_swap_state(b), "t", "/initial", config);
      OneThread t(std::move(initial), [](Kernel& k) { madvise_dontneed(k, 0, 0x1000, 0x2000); },
                  {"page_counts_consistent"});
      CHECK(explore_once(t).verdict == checker::Verdict::Pass);
      const Kernel& k = *t.kernel;
      CHECK(k.mms[0].ptes.at(0x1000).pte.is_none());
      const std::string which = std::string(era_name(era)) + " B:" + b;
      if (std::string(b) == "") {
        LONGS_EQUAL_TEXT(0, k.swap.swap_map.at(4), which.c_str());
        CHECK_TEXT(!k.swap.cache.count(4), which.c_str());
        CHECK_TEXT(k.pages[0].freed, which.c_str());
      } else {
        LONGS_EQUAL_TEXT(std::string(b) == "swap" ? 1 : 0, k.swap.swap_map.at(4), which.c_str());
        CHECK_TEXT(k.swap.cache.count(4) && k.swap.cache.at(4) == 0, which.c_str());
        CHECK_TEXT(k.pages[0].test(PG_swapcache), which.c_str());
        LONGS_EQUAL_TEXT(std::string(b) == "swap" ? 1 : 2, k.pages[0].refcount, which.c_str());
      }
    }
}

// The page lock taken by someone else: trylock_page fails, the lookup's reference is put back
// and P stays in the swap cache with no swap count (a cache-only slot, as the kernel leaves it
// for reclaim to find).
TEST(FreeSwapAndCache, ALockedPageStaysInTheSwapCache) {
  Kernel initial = kernel_v39(zapped_swap_state(""));
  OneThread t(std::move(initial), [](Kernel& k) {
    k.pages[0].lock->lock("test");
    madvise_dontneed(k, 0, 0x1000, 0x2000);
    k.pages[0].lock->unlock("test");
  });
  CHECK(explore_once(t).verdict == checker::Verdict::Pass);
  const Kernel& k = *t.kernel;
  LONGS_EQUAL(0, k.swap.swap_map.at(4));
  CHECK(k.swap.cache.count(4));
  LONGS_EQUAL(1, k.pages[0].refcount);
  CHECK_FALSE(k.pages[0].freed);
}

// The repository's swap-in slot-reuse scenarios (4969c1192d15): with free_swap_and_cache taking
// the unmapped page out of the swap cache, the fault that sleeps on its page lock meets a reused
// slot; v2.6.33 (no recheck) and v3.9 with the fix reverted map the stale page, v3.9 backs out.
TEST(FreeSwapAndCache, SwapinSlotReuseScenarios) {
  for (const char* path : {"scenarios/ksm/swapin-slot-reuse-2.6.33.json", "scenarios/ksm/swapin-slot-reuse-reverted.json"}) {
    Scenario s = Scenario::load(path);
    auto program = s.make_program();
    const checker::Report r = checker::explore(*program, s.options());
    CHECK_TEXT(r.verdict == checker::Verdict::Violation, path);
    CHECK_TEXT(r.counterexample && contains(r.counterexample->violation.message,
                                            "do_swap_page maps a stale swap-cache page: P at A:0x1000"),
               path);
  }
  check_clean("scenarios/ksm/swapin-slot-reuse-fixed.json");
}
