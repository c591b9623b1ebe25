// swap2633_test.cpp: single-threaded runs of kernel 2.6.33's swap paths (swap ptes
// and swap-cache pages in 2.6.33 states, do_swap_page with 2.6.33's
// ksm_might_need_to_copy -> ksm_does_need_to_copy, shrink_page_list through
// 2.6.33's try_to_unmap_ksm, the keyhole get_ksm_page after reclaim freed the
// KSM page, zap_pte_range and dup_mmap of a swap pte, swapoff's unuse_pte without
// the KSM copy), each asserting the state the kernel leaves behind as derived by
// hand from the v2.6.33.3 sources; and 2.6.33's migration of a swap-cache page.
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include <model/lint.h>
#include <model/memory.h>
#include <model/migrate.h>
#include <model/swap_state.h>
#include <model/swapin.h>
#include <model/swapoff.h>
#include <model/v2_6_33.h>

#include "model_fixture.h"

#include <CppUTest/TestHarness.h>

using namespace model;
using model_test::contains;
using model_test::maps;
using model_test::OneThread;

namespace {

constexpr std::uint32_t mA = 0, mB = 1, nodeS = 0, itemRA = 0, avA = 0;

Kernel kernel2633(const nlohmann::json& initial) {
  KernelConfig config;
  config.era = Era::V2_6_33;
  return parse_initial_state(initial, "swap2633", "/initial", config);
}

/// Seed 000's state (model_fixture.h) in 2.6.33: KSM page K (content 7) mapped read-only by
/// A and B at 0x1000 through stable node S (rmap_items RA, RB), run 1; free page C1 on node 0
/// in place of N. PageIds: K=0, C1=1.
nlohmann::json ksm_mapped() {
  nlohmann::json j = model_test::seed000_scenario()["initial"];
  j["pages"][0].erase("mapcount");
  j["pages"][0]["content"] = 7;
  j["pages"][1] = {{"name", "C1"}, {"nid", 0}, {"free", true}};
  return j;
}

/// The same with K in the swap cache (slot 1) and A's pte swap(1): K mapped by B alone.
nlohmann::json ksm_half_swapped() {
  nlohmann::json j = ksm_mapped();
  j["pages"][0]["flags"].push_back("SwapCache");
  j["pages"][0]["swap_entry"] = 1;
  j["ptes"][0] = nlohmann::json::parse(R"({ "mm": "A", "address": "0x1000", "pte": "swap", "entry": 1 })");
  return j;
}

/// Plain anon page P (content 5) of B's anon_vma in the swap cache (slot 1), mapped by B;
/// A's pte swap(1); free page C1. PageIds: P=0, C1=1.
nlohmann::json anon_half_swapped() {
  return nlohmann::json::parse(R"({
    "pages": [
      { "name": "P", "flags": ["Anon", "Uptodate", "LRU", "SwapCache"], "swap_entry": 1, "content": 5 },
      { "name": "C1", "free": true }
    ],
    "mms": [
      { "name": "A", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "avA" } ] },
      { "name": "B", "vmas": [ { "start": "0x1000", "end": "0x2000", "flags": ["VM_READ", "VM_WRITE"], "anon_vma": "avB" } ] }
    ],
    "ptes": [
      { "mm": "A", "address": "0x1000", "pte": "swap", "entry": 1 },
      { "mm": "B", "address": "0x1000", "pte": "present", "page": "P" }
    ]
  })");
}

constexpr PageId K = 0, P = 0, C1 = 1;

const Pte& pte_at(const Kernel& k, std::uint32_t mm, std::uint64_t addr) { return k.mms.at(mm).ptes.at(addr).pte; }

std::string violation_of(const checker::Report& r) {
  return r.counterexample ? r.counterexample->violation.message : std::string("<none>");
}

int swap_count(const Kernel& k, std::uint32_t entry) {
  const auto it = k.swap.swap_map.find(entry);
  return it == k.swap.swap_map.end() ? 0 : it->second;
}

}  // namespace

TEST_GROUP(Swap2633Input){};

// Swap ptes and swap-cache pages load in 2.6.33 as in 3.9: the swap map counts A's pte,
// the cache holds K at slot 1; K's count is B's pte and the swap cache's reference.
TEST(Swap2633Input, SwapPtesAndSwapCacheLoad) {
  OneThread p(kernel2633(ksm_half_swapped()), [](Kernel&) {});
  model_test::explore_once(p);
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(1, swap_count(k, 1));
  LONGS_EQUAL(K, swap_cache_page(k, 1));
  LONGS_EQUAL(1, k.pages[K].mapcount);
  LONGS_EQUAL(2, k.pages[K].refcount);
}

// A 2.6.33 migrator beside swap ptes and swap-cache pages loads, and beside a reclaim thread
// too (both take the page's LRU isolation reference: the second finds it off the LRU); a
// reclaim with a fault loads.
TEST(Swap2633Input, MigratorBesideSwapAndBesideReclaimLoads) {
  const nlohmann::json mbind = nlohmann::json::parse(R"([
    { "name": "H", "actor": "mbind", "args": { "mm": "B", "start": "0x1000", "end": "0x2000", "to_node": 0 } } ])");
  STRCMP_EQUAL("<none>", model_test::scenario_load_error("2.6.33", ksm_half_swapped(), mbind).c_str());
  const nlohmann::json with_reclaim = nlohmann::json::parse(R"([
    { "name": "R", "actor": "reclaim", "args": { "page": "K" } },
    { "name": "H", "actor": "mbind", "args": { "mm": "B", "start": "0x1000", "end": "0x2000", "to_node": 0 } } ])");
  STRCMP_EQUAL("<none>", model_test::scenario_load_error("2.6.33", ksm_mapped(), with_reclaim).c_str());
  const nlohmann::json reclaim_fault = nlohmann::json::parse(R"([
    { "name": "R", "actor": "reclaim", "args": { "page": "K" } },
    { "name": "F", "actor": "fault", "args": { "mm": "A", "address": "0x1000" } } ])");
  STRCMP_EQUAL("<none>", model_test::scenario_load_error("2.6.33", ksm_mapped(), reclaim_fault).c_str());
}

TEST_GROUP(Swap2633Migration){};

namespace {

/// 2.6.33's migration of P in one thread (isolate_lru_page, migrate_pages to node 0 with one
/// pass, not offlining), which must return 0 with counts consistent: the state left behind.
std::unique_ptr<Kernel> migrated_to_node0(const nlohmann::json& initial) {
  int rc = -1;
  OneThread p(kernel2633(initial), [&](Kernel& k) {
    LONGS_EQUAL(0, v2_6_33::isolate_lru_page(k, P));
    rc = v2_6_33::migrate_pages(k, {P}, 0, 0, 1);
  }, {"page_counts_consistent"});
  CHECK(model_test::explore_once(p).verdict == checker::Verdict::Pass);
  LONGS_EQUAL(0, rc);
  return std::move(p.kernel);
}

}  // namespace

// 2.6.33's unmap_and_move of swap-cache page P (slot 1, mapped by B; A holds swap(1)),
// isolated (count 3: the cache, B's pte, the isolation): try_to_unmap_one of a PageSwapCache
// page stores the swap location, not a migration entry, even for TTU_MIGRATION (2.6.33's
// "if (PageSwapCache(page)) ... swap_duplicate(entry)"; 3.9 the same): B's pte becomes
// swap(1) (slot count 2) and P's count 2. migrate_page_move_mapping's swap-cache branch
// finds count 2 and slot 1 naming P, freezes P, gives C1 the cache's reference (C1: 2 with
// the allocation's), PG_swapcache and slot 1, unfreezes P at 1; migrate_page_copy clears P's
// PG_swapcache and mapping; remove_migration_ptes finds no migration entry; putback frees P
// and drops C1's allocation reference: C1 ends with the cache's reference alone, unmapped,
// and both A and B fault it back from the swap cache.
TEST(Swap2633Migration, ASwapCachePageHandsItsSlotToTheNewPage) {
  const std::unique_ptr<Kernel> after = migrated_to_node0(anon_half_swapped());
  const Kernel& k = *after;
  LONGS_EQUAL(C1, swap_cache_page(k, 1));
  CHECK(k.pages[C1].test(PG_swapcache));
  LONGS_EQUAL(1, k.pages[C1].swap_entry);
  LONGS_EQUAL(1, k.pages[C1].refcount);
  LONGS_EQUAL(0, k.pages[C1].mapcount);
  LONGS_EQUAL(5, k.pages[C1].content);
  CHECK(pte_at(k, mB, 0x1000).is_swap());
  CHECK(pte_at(k, mA, 0x1000).is_swap());
  LONGS_EQUAL(2, swap_count(k, 1));
  CHECK(k.pages[P].freed);
  CHECK_FALSE(k.pages[P].test(PG_swapcache));
}

// A swap-cache page only in the cache, with no rmap (as swapin_readahead leaves one; A and B
// both hold swap(1)): page->mapping is NULL, so 2.6.33 skips try_to_unmap (skip_unmap) and
// moves it; remove_migration_ptes has no mapping to walk. Count: the cache and the isolation
// (2): C1 ends with the cache's reference alone, P freed, the slot still counted twice.
TEST(Swap2633Migration, AnUnmappedSwapCachePageMovesToo) {
  nlohmann::json j = anon_half_swapped();
  j["ptes"][1] = nlohmann::json::parse(R"({ "mm": "B", "address": "0x1000", "pte": "swap", "entry": 1 })");
  j["pages"][0]["flags"] = nlohmann::json::parse(R"(["Uptodate", "LRU", "SwapCache"])");
  const std::unique_ptr<Kernel> after = migrated_to_node0(j);
  const Kernel& k = *after;
  LONGS_EQUAL(C1, swap_cache_page(k, 1));
  LONGS_EQUAL(1, k.pages[C1].refcount);
  LONGS_EQUAL(0, k.pages[C1].mapcount);
  LONGS_EQUAL(2, swap_count(k, 1));
  CHECK(k.pages[P].freed);
}

TEST_GROUP(Swap2633Fault){};

// do_swap_page of A's swap(1) finds K in the swap cache; 2.6.33's ksm_might_need_to_copy
// maps a KSM page as it is (page_anon_vma is NULL for it): A maps K read-only again, K keeps
// its stable node, mapcount 2, count 3 (two ptes and the swap cache: the lookup's reference
// became A's), swap_free leaves slot 1 with no count, K stays in the swap cache (vm_swap_full false).
TEST(Swap2633Fault, KsmSwapCachePageIsMappedAsItIs) {
  OneThread p(kernel2633(ksm_half_swapped()), [](Kernel& k) { fault(k, mA, 0x1000, false); },
              {"page_counts_consistent", "ksm_counters_consistent"});
  checker::Report r = model_test::explore_once(p);
  STRCMP_EQUAL("<none>", violation_of(r).c_str());
  const Kernel& k = *p.kernel;
  CHECK(maps(pte_at(k, mA, 0x1000), K, false));
  CHECK_TRUE(k.pages[K].PageKsm());
  LONGS_EQUAL(nodeS, k.page_stable_node(K));
  LONGS_EQUAL(2, k.pages[K].mapcount);
  LONGS_EQUAL(3, k.pages[K].refcount);
  LONGS_EQUAL(0, swap_count(k, 1));
  LONGS_EQUAL(K, swap_cache_page(k, 1));
  CHECK_FALSE(k.pages[K].PageLocked());
}

// P belongs to B's anon_vma: ksm_does_need_to_copy unlocks P, copies it into C1 (dirty,
// Uptodate, on the LRU, locked) and releases P's lookup reference; do_swap_page maps C1 in A
// with page_add_anon_rmap (A's anon_vma, mapcount 1), swap_free, unlocks C1. P is left as it
// was: B's pte and the swap cache (count 2), unlocked, still at slot 1.
TEST(Swap2633Fault, PageOfAnotherAnonVmaIsCopiedAfterUnlock) {
  OneThread p(kernel2633(anon_half_swapped()), [](Kernel& k) { fault(k, mA, 0x1000, false); },
              {"page_counts_consistent"});
  checker::Report r = model_test::explore_once(p);
  STRCMP_EQUAL("<none>", violation_of(r).c_str());
  const Kernel& k = *p.kernel;
  CHECK(maps(pte_at(k, mA, 0x1000), C1, false));
  LONGS_EQUAL(5u, k.pages[C1].content);
  CHECK_TRUE(k.pages[C1].test(PG_dirty));
  CHECK_TRUE(k.pages[C1].test(PG_lru));
  CHECK_FALSE(k.pages[C1].PageLocked());
  CHECK(k.pages[C1].mapping == (Mapping{Mapping::Kind::Anon, avA}));
  LONGS_EQUAL(1, k.pages[C1].mapcount);
  LONGS_EQUAL(1, k.pages[C1].refcount);
  LONGS_EQUAL(2, k.pages[P].refcount);
  CHECK_FALSE(k.pages[P].PageLocked());
  LONGS_EQUAL(P, swap_cache_page(k, 1));
  LONGS_EQUAL(0, swap_count(k, 1));
}

// A write fault: the copy C1 is no swap-cache page and not yet mapped, so reuse_swap_page says
// it is ours alone (count 0 <= 1): mapped writable and dirty (VM_FAULT_WRITE), no do_wp_page.
TEST(Swap2633Fault, WriteFaultReusesTheCopy) {
  unsigned ret = 0;
  OneThread p(kernel2633(anon_half_swapped()), [&ret](Kernel& k) { ret = fault(k, mA, 0x1000, true); },
              {"page_counts_consistent"});
  checker::Report r = model_test::explore_once(p);
  STRCMP_EQUAL("<none>", violation_of(r).c_str());
  const Kernel& k = *p.kernel;
  CHECK(maps(pte_at(k, mA, 0x1000), C1, true));
  CHECK_TRUE(pte_at(k, mA, 0x1000).dirty);
  CHECK_TRUE((ret & VM_FAULT_WRITE) != 0);
  CHECK_FALSE(k.pages[C1].in_free_pool);
  LONGS_EQUAL(1, k.pages[C1].refcount);
  LONGS_EQUAL(2, k.pages[P].refcount);
  LONGS_EQUAL(0, swap_count(k, 1));
}

// The same copy with no free page: ksm_does_need_to_copy returns NULL after releasing P,
// do_swap_page returns VM_FAULT_OOM ("goto out": nothing else to undo), A keeps swap(1).
TEST(Swap2633Fault, CopyWithoutAFreePageIsOomWithPReleased) {
  nlohmann::json init = anon_half_swapped();
  init["pages"].erase(1);
  unsigned ret = 0;
  OneThread p(kernel2633(init), [&ret](Kernel& k) {
    ret = do_swap_page_swapin(k, 0, 0x1000, Pte::swap(1));
  }, {"page_counts_consistent"});
  checker::Report r = model_test::explore_once(p);
  STRCMP_EQUAL("<none>", violation_of(r).c_str());
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(VM_FAULT_OOM, ret);
  CHECK(pte_at(k, mA, 0x1000) == Pte::swap(1));
  LONGS_EQUAL(2, k.pages[P].refcount);
  CHECK_FALSE(k.pages[P].PageLocked());
  LONGS_EQUAL(1, swap_count(k, 1));
}

TEST_GROUP(Swap2633Reclaim){};

// shrink_page_list on K: add_to_swap takes slot 1 (K dirty, count 3); 2.6.33's try_to_unmap_ksm
// walks RA (avA) and RB (avB): each pte becomes swap(1) with swap_duplicate (count 2) and drops
// its reference (count 1); pageout writes K's data (7) to slot 1; __remove_mapping freezes the
// swap cache's reference and frees K (mapping reset). S still names K; the keyhole get_ksm_page
// then sees K's mapping is not S: stale, S removed, RA no longer stable, counters back to 0.
TEST(Swap2633Reclaim, KsmPageSwappedOutAndItsNodeFoundStale) {
  bool freed = false;
  PageId got = C1;
  bool node_kept_after_reclaim = false;
  OneThread p(kernel2633(ksm_mapped()), [&](Kernel& k) {
    freed = reclaim_swapcache_page(k, K);
    node_kept_after_reclaim = k.stable_nodes[nodeS].kpfn == K && !k.stable_nodes[nodeS].freed;
    got = v2_6_33::get_ksm_page(k, nodeS);
  });
  checker::Report r = model_test::explore_once(p);
  STRCMP_EQUAL("<none>", violation_of(r).c_str());
  const Kernel& k = *p.kernel;
  CHECK_TRUE(freed);
  CHECK_TRUE(node_kept_after_reclaim);
  CHECK(pte_at(k, mA, 0x1000) == Pte::swap(1));
  CHECK(pte_at(k, mB, 0x1000) == Pte::swap(1));
  LONGS_EQUAL(2, swap_count(k, 1));
  LONGS_EQUAL(kNoPage, swap_cache_page(k, 1));
  LONGS_EQUAL(7u, swap_device_data(k, 1));
  CHECK_TRUE(k.pages[K].freed);
  LONGS_EQUAL(kNoPage, got);
  CHECK_TRUE(k.stable_nodes[nodeS].freed);
  CHECK_FALSE(k.rmap_items[itemRA].stable);
  LONGS_EQUAL(0, k.ksm.pages_shared);
  LONGS_EQUAL(0, k.ksm.pages_sharing);
}

// Then A's read fault reads slot 1 back from the device into C1 (read_swap_cache_async):
// a fresh page of A's anon_vma with K's data, in the swap cache, swap count 1 (B's pte).
TEST(Swap2633Reclaim, SwappedOutKsmPageIsReadBackIntoAFreshPage) {
  OneThread p(kernel2633(ksm_mapped()), [](Kernel& k) {
    reclaim_swapcache_page(k, K);
    fault(k, mA, 0x1000, false);
  }, {"page_counts_consistent"});
  checker::Report r = model_test::explore_once(p);
  STRCMP_EQUAL("<none>", violation_of(r).c_str());
  const Kernel& k = *p.kernel;
  CHECK(maps(pte_at(k, mA, 0x1000), C1, false));
  LONGS_EQUAL(7u, k.pages[C1].content);
  CHECK_FALSE(k.pages[C1].PageKsm());
  CHECK(k.pages[C1].mapping == (Mapping{Mapping::Kind::Anon, avA}));
  LONGS_EQUAL(C1, swap_cache_page(k, 1));
  LONGS_EQUAL(1, swap_count(k, 1));
  LONGS_EQUAL(2, k.pages[C1].refcount);
}

TEST_GROUP(Swap2633Zap){};

// munmap of A's vma holding swap(1): 2.6.33's zap_pte_range frees the pte's swap count
// (free_swap_and_cache); K stays in the swap cache, mapped by B.
TEST(Swap2633Zap, MunmapFreesTheSwapCount) {
  OneThread p(kernel2633(ksm_half_swapped()), [](Kernel& k) { v2_6_33::munmap(k, mA, 0x1000); },
              {"page_counts_consistent"});
  checker::Report r = model_test::explore_once(p);
  STRCMP_EQUAL("<none>", violation_of(r).c_str());
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(0, swap_count(k, 1));
  LONGS_EQUAL(K, swap_cache_page(k, 1));
  LONGS_EQUAL(2, k.pages[K].refcount);
}

TEST_GROUP(Swap2633Swapoff){};

// run = 2 (KSM_RUN_UNMERGE): v3.9's unuse_pte would copy K (ksm_might_need_to_copy); 2.6.33's
// maps K itself: A's swap(1) becomes K (old, read-only), K keeps stable node S, mapcount 2,
// count 3 (B, A, the swap cache's) until try_to_unuse deletes it from the swap cache: 2; no copy.
TEST(Swap2633Swapoff, UnusePteMapsTheKsmPageItself) {
  nlohmann::json init = ksm_half_swapped();
  init["ksm"]["run"] = 2;
  int ret = 1;
  OneThread p(kernel2633(init), [&ret](Kernel& k) { ret = try_to_unuse(k); }, {"page_counts_consistent"});
  checker::Report r = model_test::explore_once(p);
  STRCMP_EQUAL("<none>", violation_of(r).c_str());
  const Kernel& k = *p.kernel;
  LONGS_EQUAL(0, ret);
  CHECK(maps(pte_at(k, mA, 0x1000), K, false));
  CHECK_FALSE(pte_at(k, mA, 0x1000).young);
  LONGS_EQUAL(nodeS, k.page_stable_node(K));
  LONGS_EQUAL(2, k.pages[K].mapcount);
  LONGS_EQUAL(2, k.pages[K].refcount);
  CHECK_TRUE(k.pages[C1].in_free_pool);
  LONGS_EQUAL(kNoPage, swap_cache_page(k, 1));
  LONGS_EQUAL(0, swap_count(k, 1));
}

// P is B's: unuse_vma skips A's vma (page_address_in_vma: another anon_vma), so A keeps swap(1);
// try_to_unuse deletes P from the swap cache anyway (dirty), and its next visit of slot 1 reads
// it from the device into C1 (no anon_vma yet: the whole vma is scanned), which A then maps.
TEST(Swap2633Swapoff, AnotherAnonVmasPageIsReadBackForIt) {
  OneThread p(kernel2633(anon_half_swapped()), [](Kernel& k) { try_to_unuse(k); }, {"page_counts_consistent"});
  checker::Report r = model_test::explore_once(p);
  STRCMP_EQUAL("<none>", violation_of(r).c_str());
  const Kernel& k = *p.kernel;
  CHECK(maps(pte_at(k, mA, 0x1000), C1, false));
  LONGS_EQUAL(5u, k.pages[C1].content);
  CHECK(k.pages[C1].mapping == (Mapping{Mapping::Kind::Anon, avA}));
  LONGS_EQUAL(1, k.pages[C1].refcount);
  CHECK_FALSE(k.pages[P].test(PG_swapcache));
  LONGS_EQUAL(1, k.pages[P].refcount);
  LONGS_EQUAL(kNoPage, swap_cache_page(k, 1));
  LONGS_EQUAL(0, swap_count(k, 1));
}

TEST_GROUP(Swap2633Fork){};

// 2.6.33's copy_one_pte of A's swap(1): swap_duplicate (count 1 -> 2), the child holds swap(1)
// too; K (in the swap cache, mapped by B) is untouched.
TEST(Swap2633Fork, SwapPteIsDuplicated) {
  nlohmann::json init = ksm_half_swapped();
  model_test::add_fork_child(init);
  OneThread p(kernel2633(init), [](Kernel& k) { v2_6_33::dup_mmap(k, 2, mA); }, {"page_counts_consistent"});
  checker::Report r = model_test::explore_once(p);
  STRCMP_EQUAL("<none>", violation_of(r).c_str());
  const Kernel& k = *p.kernel;
  CHECK(pte_at(k, 2, 0x1000) == Pte::swap(1));
  CHECK(pte_at(k, mA, 0x1000) == Pte::swap(1));
  LONGS_EQUAL(2, swap_count(k, 1));
  LONGS_EQUAL(1, k.pages[K].mapcount);
  LONGS_EQUAL(2, k.pages[K].refcount);
}

TEST_GROUP(Swap2633Lint){};

// mmcheck check of 2.6.33 swapoff over P (B's anon_vma) and A's swap(1) with no free page:
// 2.6.33's unuse_pte copies nothing; the slot is read back for A (one page), where v3.9's
// rule counts unuse_pte's ksm_might_need_to_copy copy at A:0x1000 instead.
TEST(Swap2633Lint, SwapoffReadsBackWhereV39Copies) {
  nlohmann::json init = anon_half_swapped();
  init["pages"].erase(1);
  const nlohmann::json threads = nlohmann::json::parse(R"([ { "name": "S", "actor": "swapoff", "args": {} } ])");
  auto finding = [&](const char* kernel) {
    nlohmann::json j = {{"name", "t/s"}, {"summary", "s"}, {"kernel", kernel}, {"initial", init},
                        {"threads", threads}, {"expect", {{"result", "pass"}}}};
    const LintReport r = lint(Scenario::parse(j, "t.json"));
    return r.findings.size() == 1 ? r.findings[0].message : std::string("<" + std::to_string(r.findings.size()) + ">");
  };
  const std::string f2633 = finding("2.6.33");
  CHECK_TEXT(contains(f2633, "S needs 1 for try_to_unuse's swap reads (read_swap_cache_async) of slot 1"), f2633.c_str());
  CHECK_TEXT(!contains(f2633, "ksm_might_need_to_copy"), f2633.c_str());
  const std::string f39 = finding("3.9");
  CHECK_TEXT(contains(f39, "S needs 1 for unuse_pte's ksm_might_need_to_copy copies at A:0x1000"), f39.c_str());
}

TEST_GROUP(Swap2633SwapLock){};

// free_swap_and_cache's section under swap_lock (v2.6.33; v3.9's p->lock): R swaps P out of
// fork pair A and B (a swap_duplicate per pte, P locked throughout), U munmaps A, F faults B.
// By hand from mm/swapfile.c: the zap's swap_entry_free, find_get_page and trylock_page run
// under the lock swap_duplicate takes, so either U's count reaches 0 before R's second
// swap_duplicate (and U's trylock meets R's page lock: P stays cached) or after it (the count
// stays above 0: nothing to free); P never leaves the swap cache while B's swap pte holds the
// slot. Clean in both eras, DFS agrees (a swap_duplicate that waited for good would be a
// deadlock in both searches).
TEST(Swap2633SwapLock, NoSwapDuplicateBetweenTheCountAndTheTrylock) {
  model_test::check_clean_and_dfs_agrees("scenarios/ksm/swapout-vs-munmap-vs-swapin-2.6.33.json");
  model_test::check_clean_and_dfs_agrees("scenarios/ksm/swapout-vs-munmap-vs-swapin-3.9.json");
}
